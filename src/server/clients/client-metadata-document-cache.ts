import type { ClientRecord } from '../../store/types.js';

/** Bounds on how long a fetched document is cached, whatever its headers say (draft §5.2). */
export interface CacheLifetimeBounds {
  readonly minCacheSeconds: number;
  readonly maxCacheSeconds: number;
  /** For a document served without Cache-Control max-age or Expires. */
  readonly defaultCacheSeconds: number;
}

/**
 * Seconds a document may be cached, or null when it must not be (RFC 9111 §4.2.1): `no-store`
 * (§5.2.2.5) and `no-cache` (§5.2.2.4) mean never; else `max-age` (§5.2.2.1), else `Expires`
 * against `Date` (§5.3; an invalid date is in the past), minus `Age` (§5.1); else the default.
 * The result is clamped to the configured bounds, as draft §5.2 allows. `header` reads a response
 * header by lower-case name.
 * @see RFC 9111 §4.2.1; draft-ietf-oauth-client-id-metadata-document-02 §5.2
 */
export function cacheLifetimeSeconds(header: (name: string) => string | undefined, nowMs: number, bounds: CacheLifetimeBounds): number | null {
  const directives = new Map<string, string>();
  for (const part of (header('cache-control') ?? '').split(',')) {
    const [name = '', value = ''] = part.split('=', 2).map((s) => s.trim());
    if (name !== '') directives.set(name.toLowerCase(), value.replace(/^"|"$/g, ''));
  }
  if (directives.has('no-store') || directives.has('no-cache')) return null;
  let lifetime: number;
  const maxAge = directives.get('max-age');
  const expires = header('expires');
  if (maxAge !== undefined) {
    lifetime = /^\d+$/.test(maxAge) ? Number(maxAge) : 0;
  } else if (expires !== undefined) {
    const expiresAt = Date.parse(expires);
    const dateValue = Date.parse(header('date') ?? '');
    lifetime = Number.isNaN(expiresAt) ? 0 : Math.floor((expiresAt - (Number.isNaN(dateValue) ? nowMs : dateValue)) / 1000);
  } else {
    lifetime = bounds.defaultCacheSeconds;
  }
  if (maxAge !== undefined || expires !== undefined) {
    const age = header('age');
    if (age !== undefined && /^\d+$/.test(age)) lifetime -= Number(age);
  }
  return Math.min(bounds.maxCacheSeconds, Math.max(bounds.minCacheSeconds, lifetime));
}

/** Clients from valid documents, each until its cache lifetime ends. */
export interface ClientMetadataDocumentCache {
  /** The cached client of `clientId`, while its lifetime lasts. */
  get(clientId: string): ClientRecord | undefined;
  /** Caches `record` for `seconds`; null (must not be cached) only forgets what was there. */
  remember(clientId: string, record: ClientRecord, seconds: number | null): void;
}

/** A cache of at most `maxEntries` clients (0: none); when full, the oldest entry is evicted first. */
export function createClientMetadataDocumentCache(maxEntries: number, now: () => number): ClientMetadataDocumentCache {
  const entries = new Map<string, { record: ClientRecord; expiresAt: number }>();
  return {
    get(clientId) {
      const entry = entries.get(clientId);
      if (entry === undefined) return undefined;
      if (entry.expiresAt > now()) return entry.record;
      entries.delete(clientId);
      return undefined;
    },
    remember(clientId, record, seconds) {
      entries.delete(clientId);
      if (seconds === null || maxEntries === 0) return;
      while (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(clientId, { record, expiresAt: now() + seconds * 1000 });
    },
  };
}
