/** Where each endpoint lives, under the issuer's path (RFC 8414 §3 allows an issuer with a path). */
export interface ServerPaths {
  readonly base: string;
  readonly authorize: string;
  readonly login: string;
  readonly consent: string;
  readonly token: string;
  readonly register: string;
  readonly revoke: string;
  readonly introspect: string;
  readonly jwks: string;
  /** Where upstream provider `id` sends the browser back (federation). */
  federationCallback(providerId: string): string;
  /** RFC 8414 §3.1: the well-known suffix is inserted before the issuer's path. */
  readonly authorizationServerMetadata: string;
}

export function serverPaths(issuerUrl: URL): ServerPaths {
  const base = issuerUrl.pathname.replace(/\/$/, '');
  return {
    base,
    authorize: `${base}/authorize`,
    login: `${base}/login`,
    consent: `${base}/consent`,
    token: `${base}/token`,
    register: `${base}/register`,
    revoke: `${base}/revoke`,
    introspect: `${base}/introspect`,
    jwks: `${base}/jwks.json`,
    federationCallback: (providerId) => `${base}/federation/${providerId}/callback`,
    authorizationServerMetadata: `/.well-known/oauth-authorization-server${base}`,
  };
}
