import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { z } from 'zod';
import { OAuthError } from '../core/errors.js';
import { isLoopbackHost } from '../core/loopback.js';
import { checkRedirectUri } from '../core/redirect-uri.js';
import { parseScope } from '../core/scopes.js';
import type { ClientRecord } from '../store/types.js';
import { isPrivateAddress } from './private-address.js';

export interface ClientMetadataDocumentOptions {
  timeoutMs?: number;
  maxBytes?: number;
  minCacheSeconds?: number;
  maxCacheSeconds?: number;
  defaultCacheSeconds?: number;
  maxCacheEntries?: number;
  /** DANGEROUS, for tests and local development only: http client ids, loopback and private addresses. */
  dangerouslyAllowLoopback?: boolean;
  /** Milliseconds clock. */
  now?: () => number;
  /** DNS lookup (`node:dns` shape), replaceable in tests. */
  lookup?: (hostname: string, options: { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;
}

const refuse = (description: string, detail: string) => new OAuthError('invalid_client', description, { detail });

/**
 * Whether a client_id is a Client ID Metadata Document URL: https, with a path, without fragment,
 * credentials or dot segments (draft-ietf-oauth-client-id-metadata-document §3).
 */
export function isClientMetadataDocumentUrl(clientId: string, allowHttp = false): boolean {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) return false;
  if (clientId.includes('#') || url.username !== '' || url.password !== '') return false;
  if (url.pathname === '/' || url.pathname === '') return false;
  return !/\/\.\.?(\/|$|\?)/.test(clientId.replace(/^[a-z]+:\/\/[^/]*/i, ''));
}

/** What a metadata document may say; unknown fields are ignored (RFC 7591 §2). */
const documentSchema = z.object({
  client_id: z.string(),
  redirect_uris: z.array(z.string().max(2000)).min(1).max(20),
  token_endpoint_auth_method: z.literal('none').optional(),
  grant_types: z.array(z.enum(['authorization_code', 'refresh_token'])).min(1).optional(),
  response_types: z.array(z.literal('code')).min(1).optional(),
  client_name: z.string().max(200).optional(),
  client_uri: z.string().max(2000).optional(),
  logo_uri: z.string().max(2000).optional(),
  tos_uri: z.string().max(2000).optional(),
  policy_uri: z.string().max(2000).optional(),
  scope: z.string().max(1000).optional(),
  contacts: z.array(z.string().max(320)).max(10).optional(),
  software_id: z.string().max(200).optional(),
  software_version: z.string().max(100).optional(),
});

/** Seconds a response may be cached, from Cache-Control and Expires (RFC 9111 §4.2.1); 0 = don't. */
function cacheSeconds(response: IncomingMessage, options: Required<Pick<ClientMetadataDocumentOptions, 'minCacheSeconds' | 'maxCacheSeconds' | 'defaultCacheSeconds'>>, nowMs: number): number {
  const cacheControl = String(response.headers['cache-control'] ?? '').toLowerCase();
  if (/(^|,)\s*(no-store|no-cache)\b/.test(cacheControl)) return 0;
  const maxAge = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/.exec(cacheControl);
  let seconds = options.defaultCacheSeconds;
  if (maxAge) seconds = Number(maxAge[1]);
  else if (response.headers.expires) {
    const expires = Date.parse(response.headers.expires);
    if (!Number.isNaN(expires)) seconds = Math.floor((expires - nowMs) / 1000);
  }
  return Math.min(options.maxCacheSeconds, Math.max(options.minCacheSeconds, seconds));
}

/**
 * Resolves https client ids by fetching their metadata document (MCP Authorization "Client ID
 * Metadata Documents"): bounded in time and size, no redirects, never to a private address
 * (the address checked is the one connected to, so DNS rebinding cannot slip past), cached by
 * HTTP headers, one fetch in flight per URL.
 */
export function createClientMetadataDocumentResolver(options: ClientMetadataDocumentOptions = {}) {
  const settings = {
    timeoutMs: options.timeoutMs ?? 5000,
    maxBytes: options.maxBytes ?? 5 * 1024,
    minCacheSeconds: options.minCacheSeconds ?? 60,
    maxCacheSeconds: options.maxCacheSeconds ?? 86_400,
    defaultCacheSeconds: options.defaultCacheSeconds ?? 300,
    maxCacheEntries: options.maxCacheEntries ?? 1000,
  };
  const allowLoopback = options.dangerouslyAllowLoopback ?? false;
  const now = options.now ?? Date.now;
  const lookup = options.lookup ?? ((hostname, lookupOptions, callback) => dnsLookup(hostname, lookupOptions, callback));
  const cache = new Map<string, { record: ClientRecord; expiresAt: number }>();
  const inFlight = new Map<string, Promise<ClientRecord>>();

  /** Resolves the host to one checked address. */
  function resolveAddress(hostname: string): Promise<LookupAddress> {
    const bare = hostname.replace(/^\[|\]$/g, '');
    const literal = isIP(bare);
    const found: Promise<LookupAddress[]> = literal !== 0
      ? Promise.resolve([{ address: bare, family: literal }])
      : new Promise((resolve, reject) => lookup(bare, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
    return found.then(
      (addresses) => {
        if (addresses.length === 0) throw refuse('The client_id URL could not be resolved.', `no addresses for ${hostname}`);
        if (!allowLoopback && addresses.some((a) => isPrivateAddress(a.address))) {
          throw refuse('The client_id URL points to a private address.', `${hostname} resolves to a private address`);
        }
        return addresses[0]!;
      },
      (error: unknown) => {
        if (error instanceof OAuthError) throw error;
        throw refuse('The client_id URL could not be resolved.', `lookup ${hostname}: ${String(error)}`);
      },
    );
  }

  async function fetchDocument(clientId: string): Promise<{ body: string; response: IncomingMessage }> {
    const url = new URL(clientId);
    if (url.protocol === 'http:' && !(allowLoopback && isLoopbackHost(url.hostname))) {
      throw refuse('The client_id URL must use https.', 'http client id');
    }
    const address = await resolveAddress(url.hostname);
    const pinned: LookupFunction = (_host, lookupOptions, callback) => {
      if ((lookupOptions as { all?: boolean }).all) (callback as (e: null, a: LookupAddress[]) => void)(null, [address]);
      else callback(null, address.address, address.family);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(url, { method: 'GET', lookup: pinned, headers: { Accept: 'application/json' }, timeout: settings.timeoutMs });
      const timer = setTimeout(() => request.destroy(refuse('The client metadata document took too long to fetch.', `timeout after ${settings.timeoutMs} ms`)), settings.timeoutMs);
      request.on('timeout', () => request.destroy(refuse('The client metadata document took too long to fetch.', 'socket timeout')));
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error instanceof OAuthError ? error : refuse('The client metadata document could not be fetched.', String(error)));
      });
      request.on('response', (response) => {
        // The draft forbids following redirects: the document must live at the client_id URL.
        if (response.statusCode !== 200) {
          request.destroy(refuse('The client metadata document could not be fetched.', `status ${response.statusCode}`));
          return;
        }
        const type = String(response.headers['content-type'] ?? '');
        if (!/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type)) {
          request.destroy(refuse('The client metadata document is not JSON.', `content-type ${type.slice(0, 60)}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > settings.maxBytes) request.destroy(refuse('The client metadata document is too large.', `over ${settings.maxBytes} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ body: Buffer.concat(chunks).toString('utf8'), response });
        });
        response.on('error', (error) => request.destroy(error));
      });
      request.end();
    });
  }

  function toClientRecord(clientId: string, body: string): ClientRecord {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw refuse('The client metadata document is not valid JSON.', 'JSON parse failed');
    }
    if (typeof json === 'object' && json !== null && ('client_secret' in json || 'client_secret_expires_at' in json)) {
      throw refuse('A client metadata document must not contain a secret.', 'client_secret present');
    }
    const parsed = documentSchema.safeParse(json);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.filter((p) => typeof p === 'string').join('.') || 'the document';
      throw refuse(`The client metadata document is invalid (${field}).`, parsed.error.issues[0]?.message ?? '');
    }
    const document = parsed.data;
    // The document must name itself: client_id equal to the URL it was fetched from (§4.1).
    if (document.client_id !== clientId) throw refuse('The client metadata document names another client_id.', 'client_id mismatch');
    for (const uri of document.redirect_uris) {
      const problem = checkRedirectUri(uri);
      if (problem !== null) throw refuse('The client metadata document has a redirect URI that is not allowed.', problem);
    }
    const scope = document.scope === undefined ? null : parseScope(document.scope);
    if (document.scope !== undefined && scope === null) throw refuse('The client metadata document has a malformed scope.', 'scope');
    return {
      clientId,
      secretHash: null,
      tokenEndpointAuthMethod: 'none',
      redirectUris: document.redirect_uris,
      grantTypes: document.grant_types ?? ['authorization_code'],
      clientName: document.client_name ?? null,
      scope,
      metadata: document,
      source: 'dynamic',
      createdAt: Math.floor(now() / 1000),
    };
  }

  async function load(clientId: string): Promise<ClientRecord> {
    const { body, response } = await fetchDocument(clientId);
    const record = toClientRecord(clientId, body);
    const seconds = cacheSeconds(response, settings, now());
    if (seconds > 0) {
      if (cache.size >= settings.maxCacheEntries) cache.delete(cache.keys().next().value!);
      cache.set(clientId, { record, expiresAt: now() + seconds * 1000 });
    }
    return record;
  }

  return {
    async resolve(clientId: string): Promise<ClientRecord> {
      if (!isClientMetadataDocumentUrl(clientId, allowLoopback)) throw refuse('The client_id is not a valid metadata document URL.', 'not a CIMD URL');
      const cached = cache.get(clientId);
      if (cached !== undefined && cached.expiresAt > now()) return cached.record;
      const pending = inFlight.get(clientId);
      if (pending !== undefined) return pending;
      const loading = load(clientId).finally(() => inFlight.delete(clientId));
      inFlight.set(clientId, loading);
      return loading;
    },
  };
}
