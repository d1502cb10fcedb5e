import { lookup as systemLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { z } from 'zod';
import { OAuthError } from '../../core/errors.js';
import { isLoopbackHost } from '../../core/loopback.js';
import { checkRedirectUri } from '../../core/redirect-uri.js';
import { parseScope } from '../../core/scopes.js';
import type { ClientRecord } from '../../store/types.js';
import { isPrivateAddress } from './private-address.js';

/*
 * Client ID Metadata Documents: a client_id that is an https URL names a JSON document the client
 * hosts, and the authorization server fetches it instead of holding a registration.
 * Section numbers are those of draft-ietf-oauth-client-id-metadata-document-02, the revision the
 * MCP Authorization specification (2026-07-28, "Client Registration") points to.
 */

/** A DNS lookup with the shape of `node:dns` `lookup(hostname, { all: true }, callback)`. */
export type AddressLookup = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

export interface ClientMetadataDocumentOptions {
  /** The whole fetch, DNS included, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** The most response body read; more is an error (draft §8.7 recommends 5 KB). Default 5120. */
  maxBytes?: number;
  /** Bounds on how long a fetched document is cached, whatever its headers say (draft §5.2). */
  minCacheSeconds?: number;
  maxCacheSeconds?: number;
  /** How long to cache a document served without Cache-Control max-age or Expires. Default 300. */
  defaultCacheSeconds?: number;
  /** Documents kept in memory at most; the oldest is evicted first. Default 1000. */
  maxCacheEntries?: number;
  /**
   * DANGEROUS, for tests and local development only: allow http:// client ids on loopback hosts,
   * and fetching from loopback and private addresses. Draft §8.6 forbids this in production: an
   * attacker's client_id could make the server request its own internal services.
   */
  dangerouslyAllowLoopback?: boolean;
  /** Milliseconds clock, injected for tests. */
  now?: () => number;
  /** DNS lookup override for tests. */
  lookup?: AddressLookup;
}

export interface ClientMetadataDocumentResolver {
  /**
   * The client a metadata document URL describes, from the cache or fetched now.
   * Throws OAuthError `invalid_client` on any failure; its `detail` starts with a reason word
   * (`url`, `address`, `dns`, `timeout`, `fetch`, `redirect`, `status`, `content-type`, `size`,
   * `json`, `document`) and is for logs only.
   */
  resolve(clientId: string): Promise<ClientRecord>;
}

const MAX_URL_LENGTH = 2000;
/** RFC 3986 §2 characters, without `#`: no fragment, no spaces, no backslash the URL parser would turn into `/`. */
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=%]+$/;
/** scheme `://` non-empty authority, a path starting with `/`, an optional query. */
const URL_PARTS = /^(https?):\/\/([^/?]+)(\/[^?]*)(\?.*)?$/i;

function refuse(description: string, detail: string): OAuthError {
  return new OAuthError('invalid_client', description, { detail });
}

function isDotSegment(segment: string): boolean {
  const decoded = segment.replace(/%2e/gi, '.');
  return decoded === '.' || decoded === '..';
}

/**
 * Whether a client_id is a Client Identifier URL (draft §3): `https`, no userinfo, a path that is
 * not just `/`, no single-dot or double-dot segments (percent-encoded dots included, since the URL
 * parser resolves them too), no fragment. A query and a port are allowed.
 * `dangerouslyAllowLoopbackHttp` also accepts `http` on a loopback host (tests, local development).
 * @see draft-ietf-oauth-client-id-metadata-document-02 §3
 */
export function isClientMetadataDocumentUrl(clientId: string, dangerouslyAllowLoopbackHttp = false): boolean {
  if (clientId.length > MAX_URL_LENGTH || !URI_CHARACTERS.test(clientId)) return false;
  if (/%(?![0-9A-Fa-f]{2})/.test(clientId)) return false;
  const parts = URL_PARTS.exec(clientId);
  if (parts === null) return false;
  const authority = parts[2]!;
  const path = parts[3]!;
  if (authority.includes('@')) return false;
  if (path === '/' || path.split('/').some(isDotSegment)) return false;
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return false;
  }
  if (url.hostname === '') return false;
  if (url.protocol === 'https:') return true;
  return dangerouslyAllowLoopbackHttp && url.protocol === 'http:' && isLoopbackHost(url.hostname);
}

