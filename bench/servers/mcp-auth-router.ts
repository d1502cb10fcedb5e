/**
 * The MCP TypeScript SDK's `mcpAuthRouter` on Express 5 with a minimal in-memory provider: the
 * "hand-rolled" reference. Refresh tokens rotate (a spent token is kept, and presenting it again
 * revokes its grant, as Portcullis and oidc-provider do); every lookup is a Map lookup and every
 * token 32 random bytes. The token endpoint's rate limiter is off (`rateLimit: false`), or it
 * answers 429 after 50 requests.
 *
 *   node --import tsx bench/servers/mcp-auth-router.ts --tokens 10   (then `seed N` lines on stdin)
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OAuthRegisteredClientsStore } from '@modelcontextprotocol/sdk/server/auth/clients.js';
import { InvalidGrantError, InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { AuthorizationParams, OAuthServerProvider } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import { mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { OAuthClientInformationFull, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Response } from 'express';
import express from 'express';
import { closeHttpServer } from '../../src/http/close-server.js';
import { serveBenchmark } from '../support/announcement.js';

const CLIENT_ID = 'bench-client';
const ACCESS_TOKEN_TTL = 600;
const REFRESH_TOKEN_TTL = 30 * 24 * 60 * 60;

interface RefreshTokenEntry {
  grantId: string;
  clientId: string;
  scopes: string[];
  resource: URL | undefined;
  expiresAt: number;
  spent: boolean;
}

const randomToken = () => randomBytes(32).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Only the refresh grant is implemented; the authorization-code half is not exercised. */
class InMemoryRefreshProvider implements OAuthServerProvider {
  readonly clients = new Map<string, OAuthClientInformationFull>();
  readonly refreshTokens = new Map<string, RefreshTokenEntry>();
  readonly accessTokens = new Map<string, AuthInfo>();
  readonly revokedGrants = new Set<string>();

  get clientsStore(): OAuthRegisteredClientsStore {
    return { getClient: (clientId) => this.clients.get(clientId) };
  }

  async authorize(_client: OAuthClientInformationFull, _params: AuthorizationParams, _res: Response): Promise<void> {
    throw new Error('not used by the benchmark');
  }

  async challengeForAuthorizationCode(): Promise<string> {
    throw new InvalidGrantError('not used by the benchmark');
  }

  async exchangeAuthorizationCode(): Promise<OAuthTokens> {
    throw new InvalidGrantError('not used by the benchmark');
  }

  async exchangeRefreshToken(client: OAuthClientInformationFull, refreshToken: string, scopes?: string[]): Promise<OAuthTokens> {
    const entry = this.refreshTokens.get(refreshToken);
    const now = nowSeconds();
    if (entry === undefined || entry.clientId !== client.client_id || entry.expiresAt <= now || this.revokedGrants.has(entry.grantId)) {
      throw new InvalidGrantError('The refresh token is invalid, expired or revoked.');
    }
    if (entry.spent) {
      this.revokedGrants.add(entry.grantId);
      throw new InvalidGrantError('The refresh token is invalid, expired or revoked.');
    }
    if (scopes !== undefined && !scopes.every((scope) => entry.scopes.includes(scope))) {
      throw new InvalidGrantError('A refresh may only narrow the scope.');
    }
    entry.spent = true;

    const accessToken = randomToken();
    const accessScopes = scopes ?? entry.scopes;
    this.accessTokens.set(accessToken, {
      token: accessToken,
      clientId: client.client_id,
      scopes: accessScopes,
      expiresAt: now + ACCESS_TOKEN_TTL,
      ...(entry.resource ? { resource: entry.resource } : {}),
    });
    const next = randomToken();
    this.refreshTokens.set(next, { ...entry, spent: false });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL, scope: accessScopes.join(' '), refresh_token: next };
  }

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const info = this.accessTokens.get(token);
    if (info === undefined || (info.expiresAt ?? 0) <= nowSeconds()) throw new InvalidTokenError('The access token is invalid or expired.');
    return info;
  }
}

const provider = new InMemoryRefreshProvider();
provider.clients.set(CLIENT_ID, {
  client_id: CLIENT_ID,
  client_id_issued_at: nowSeconds(),
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/callback'],
});
const app = express();
const http = createServer(app);
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const { port } = http.address() as AddressInfo;
const issuer = `http://127.0.0.1:${port}`;
app.use(mcpAuthRouter({ provider, issuerUrl: new URL(issuer), scopesSupported: ['mcp'], tokenOptions: { rateLimit: false } }));

let grants = 0;
await serveBenchmark({
  url: issuer,
  tokenPath: '/token',
  clientId: CLIENT_ID,
  rotates: true,
  async seed(count) {
    return Array.from({ length: count }, () => {
      const token = randomToken();
      provider.refreshTokens.set(token, {
        grantId: `grant-${grants++}`,
        clientId: CLIENT_ID,
        scopes: ['mcp'],
        resource: undefined,
        expiresAt: nowSeconds() + REFRESH_TOKEN_TTL,
        spent: false,
      });
      return token;
    });
  },
  close: () => closeHttpServer(http),
});
