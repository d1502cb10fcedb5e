/**
 * Real access tokens for the protected-resource tests: a running Portcullis authorization server
 * with two resources, a registered public client, and tokens obtained through the real
 * authorization-code flow over loopback HTTP.
 */
import { type JWTPayload, SignJWT } from 'jose';
import { randomSecret } from '../../src/core/secrets.js';
import { assertTokens, discover, obtainCode, redeemCode, registerPublicClient, type ServerMetadata, type TokenSet } from './authorization-flow.js';
import { FormBrowser } from './browser.js';
import { startTestServer, type TestServer } from './server.js';

export const RESOURCE_A = 'https://mcp-a.example.com/mcp';
export const RESOURCE_B = 'https://mcp-b.example.com/mcp';
export const LOGIN = { username: 'alice', password: 'correct horse battery staple' };

export interface TokenIssuer {
  server: TestServer;
  as: ServerMetadata;
  clientId: string;
  /** An access token for `resource` (default A) with `scope` (default `read`), through the real flow. */
  accessToken(options?: { resource?: string; scope?: string }): Promise<string>;
  /** The whole token response (access and refresh token). */
  tokenSet(options?: { resource?: string; scope?: string }): Promise<TokenSet>;
  /** Signs a JWT with the authorization server's current signing key, for tokens it would never mint. */
  signWithServerKey(header: { alg?: string; typ?: string; kid?: string }, payload: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

export async function startTokenIssuer(): Promise<TokenIssuer> {
  const server = await startTestServer({
    settings: {
      resources: [{ uri: RESOURCE_A }, { uri: RESOURCE_B }],
      scopes: { read: 'Read notes', write: 'Change notes', admin: 'Administer' },
      defaultScopes: ['read'],
    },
  });
  await server.addUser(LOGIN.username, LOGIN.password);
  const as = await discover(server.url);
  const clientId = await registerPublicClient(as);
  const browser = new FormBrowser(server.url);
  async function tokenSet(options: { resource?: string; scope?: string } = {}): Promise<TokenSet> {
    const resource = options.resource ?? RESOURCE_A;
    const code = await obtainCode(as, clientId, LOGIN, { resource, scope: options.scope ?? 'read', browser });
    return assertTokens(await redeemCode(as, { clientId, code: code.code, verifier: code.verifier, resource }));
  }
  return {
    server,
    as,
    clientId,
    tokenSet,
    async accessToken(options = {}) {
      return (await tokenSet(options)).access_token;
    },
    async signWithServerKey(header, payload) {
      const { kid, privateKey } = await server.server.signingKeys.current();
      return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid, ...header }).sign(privateKey);
    },
    close: () => server.close(),
  };
}

/** Claims like the server's own, for hand-made tokens. */
export function accessTokenClaims(issuer: string, overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer, sub: 'user-1', aud: RESOURCE_A, iat: now, exp: now + 300, jti: randomSecret(16), client_id: 'client-1', scope: 'read', ...overrides };
}

/** A fetch that counts requests to one URL (the JWKS), passing everything through. */
export function countingFetch(): { fetch: typeof globalThis.fetch; count: () => number } {
  let count = 0;
  return {
    fetch: (input, init) => {
      count++;
      return globalThis.fetch(input, init);
    },
    count: () => count,
  };
}