// Special-use ranges of RFC 6890 that isPrivateAddress does not list (IETF protocol assignments
// incl. Teredo and ORCHID, the 6to4 relay anycast), and IPv4-compatible IPv6 (::a.b.c.d).
// Two lists because a BlockList matches IPv4 addresses against IPv6 rules through their mapped form.
const moreSpecialV4 = new BlockList();
moreSpecialV4.addSubnet('192.88.99.0', 24, 'ipv4');
const moreSpecialV6 = new BlockList();
moreSpecialV6.addSubnet('2001::', 23, 'ipv6');
moreSpecialV6.addSubnet('::', 96, 'ipv6');

/** Whether a fetch must never go to this address: loopback, private, link-local, CGNAT, multicast, … */
function isSpecialUseAddress(address: string): boolean {
  if (isPrivateAddress(address)) return true;
  const family = isIP(address);
  return family === 4 ? moreSpecialV4.check(address, 'ipv4') : moreSpecialV6.check(address, 'ipv6');
}

function isLoopbackAddress(address: string): boolean {
  return /^(?:::ffff:)?127\./i.test(address) || address === '::1';
}

/** Media types that are JSON: `application/json` and `application/<anything>+json` (draft §4; RFC 6839 §3.1). */
function isJsonContentType(value: string | undefined): boolean {
  return /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json[\t ]*(?:;|$)/i.test(value ?? '');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Seconds a document may be cached, or null when it must not be (RFC 9111 §4.2.1): `no-store`
 * (§5.2.2.5) and `no-cache` (§5.2.2.4) mean never; else `max-age` (§5.2.2.1), else `Expires`
 * against `Date` (§5.3; an invalid date is in the past), minus `Age` (§5.1); else the default.
 * The result is clamped to the configured bounds, as draft §5.2 allows.
 */
function cacheLifetimeSeconds(
  headers: IncomingHttpHeaders,
  nowMs: number,
  bounds: { minCacheSeconds: number; maxCacheSeconds: number; defaultCacheSeconds: number },
): number | null {
  const directives = new Map<string, string>();
  for (const part of (header(headers, 'cache-control') ?? '').split(',')) {
    const [name = '', value = ''] = part.split('=', 2).map((s) => s.trim());
    if (name !== '') directives.set(name.toLowerCase(), value.replace(/^"|"$/g, ''));
  }
  if (directives.has('no-store') || directives.has('no-cache')) return null;
  let lifetime: number;
  const maxAge = directives.get('max-age');
  const expires = header(headers, 'expires');
  if (maxAge !== undefined) {
    lifetime = /^\d+$/.test(maxAge) ? Number(maxAge) : 0;
  } else if (expires !== undefined) {
    const expiresAt = Date.parse(expires);
    const dateValue = Date.parse(header(headers, 'date') ?? '');
    lifetime = Number.isNaN(expiresAt) ? 0 : Math.floor((expiresAt - (Number.isNaN(dateValue) ? nowMs : dateValue)) / 1000);
  } else {
    lifetime = bounds.defaultCacheSeconds;
  }
  if (maxAge !== undefined || expires !== undefined) {
    const age = header(headers, 'age');
    if (age !== undefined && /^\d+$/.test(age)) lifetime -= Number(age);
  }
  return Math.min(bounds.maxCacheSeconds, Math.max(bounds.minCacheSeconds, lifetime));
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

// Links shown to users must not be `javascript:` or the like (draft §8.6, last paragraph).
const httpsUri = z.string().max(MAX_URL_LENGTH).refine(isHttpsUrl, 'must be an https URL');

/**
 * The client metadata a document may carry (RFC 7591 §2, draft §4). Unknown fields are dropped.
 * Only public clients: `token_endpoint_auth_method` is `none` when present, because key-based
 * client authentication (draft §8.2) is not supported yet.
 */
const documentSchema = z.object({
  client_id: z.string().max(MAX_URL_LENGTH),
  redirect_uris: z.array(z.string().max(MAX_URL_LENGTH)).min(1).max(20),
  token_endpoint_auth_method: z.literal('none').optional(),
  grant_types: z.array(z.enum(['authorization_code', 'refresh_token'])).min(1).optional(),
  response_types: z.array(z.literal('code')).min(1).optional(),
  client_name: z.string().min(1).max(200).optional(),
  client_uri: httpsUri.optional(),
  logo_uri: httpsUri.optional(),
  tos_uri: httpsUri.optional(),
  policy_uri: httpsUri.optional(),
  scope: z.string().max(1000).optional(),
  contacts: z.array(z.string().max(320)).max(10).optional(),
  software_id: z.string().max(200).optional(),
  software_version: z.string().max(100).optional(),
});

/** Whether a JWK Set holds private key material: `d` (RSA, EC, OKP) or `k` (symmetric). */
function holdsPrivateKey(jwks: unknown): boolean {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) return false;
  return ((jwks as { keys: unknown[] }).keys).some((key) => typeof key === 'object' && key !== null && ('d' in key || 'k' in key));
}

/**
 * Validates a fetched document and turns it into the client it describes.
 * @see draft-ietf-oauth-client-id-metadata-document-02 §4, §4.1
 */
function clientFromMetadataDocument(clientId: string, body: string, nowSeconds: number): ClientRecord {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw refuse('The client metadata document is not valid JSON.', 'json: parse failed');
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    // §4.1: no shared secret can exist with a public document, and no private key may be published.
    if ('client_secret' in json || 'client_secret_expires_at' in json) {
      throw refuse('The client metadata document must not contain a client secret.', 'document: client_secret present');
    }
    if (holdsPrivateKey((json as { jwks?: unknown }).jwks)) {
      throw refuse('The client metadata document must not contain private key material.', 'document: private key in jwks');
    }
  }
  const parsed = documentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.find((p): p is string => typeof p === 'string') ?? 'the document';
    throw refuse(`The client metadata document is invalid: ${field} is missing or not allowed.`, `document: ${field}: ${issue?.message ?? ''}`);
  }
  const document = parsed.data;
  // §4: client_id must equal the URL it was fetched from, by simple string comparison (RFC 3986 §6.2.1).
  if (document.client_id !== clientId) {
    throw refuse("The client metadata document's client_id does not match its URL.", 'document: client_id mismatch');
  }
  // §4.2 and RFC 9700 §4.1.1: redirect URIs are registered by the document; they obey invariant 3.
  for (const uri of document.redirect_uris) {
    const problem = checkRedirectUri(uri);
    if (problem !== null) throw refuse(`The client metadata document lists a redirect URI that is not allowed (${problem}).`, `document: redirect_uris: ${problem}`);
  }
  let scope: string[] | null = null;
  if (document.scope !== undefined) {
    scope = parseScope(document.scope);
    if (scope === null) throw refuse('The client metadata document has a malformed scope.', 'document: scope');
  }
  return {
    clientId,
    secretHash: null,
    tokenEndpointAuthMethod: 'none',
    redirectUris: document.redirect_uris,
    // RFC 7591 §2: grant_types defaults to authorization_code.
    grantTypes: document.grant_types ?? ['authorization_code'],
    clientName: document.client_name ?? null,
    scope,
    metadata: { ...document },
    source: 'dynamic',
    createdAt: nowSeconds,
  };
}

