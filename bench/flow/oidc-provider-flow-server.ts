/**
 * The reference of the flow benchmark: oidc-provider 9's own authorization-code flow with PKCE,
 * configured to do what Portcullis does for the same two requests — a public client (PKCE S256
 * required, its default for `none`), an RFC 8707 resource whose access tokens are ES256-signed
 * JWTs (RFC 9068) for that audience with the `mcp` scope, and a refresh token with every code.
 * Its default in-memory adapter (`createMemoryAdapter(15)`, what it builds when `adapter` is not
 * set, passed only so it does not print its development-only notice).
 *
 * Sign-in is an interaction route that logs the one account in and grants what the consent prompt
 * lists (what a login and consent page would record); after it, the session cookie and the
 * remembered grant (its default `loadExistingGrant`: the session's grant for the client) send
 * every `/auth` straight back to the redirect URI.
 *
 *   node --import tsx bench/flow/oidc-provider-flow-server.ts   prints {"flowServer":{"url":…}}; stdin closed ends it
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { closeHttpServer } from '../../src/http/close-server.js';

export const OIDC_CLIENT_ID = 'bench-flow-client';
export const OIDC_REDIRECT_URI = 'http://127.0.0.1:53124/callback';
const ACCOUNT_ID = 'bench-user';
const DAY = 24 * 60 * 60;

/** The parts of oidc-provider's interaction API used here (bench/types/oidc-provider.d.ts has the rest). */
interface InteractionDetails {
  prompt: { name: string; details: { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> } };
  params: { client_id?: string };
  grantId?: string;
  session?: { accountId?: string };
}
interface InteractionApi {
  interactionDetails(request: IncomingMessage, response: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(
    request: IncomingMessage,
    response: ServerResponse,
    result: Record<string, unknown>,
    options?: { mergeWithLastSubmission: boolean },
  ): Promise<void>;
  Grant: (new (init: { accountId: string; clientId: string }) => GrantApi) & { find(id: string): Promise<GrantApi | undefined> };
}
interface GrantApi {
  addOIDCScope(scope: string): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}

const http = createServer();
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
const resource = `${issuer}/mcp`;

const jwk = (type: 'rsa' | 'ec', alg: string) => {
  const { privateKey } = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: alg, alg, use: 'sig' };
};

const provider = new Provider(issuer, {
  adapter: createMemoryAdapter(15),
  clients: [
    {
      client_id: OIDC_CLIENT_ID,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [OIDC_REDIRECT_URI],
    },
  ],
  scopes: ['mcp'],
  features: {
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf ?? resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, indicator: string) => {
        if (indicator !== resource) throw new Error(`unknown resource ${indicator}`);
        return { scope: 'mcp', audience: resource, accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
      },
    },
  },
  // Portcullis issues a refresh token with every code; oidc-provider's default asks for offline_access.
  issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) => client.grantTypeAllowed('refresh_token'),
  interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  jwks: { keys: [jwk('ec', 'ES256'), jwk('rsa', 'RS256')] },
  findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
  // The documented defaults, given as values so they are not announced on first use.
  ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 3600, Session: 14 * DAY, Grant: 14 * DAY, RefreshToken: 14 * DAY },
});
provider.on('server_error', (_ctx: unknown, error: Error) => process.stderr.write(`server_error: ${error.stack ?? error.message}\n`));
const interactions = provider as unknown as InteractionApi;

/** Logs the account in, then grants what the consent prompt says is missing. */
async function interaction(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const details = await interactions.interactionDetails(request, response);
  if (details.prompt.name === 'login') {
    return interactions.interactionFinished(request, response, { login: { accountId: ACCOUNT_ID } }, { mergeWithLastSubmission: false });
  }
  const accountId = details.session?.accountId ?? ACCOUNT_ID;
  const existing = details.grantId === undefined ? undefined : await interactions.Grant.find(details.grantId);
  const grant = existing ?? new interactions.Grant({ accountId, clientId: details.params.client_id ?? OIDC_CLIENT_ID });
  const { missingOIDCScope, missingResourceScopes } = details.prompt.details;
  if (missingOIDCScope !== undefined) grant.addOIDCScope(missingOIDCScope.join(' '));
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  return interactions.interactionFinished(request, response, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
http.on('request', (request: IncomingMessage, response: ServerResponse) => {
  if (request.method === 'GET' && request.url?.startsWith('/interaction/')) {
    interaction(request, response).catch((error: unknown) => {
      process.stderr.write(`interaction: ${error instanceof Error ? error.message : String(error)}\n`);
      if (!response.headersSent) response.writeHead(500).end();
    });
  } else {
    void callback(request, response);
  }
});
process.stdout.write(`${JSON.stringify({ flowServer: { url: issuer } })}\n`);

const shutdown = () => void closeHttpServer(http).then(() => process.exit(0));
process.stdin.on('end', shutdown).resume();
process.once('SIGTERM', shutdown);
