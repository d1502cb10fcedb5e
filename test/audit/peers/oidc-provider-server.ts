/**
 * A peer no one here wrote: oidc-provider 9 configured as an MCP deployment would configure it,
 * with an MCP endpoint in front of it as a gateway would serve one. Run as a child process; prints
 * one JSON line `{ "mcp": "http://127.0.0.1:P/mcp", "issuer": … }` on stdout once both listen, and
 * exits when its stdin closes (the parent died or is done).
 *
 * oidc-provider (its own port, issuer http://127.0.0.1:Q): open dynamic registration, PKCE
 * required (S256 is the only method oidc-provider 9 has), resource indicators for the MCP URL only,
 * with JWT access tokens (RFC 9068) whose `aud` is that URL, refresh tokens for every client allowed
 * the grant (MCP clients do not ask for `offline_access`), rotated on use, revocation and
 * introspection on, and its development login and consent pages (any user name and password).
 * The options it warns about when left at their defaults are given with the same behaviour, as in
 * test/support/oidc-upstream.ts.
 *
 * The MCP endpoint (port P): what is in front is ours and kept correct, so that what the auditor
 * finds is oidc-provider's. `/mcp` refuses a foreign Host or Origin with 403 (it is on loopback:
 * the Streamable HTTP transport's MUST), answers a request without a token with 401 and
 * `WWW-Authenticate: Bearer resource_metadata="…", scope="mcp"` (RFC 9728 §5.1), verifies a
 * bearer token in the Authorization header only, with jose, as an RFC 9068 JWT of the issuer for
 * audience the MCP URL (401 `invalid_token` otherwise, 403 `insufficient_scope` without `mcp`),
 * and then serves a stateless MCP server with one tool. The protected-resource metadata (RFC 9728)
 * is at the path-inserted well-known URL and names the issuer.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import Provider, * as oidc from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import * as z from 'zod/v4';

const DAY = 24 * 60 * 60;
const SCOPE = 'mcp';

/** The shim (bench/types/oidc-provider.d.ts) declares only what the benchmark uses; this is the one error class needed here. */
const { errors } = oidc as unknown as { errors: { InvalidTarget: new () => Error } };

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const asServer = createServer();
const mcpServer = createServer();
const issuer = await listen(asServer);
const mcpOrigin = await listen(mcpServer);
const mcpUrl = `${mcpOrigin}/mcp`;
const metadataUrl = `${mcpOrigin}/.well-known/oauth-protected-resource/mcp`;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'peer', alg: 'RS256', use: 'sig' };
const verificationKeys = createLocalJWKSet({ keys: [{ ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'peer', alg: 'RS256', use: 'sig' }] });

const provider = new Provider(issuer, {
  adapter: createMemoryAdapter(),
  clients: [],
  jwks: { keys: [signingKey] },
  findAccount: (_ctx: unknown, accountId: string) => ({ accountId, claims: () => ({ sub: accountId }) }),
  scopes: ['openid', 'offline_access', SCOPE],
  responseTypes: ['code'],
  pkce: { required: () => true },
  issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(grant: string): boolean }) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // An MCP client always names the resource; one that does not gets the MCP server's.
      defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string | string[]) => oneOf ?? mcpUrl,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, resourceIndicator: string) => {
        if (resourceIndicator !== mcpUrl) throw new errors.InvalidTarget();
        return { scope: SCOPE, audience: mcpUrl, accessTokenTTL: 60 * 60, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  ttl: {
    AccessToken: 60 * 60,
    AuthorizationCode: 60,
    IdToken: 60 * 60,
    RefreshToken: 14 * DAY,
    Interaction: 60 * 60,
    Session: 14 * DAY,
    Grant: 14 * DAY,
  },
});
provider.on('server_error', (_ctx: unknown, error: Error) => process.stderr.write(`oidc-provider server_error: ${error.stack ?? error.message}\n`));
asServer.on('request', provider.callback());

/** The one MCP server behind the token check: stateless, one tool. */
function mcp(): McpServer {
  const server = new McpServer({ name: 'oidc-provider-peer', version: '1.0.0' });
  server.registerTool('greet', { description: 'Greets someone', inputSchema: { name: z.string() } }, async ({ name }) => ({
    content: [{ type: 'text', text: `Hello, ${name}!` }],
  }));
  return server;
}

const LOCAL_HOSTS = new Set([new URL(mcpOrigin).host, `localhost:${new URL(mcpOrigin).port}`]);

function send(response: ServerResponse, status: number, headers: Record<string, string>, body?: unknown): void {
  response.writeHead(status, { 'cache-control': 'no-store', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers });
  response.end(body !== undefined ? JSON.stringify(body) : undefined);
}

const challenge = (error?: string) => `Bearer ${error !== undefined ? `error="${error}", ` : ''}resource_metadata="${metadataUrl}", scope="${SCOPE}"`;

async function serveMcp(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const origin = request.headers.origin;
  if (origin !== undefined && !(URL.canParse(origin) && LOCAL_HOSTS.has(new URL(origin).host))) {
    return send(response, 403, {}, { error: 'forbidden', error_description: 'foreign Origin' });
  }
  const authorization = request.headers.authorization;
  if (authorization === undefined) return send(response, 401, { 'www-authenticate': challenge() });
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization);
  let scope: string[];
  try {
    if (match === null) throw new Error('not a bearer token');
    const { payload } = await jwtVerify(match[1]!, verificationKeys, {
      issuer,
      audience: mcpUrl,
      algorithms: ['RS256'],
      typ: 'at+jwt',
      requiredClaims: ['exp', 'client_id'],
    });
    scope = typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : [];
  } catch {
    return send(response, 401, { 'www-authenticate': challenge('invalid_token') }, { error: 'invalid_token' });
  }
  if (!scope.includes(SCOPE)) return send(response, 403, { 'www-authenticate': challenge('insufficient_scope') }, { error: 'insufficient_scope' });
  const transport = new StreamableHTTPServerTransport({});
  response.on('close', () => void transport.close());
  await mcp().connect(transport);
  await transport.handleRequest(request, response);
}

mcpServer.on('request', (request: IncomingMessage, response: ServerResponse) => {
  if (!LOCAL_HOSTS.has(request.headers.host ?? '')) return send(response, 403, {}, { error: 'forbidden', error_description: 'foreign Host' });
  const path = new URL(request.url ?? '/', mcpOrigin).pathname;
  if (path === '/.well-known/oauth-protected-resource/mcp' && (request.method === 'GET' || request.method === 'HEAD')) {
    return send(response, 200, {}, { resource: mcpUrl, authorization_servers: [issuer], scopes_supported: [SCOPE], bearer_methods_supported: ['header'] });
  }
  if (path === '/mcp') {
    serveMcp(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, {}, { error: 'server_error' });
    });
    return;
  }
  send(response, 404, {}, { error: 'not_found' });
});

process.stdout.write(`${JSON.stringify({ mcp: mcpUrl, issuer })}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
