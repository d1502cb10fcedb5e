/** Names of fields whose values are secrets and must never be logged. */
const SECRET_FIELDS =
  /^(code|code_verifier|refresh_token|access_token|token|client_secret|password|id_token|authorization|cookie|set-cookie|csrf_token|state)$/i;

/** Copies a flat record with every secret-looking field replaced, for logs. */
export function redactSecrets(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) out[key] = SECRET_FIELDS.test(key) ? '[redacted]' : value;
  return out;
}
