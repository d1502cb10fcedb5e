/**
 * Helpers for tests of the client library (src/client/): a client-side store of its own (as an
 * MCP client app would keep, apart from the authorization server's), a keyring, an MCP SDK client
 * over Streamable HTTP with the provider, and a login through the real pages with FormBrowser.
 * (The clock the tests move is TestClock in ./clock.ts.)
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { McpOAuth, McpOAuthOptions } from '../../src/client/index.js';
import { createMcpOAuth } from '../../src/client/index.js';
import { createKeyring, type Keyring } from '../../src/core/seal.js';
import type { Store } from '../../src/store/types.js';
import { FormBrowser } from './browser.js';
import { createTestDatabase, type TestDatabase } from './stores.js';

/** The client app's master secret (not the authorization server's). */
export const CLIENT_SECRET = 'client-app-master-secret-0123456789-abcdefghijklmnop';
export const CLIENT_REDIRECT = 'http://127.0.0.1:53999/oauth/callback';

export function clientKeyring(): Keyring {
  return createKeyring([CLIENT_SECRET]);
}

export interface ClientStoreHandle {
  database: TestDatabase;
  store: Store;
  /** Closes the store and opens it again from the same database: a restart of the app. */
  reopen(): Promise<Store>;
  close(): Promise<void>;
}

export async function openClientStore(dialect: 'sqlite' | 'postgres' = 'sqlite'): Promise<ClientStoreHandle> {
  const database = await createTestDatabase(dialect);
  const handle: ClientStoreHandle = {
    database,
    store: await database.open(),
    async reopen() {
      await handle.store.close();
      handle.store = await database.open();
      return handle.store;
    },
    async close() {
      await handle.store.close();
      await database.destroy();
    },
  };
  return handle;
}

export interface ProviderUnderTest {
  oauth: McpOAuth;
  /** Every authorization URL handed to the app. */
  authorizationUrls: URL[];
}

export function newProvider(options: Omit<McpOAuthOptions, 'keyring' | 'redirectUrl' | 'clientMetadata'> & Partial<McpOAuthOptions>): ProviderUnderTest {
  const authorizationUrls: URL[] = [];
  const redirectUrl = options.redirectUrl ?? CLIENT_REDIRECT;
  const oauth = createMcpOAuth({
    keyring: clientKeyring(),
    redirectUrl,
    clientMetadata: {
      client_name: 'Portcullis client library test',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    },
    onAuthorizationUrl: (url) => {
      authorizationUrls.push(url);
    },
    ...options,
  });
  return { oauth, authorizationUrls };
}

/** An MCP SDK client connected through the provider, as an app would: authProvider and fetch. */
export async function connectSdkClient(oauth: McpOAuth, mcpUrl: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: oauth, fetch: oauth.fetch });
  const client = new Client({ name: 'client-library-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

/** The user signs in and approves on the real pages; returns the query the redirect carried. */
export async function approveInBrowser(
  url: URL,
  issuer: string,
  login: { username: string; password: string },
  browser = new FormBrowser(issuer),
): Promise<URLSearchParams> {
  const callback = await browser.authorize(url.href, login);
  return callback.searchParams;
}

/** Logs the user in with the popup/redirect helper: start, the real pages, callback. */
export async function loginWithPages(oauth: McpOAuth, issuer: string, login: { username: string; password: string }, scope?: string): Promise<void> {
  const started = await oauth.start(scope !== undefined ? { scope } : {});
  await oauth.callback(await approveInBrowser(started.url, issuer, login));
}

interface TextResult {
  content: { type: string; text: string }[];
}
export const textOf = (result: unknown) => (result as TextResult).content.map((c) => c.text).join('');
