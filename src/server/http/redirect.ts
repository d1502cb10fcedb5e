/**
 * How a redirect is answered: 303 See Other after a form post or between the sign-in pages, so the
 * browser follows with GET (RFC 9110 §15.4.4); 302 Found from the authorization endpoint straight
 * back to the client, as RFC 6749 §4.1.2 shows it.
 */
export type RedirectStatus = 302 | 303;

/**
 * The one redirect of the server: `Location` and `Cache-Control: no-store`, since the location
 * carries an authorization code or a pending-request handle, which no cache may keep. Cookies are
 * appended by the caller (`response.headers.append('Set-Cookie', …)`).
 * @see RFC 9110 §10.2.2 (Location), §15.4.3-4; RFC 6749 §4.1.2; RFC 9111 §5.2.2.5 (no-store)
 */
export function redirectResponse(location: string, status: RedirectStatus = 303): Response {
  return new Response(null, { status, headers: { Location: location, 'Cache-Control': 'no-store' } });
}