const timedOut = (timeoutMs: number) => refuse('Fetching the client metadata document took too long.', `timeout: after ${timeoutMs} ms`);

/** A promise that rejects with `onAbort()` once `signal` aborts, whatever `work` does. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, onAbort: () => OAuthError): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

/** A lookup that answers with the address already checked, so the connection cannot go elsewhere. */
function pinnedLookup(address: LookupAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all === true) callback(null, [address]);
    else callback(null, address.address, address.family);
  };
}

/** Refuses a response before its body is read: §5 (200 only, no redirects), §4 (JSON), §8.7 (size). */
function checkResponseHead(response: IncomingMessage, maxBytes: number): OAuthError | null {
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    return refuse('The client_id URL answered with a redirect, which is not followed.', `redirect: status ${status}`);
  }
  if (status !== 200) return refuse('The client metadata document could not be fetched.', `status: ${status}`);
  const type = header(response.headers, 'content-type');
  if (!isJsonContentType(type)) {
    return refuse('The client metadata document is not served as JSON.', `content-type: ${(type ?? 'none').slice(0, 80)}`);
  }
  const length = Number(header(response.headers, 'content-length') ?? '0');
  if (length > maxBytes) return refuse('The client metadata document is too large.', `size: content-length ${length} > ${maxBytes}`);
  return null;
}

