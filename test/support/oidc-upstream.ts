/**
 * A real OpenID Provider — oidc-provider 9 on loopback — for the federation tests, where
 * Portcullis signs users in through an upstream identity provider as that provider's client.
 * It runs oidc-provider's own development login and consent pages (any password is accepted; the
 * account is the login typed) and requires PKCE S256 from every client. The options it warns
 * about when left at their defaults are given explicitly with the same behaviour, as in
 * bench/support/oidc-provider-server.ts; only the devInteractions and Node-version warnings remain.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { closeHttpServer } from '../../src/http/close-server.js';
import type { CrossOriginBrowser, Page } from './cross-origin-browser.js';
import { parseForms } from './html-form.js';

/** What the token-request counter reads of a request oidc-provider has handled. */
interface TokenRequestContext {
  oidc?: { route?: string; body?: Record<string, unknown> };
}

/**
 * Provider is a Koa application; `use` adds a middleware that runs before its routes. The type shim
 * (bench/types/oidc-provider.d.ts) declares only what the benchmark uses, and a module augmentation
 * cannot add to its default-exported class, hence this view.
 */
interface KoaApplication {
  use(middleware: (ctx: TokenRequestContext, next: () => Promise<void>) => Promise<void>): unknown;
}

export interface OidcUpstreamOptions {
  clients: Array<{ clientId: string; clientSecret?: string; redirectUris: string[] }>;
  /** Login name → claims (email, email_verified, name, groups…). Unknown logins sign in too, with only `sub`. */
  accounts: Record<string, Record<string, unknown>>;
  /** Access token lifetime; a test makes it short to exercise refresh. Default 3600. */
  accessTokenTtlSeconds?: number;
}

export interface OidcUpstream {
  /** http://127.0.0.1:PORT */
  issuer: string;
  provider: Provider;
  close(): Promise<void>;
  /**
   * Drives the development interaction pages in `browser` from `page` (the upstream's
   * /interaction/… page, body not yet read): the login form as `login`, then the consent form.
   * 'deny' follows the page's abort link instead, so oidc-provider answers the client with
   * error=access_denied. A page that is not an interaction page (the upstream had nothing to ask,
   * e.g. a second sign-in in the same session) is returned as it is. Returns the navigation that
   * ends it; `stopAt` as in CrossOriginBrowser.
   */
  signIn(browser: CrossOriginBrowser, page: Page, login: string, decision?: 'approve' | 'deny', stopAt?: (url: URL) => boolean): Promise<Page>;
  /** Whether the upstream considers `token` active, asked by introspection as client 0 (RFC 7662 §2). */
  isTokenActive(token: string): Promise<boolean>;
  /** How many requests the upstream's token endpoint received, by grant type. */
  tokenRequests(): { authorization_code: number; refresh_token: number };
}

const DAY = 24 * 60 * 60;

