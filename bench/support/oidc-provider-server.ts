/**
 * oidc-provider 9 as the refresh-token benchmark runs it: its defaults (opaque tokens), plus what
 * the benchmark needs — one public client allowed the refresh grant, `rotateRefreshToken: true`,
 * and the functions it warns about when left at their defaults (findAccount, TTLs, signing keys)
 * given explicitly with the same behaviour, so it prints nothing. Refresh tokens are seeded
 * through its model API, as its own authorization_code grant would issue them (a saved Grant
 * holding the scope, then a RefreshToken in it).
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type OidcClient, type OidcToken } from 'oidc-provider';
import { closeHttpServer } from '../../src/http/close-server.js';
import { serveBenchmark } from './announcement.js';

const CLIENT_ID = 'bench-client';
const SCOPE = 'offline_access mcp';
const DAY = 24 * 60 * 60;

interface TtlContext {
  oidc?: { entities: { RotatedRefreshToken?: OidcToken } };
}

/** oidc-provider's default ttl.RefreshToken, without its notice: a rotated public web client keeps the original expiry. */
function refreshTokenTtl(ctx: TtlContext | undefined, token: OidcToken, client: OidcClient): number {
  const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
  if (rotated !== undefined && client.applicationType === 'web' && client.clientAuthMethod === 'none' && !token.isSenderConstrained()) {
    return rotated.remainingTTL;
  }
  return 14 * DAY;
}

/**
 * Starts oidc-provider with `adapter` (its `adapter` option: a model name → adapter factory) and
 * runs the benchmark protocol (bench/support/announcement.ts).
 */
export async function serveOidcProvider(adapter: (model: string) => unknown): Promise<void> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    adapter,
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['https://client.example/callback'],
      },
    ],
    scopes: ['openid', 'offline_access', 'mcp'],
    rotateRefreshToken: true,
    features: { devInteractions: { enabled: false } },
    jwks: { keys: [{ ...signingKey, kid: 'bench', alg: 'RS256', use: 'sig' }] },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    // The documented defaults, given as values so they are not announced on every first use.
    ttl: {
      AccessToken: 60 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: 60 * 60,
      Session: 14 * DAY,
      Grant: 14 * DAY,
      RefreshToken: refreshTokenTtl,
    },
  });
  provider.on('server_error', (_ctx: unknown, error: Error) => process.stderr.write(`server_error: ${error.stack ?? error.message}\n`));
  http.on('request', provider.callback());

  const found = await provider.Client.find(CLIENT_ID);
  if (found === undefined) throw new Error(`client ${CLIENT_ID} was not loaded`);
  const client = found;
  let accounts = 0;
  /** One Grant holding the scope and one RefreshToken in it per connection, as its code grant would. */
  async function seed(count: number): Promise<string[]> {
    const refreshTokens: string[] = [];
    for (let i = 0; i < count; i++) {
      const accountId = `bench-user-${accounts++}`;
      const grant = new provider.Grant({ accountId, clientId: CLIENT_ID });
      grant.addOIDCScope(SCOPE);
      const grantId = await grant.save();
      const refreshToken = new provider.RefreshToken({
        client,
        accountId,
        grantId,
        scope: SCOPE,
        gty: 'authorization_code',
        expiresWithSession: false,
        rotations: 0,
      });
      refreshTokens.push(await refreshToken.save());
    }
    return refreshTokens;
  }

  await serveBenchmark({
    url: issuer,
    tokenPath: new URL(provider.urlFor('token')).pathname,
    clientId: CLIENT_ID,
    rotates: true,
    seed,
    close: () => closeHttpServer(http),
  });
}
