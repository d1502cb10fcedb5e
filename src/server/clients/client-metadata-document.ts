import { lookup as systemLookup } from 'node:dns';
import type { ClientRecord } from '../../store/types.js';
import { cacheLifetimeSeconds, createClientMetadataDocumentCache } from './client-metadata-document-cache.js';
import { type AddressLookup, fetchClientMetadataDocument } from './client-metadata-document-fetch.js';
import { metadataDocumentRefusal } from './client-metadata-document-refusal.js';
import { isClientMetadataDocumentUrl } from './client-metadata-document-url.js';
import { clientFromMetadataDocument } from './client-metadata-document-validation.js';

/*
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-02; MCP Authorization
 * 2026-07-28, "Client ID Metadata Documents"), one concern per file: which client_ids are
 * document URLs (-url.ts), the fetch and its address guard (-fetch.ts, private-address.ts), how
 * long a document is cached (-cache.ts), what a document may say (-validation.ts,
 * client-metadata-schema.ts). This file puts them together.
 */

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
   * (client-metadata-document-refusal.ts) and is for logs only.
   */
  resolve(clientId: string): Promise<ClientRecord>;
}

/** The numeric options with their defaults; throws RangeError on limits that make no sense. */
function resolverLimits(options: ClientMetadataDocumentOptions) {
  const limits = Object.freeze({
    timeoutMs: options.timeoutMs ?? 5000,
    maxBytes: options.maxBytes ?? 5 * 1024,
    minCacheSeconds: options.minCacheSeconds ?? 60,
    maxCacheSeconds: options.maxCacheSeconds ?? 86_400,
    defaultCacheSeconds: options.defaultCacheSeconds ?? 300,
    maxCacheEntries: options.maxCacheEntries ?? 1000,
  });
  for (const [name, value] of Object.entries(limits)) {
    const least = name === 'timeoutMs' || name === 'maxBytes' ? 1 : 0;
    if (!Number.isSafeInteger(value) || value < least) throw new RangeError(`${name} must be an integer of at least ${least}`);
  }
  if (limits.minCacheSeconds > limits.maxCacheSeconds) throw new RangeError('minCacheSeconds must not exceed maxCacheSeconds');
  return limits;
}

/**
 * Resolves Client ID Metadata Document URLs to clients (draft §5): fetched with the guards of
 * client-metadata-document-fetch.ts, validated, and cached by their HTTP headers within bounds;
 * failures are not cached (§5.2). Concurrent resolves of one URL share one fetch.
 * @see draft-ietf-oauth-client-id-metadata-document-02 §5, §8.6, §8.7
 */
export function createClientMetadataDocumentResolver(options: ClientMetadataDocumentOptions = {}): ClientMetadataDocumentResolver {
  const limits = resolverLimits(options);
  const allowLoopback = options.dangerouslyAllowLoopback === true;
  const now = options.now ?? Date.now;
  const lookup: AddressLookup = options.lookup ?? ((hostname, lookupOptions, callback) => systemLookup(hostname, lookupOptions, callback));
  const cache = createClientMetadataDocumentCache(limits.maxCacheEntries, now);
  const inFlight = new Map<string, Promise<ClientRecord>>();

  async function load(clientId: string): Promise<ClientRecord> {
    const { body, header } = await fetchClientMetadataDocument(new URL(clientId), {
      timeoutMs: limits.timeoutMs,
      maxBytes: limits.maxBytes,
      allowLoopback,
      lookup,
    });
    const record = clientFromMetadataDocument(clientId, body, Math.floor(now() / 1000));
    cache.remember(clientId, record, cacheLifetimeSeconds(header, now(), limits));
    return record;
  }

  return {
    async resolve(clientId) {
      if (!isClientMetadataDocumentUrl(clientId, allowLoopback)) {
        throw metadataDocumentRefusal('The client_id is not a valid client metadata document URL.', 'url: not a Client Identifier URL (draft §3)');
      }
      const hit = cache.get(clientId);
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