/** Starts the provider on 127.0.0.1 with an ephemeral port. */
export async function startOidcUpstream(options: OidcUpstreamOptions): Promise<OidcUpstream> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    // Given, not defaulted, so oidc-provider does not warn about its development-only store.
    adapter: createMemoryAdapter(),
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      ...(client.clientSecret === undefined
        ? { token_endpoint_auth_method: 'none' }
        : { client_secret: client.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: client.redirectUris,
    })),
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    jwks: { keys: [{ ...signingKey, kid: 'upstream', alg: 'ES256', use: 'sig' }] },
    findAccount: (_ctx: unknown, accountId: string) => ({ accountId, claims: () => ({ sub: accountId, ...options.accounts[accountId] }) }),
    scopes: ['openid', 'email', 'profile', 'groups', 'offline_access'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    // Scope claims in the ID token too, not only at userinfo (OIDC Core §5.4 leaves that to the OP).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // A refresh token for every code grant of a client allowed the grant, without asking for
    // offline_access (which oidc-provider would drop unless prompt=consent, OIDC Core §11).
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(grant: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: true },
      // Any authenticated client may introspect any token: the test asks as client 0 about all of them.
      introspection: { enabled: true, allowedPolicy: () => true },
      // RFC 7009 §2.1: a client revokes only its own tokens.
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx: unknown, client: { clientId: string }, token: { clientId: string }) => token.clientId === client.clientId,
      },
    },
    // Its error page (e.g. for an unregistered redirect_uri), as JSON a test can read.
    renderError: (ctx: { type: string; body: unknown }, out: Record<string, string>) => {
      ctx.type = 'json';
      ctx.body = out;
    },
    ttl: {
      AccessToken: options.accessTokenTtlSeconds ?? 60 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      RefreshToken: 14 * DAY,
      Interaction: 60 * 60,
      Session: 14 * DAY,
      Grant: 14 * DAY,
    },
  });
  provider.on('server_error', (_ctx: unknown, error: Error) => process.stderr.write(`oidc-upstream server_error: ${error.stack ?? error.message}\n`));

  const counts = { authorization_code: 0, refresh_token: 0 };
  (provider as unknown as KoaApplication).use(async (ctx, next) => {
    await next();
    // Read after oidc-provider ran: it parses the body itself and warns if anything did before.
    const grantType = ctx.oidc?.route === 'token' ? ctx.oidc.body?.grant_type : undefined;
    if (grantType === 'authorization_code' || grantType === 'refresh_token') counts[grantType]++;
  });
  server.on('request', provider.callback());

  const introspector = options.clients[0];
  if (introspector === undefined) throw new Error('startOidcUpstream needs at least one client');

  return {
    issuer,
    provider,
    close: () => closeHttpServer(server),
    signIn: (browser, page, login, decision = 'approve', stopAt) => signIn(issuer, browser, page, login, decision, stopAt),
    async isTokenActive(token) {
      const body = new URLSearchParams({ token });
      const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
      if (introspector.clientSecret === undefined) body.set('client_id', introspector.clientId);
      else headers.Authorization = basicAuthorization(introspector.clientId, introspector.clientSecret);
      const response = await fetch(provider.urlFor('introspection'), { method: 'POST', headers, body });
      if (!response.ok) throw new Error(`introspection answered ${response.status}: ${await response.text()}`);
      return ((await response.json()) as { active?: unknown }).active === true;
    },
    tokenRequests: () => ({ ...counts }),
  };
}

/**
 * The dev pages: /interaction/:uid shows a login form (hidden prompt=login; fields login, password)
 * or a consent form (hidden prompt=consent), both POSTed back to the same URL, and a
 * "[ Cancel ]" link to /interaction/:uid/abort. After each step oidc-provider redirects through
 * /auth/:uid to the next prompt or to the client.
 */
async function signIn(
  issuer: string,
  browser: CrossOriginBrowser,
  page: Page,
  login: string,
  decision: 'approve' | 'deny',
  stopAt?: (url: URL) => boolean,
): Promise<Page> {
  let step = page;
  for (let prompts = 0; prompts < 3; prompts++) {
    if (step.stoppedAt !== undefined || !step.url.startsWith(`${issuer}/interaction/`)) return step;
    const html = await step.response.text();
    if (decision === 'deny') {
      const abort = /href="([^"]*\/abort)"/.exec(html)?.[1];
      if (abort === undefined) throw new Error(`no abort link on ${step.url}: ${html.slice(0, 300)}`);
      return browser.navigate(new URL(abort, step.url).href, {}, stopAt);
    }
    const prompt = parseForms(html)[0]?.hidden.prompt;
    if (prompt !== 'login' && prompt !== 'consent') throw new Error(`unexpected page ${step.response.status} at ${step.url}: ${html.slice(0, 300)}`);
    step = await browser.submitForm({ html, url: step.url }, prompt === 'login' ? { login, password: 'any password' } : {}, { stopAt });
  }
  throw new Error(`still on the upstream's interaction pages after three prompts: ${step.url}`);
}

/** RFC 6749 §2.3.1: the client id and secret are form-urlencoded before the Basic encoding. */
function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