interface FetchedDocument {
  body: string;
  headers: IncomingHttpHeaders;
}

/** One GET to the pinned address, reading at most `maxBytes`; settles once, on the first outcome. */
function getDocument(url: URL, address: LookupAddress, maxBytes: number, signal: AbortSignal, onAbort: () => OAuthError): Promise<FetchedDocument> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // agent: false — a fresh connection every time, never a pooled socket resolved some other way.
    const request = send(url, {
      method: 'GET',
      agent: false,
      lookup: pinnedLookup(address),
      headers: { accept: 'application/json', 'accept-encoding': 'identity', 'user-agent': 'portcullis' },
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', abort);
      outcome();
    };
    const fail = (error: OAuthError) => settle(() => {
      request.destroy();
      reject(error);
    });
    const abort = () => fail(onAbort());
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    request.on('error', (error) => fail(refuse('The client metadata document could not be fetched.', `fetch: ${error.message}`)));
    request.on('response', (response) => {
      response.on('error', (error) => fail(refuse('The client metadata document could not be fetched.', `fetch: ${error.message}`)));
      const problem = checkResponseHead(response, maxBytes);
      if (problem !== null) return fail(problem);
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // §8.7: stop reading at the limit rather than buffer whatever the client serves.
        if (size > maxBytes) fail(refuse('The client metadata document is too large.', `size: over ${maxBytes} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        let body: string;
        try {
          // RFC 8259 §8.1: JSON between systems is UTF-8.
          body = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
        } catch {
          return fail(refuse('The client metadata document is not valid JSON.', 'json: not UTF-8'));
        }
        settle(() => resolve({ body, headers: response.headers }));
      });
      response.on('close', () => {
        if (!response.complete) fail(refuse('The client metadata document could not be fetched.', 'fetch: connection closed early'));
      });
    });
    request.end();
  });
}

interface CacheEntry {
  record: ClientRecord;
  expiresAt: number;
}

/**
 * Resolves Client ID Metadata Document URLs to clients (MCP Authorization 2026-07-28, "Client ID
 * Metadata Documents"; draft §5). Each fetch is bounded in time (DNS included) and size, follows no
 * redirect, and goes only to public addresses: the host's addresses are checked, and the connection
 * is made to the checked address, so DNS rebinding between check and connect is impossible
 * (draft §8.6). Valid documents are cached by their HTTP headers within bounds; failures are not
 * (§5.2). Concurrent resolves of one URL share one fetch.
 * @see draft-ietf-oauth-client-id-metadata-document-02 §5, §8.6, §8.7
 */
export function createClientMetadataDocumentResolver(options: ClientMetadataDocumentOptions = {}): ClientMetadataDocumentResolver {
  const settings = Object.freeze({
    timeoutMs: options.timeoutMs ?? 5000,
    maxBytes: options.maxBytes ?? 5 * 1024,
    minCacheSeconds: options.minCacheSeconds ?? 60,
    maxCacheSeconds: options.maxCacheSeconds ?? 86_400,
    defaultCacheSeconds: options.defaultCacheSeconds ?? 300,
    maxCacheEntries: options.maxCacheEntries ?? 1000,
  });
  for (const [name, value] of Object.entries(settings)) {
    const least = name === 'timeoutMs' || name === 'maxBytes' ? 1 : 0;
    if (!Number.isSafeInteger(value) || value < least) throw new RangeError(`${name} must be an integer of at least ${least}`);
  }
  if (settings.minCacheSeconds > settings.maxCacheSeconds) throw new RangeError('minCacheSeconds must not exceed maxCacheSeconds');
  const allowLoopback = options.dangerouslyAllowLoopback === true;
  const now = options.now ?? Date.now;
  const lookup: AddressLookup = options.lookup ?? ((hostname, lookupOptions, callback) => systemLookup(hostname, lookupOptions, callback));
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<ClientRecord>>();

  function lookupAll(hostname: string): Promise<LookupAddress[]> {
    return new Promise((resolve, reject) => {
      lookup(hostname, { all: true }, (error, addresses) => {
        if (error !== null) reject(refuse("The client_id URL's host could not be resolved.", `dns: ${hostname}: ${error.code ?? error.message}`));
        else resolve(addresses);
      });
    });
  }

  /** The address to connect to, after checking every address the host has (draft §8.6). */
  async function checkedAddress(url: URL): Promise<LookupAddress> {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const family = isIP(host);
    const addresses = family !== 0 ? [{ address: host, family }] : await lookupAll(host);
    if (addresses.length === 0) throw refuse("The client_id URL's host could not be resolved.", `dns: ${host}: no addresses`);
    for (const { address } of addresses) {
      // http is only ever allowed (under the dangerous switch) to this machine itself.
      const refused = url.protocol === 'http:' ? !isLoopbackAddress(address) : !allowLoopback && isSpecialUseAddress(address);
      if (refused) throw refuse('The client_id URL does not point to a public address.', `address: ${host} -> ${address}`);
    }
    return addresses[0]!;
  }

  async function load(clientId: string): Promise<ClientRecord> {
    const url = new URL(clientId);
    // One deadline for DNS, connection and body, so a slow or silent host cannot hold a request
    // (MCP Authorization "Authorization Server Abuse Protection"; draft §8.6, §8.7).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
    const onAbort = () => timedOut(settings.timeoutMs);
    try {
      const address = await untilAborted(checkedAddress(url), controller.signal, onAbort);
      const { body, headers } = await getDocument(url, address, settings.maxBytes, controller.signal, onAbort);
      const record = clientFromMetadataDocument(clientId, body, Math.floor(now() / 1000));
      remember(clientId, record, cacheLifetimeSeconds(headers, now(), settings));
      return record;
    } finally {
      clearTimeout(timer);
    }
  }

  function remember(clientId: string, record: ClientRecord, seconds: number | null): void {
    cache.delete(clientId);
    if (seconds === null || settings.maxCacheEntries === 0) return;
    while (cache.size >= settings.maxCacheEntries) cache.delete(cache.keys().next().value!);
    cache.set(clientId, { record, expiresAt: now() + seconds * 1000 });
  }

  function cached(clientId: string): ClientRecord | undefined {
    const entry = cache.get(clientId);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > now()) return entry.record;
    cache.delete(clientId);
    return undefined;
  }

  return {
    async resolve(clientId) {
      if (!isClientMetadataDocumentUrl(clientId, allowLoopback)) {
        throw refuse('The client_id is not a valid client metadata document URL.', 'url: not a Client Identifier URL (draft §3)');
      }
      const hit = cached(clientId);
      // Callers get their own copy: nothing they change reaches the cache or another caller.
      if (hit !== undefined) return structuredClone(hit);
      let pending = inFlight.get(clientId);
      if (pending === undefined) {
        pending = load(clientId).finally(() => inFlight.delete(clientId));
        inFlight.set(clientId, pending);
      }
      return structuredClone(await pending);
    },
  };
}
