/**
 * The words of an identifier or a written name, so a rule can match `sid` whole and not inside
 * `sidebar`. cookie-flags reads cookie names by them; jwt-audience-unchecked tells an ID token's
 * name (`idToken`, `id_token`) from `validToken`.
 */

/** `next-auth.session-token` → [next, auth, session, token]; `authState` → [auth, state]; `ID_TOKEN` → [id, token]. */
export function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}
