import { hashSecret } from '../core/secrets.js';
import type { VerifiedIdentity } from './types.js';

/** Bounds of the verified-token cache. */
export interface VerifiedTokenCacheOptions {
  /**
   * The longest a verified token is trusted without asking again, in seconds. This is the bound on
   * how long a revoked token keeps working at this resource (the revocation check runs on a cache
   * miss only). Default 30; 0 disables the cache.
   */
  maxSeconds?: number;
  /** How many verified tokens are kept; the oldest is evicted first. Default 10,000. */
  maxEntries?: number;
  /**
   * Told of each request's lookup, for metrics: `hit` when a trusted entry answered it, false when
   * the token had to be verified (or joined a verification under way). Once per request: `peek`
   * tells only its hits, since a miss there is followed by `getOrVerify`.
   */
  onLookup?: (hit: boolean) => void;
}

export const DEFAULT_CACHE_MAX_SECONDS = 30;
export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

/** RFC 6750 §2.1 `b64token`: the only tokens the cache keeps (see `peek`). */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

interface Entry {
  identity: VerifiedIdentity;
  /** Milliseconds since the epoch after which the entry is not used. */
  until: number;
}

/** Verified tokens by the SHA-256 of the token, so the cache holds no usable token. */
export interface VerifiedTokenCache {
  /**
   * The cached identity for `token`, or the result of `verify()`, which is cached until
   * min(`trustedUntilMs` it returns, now + maxSeconds). Concurrent calls for one uncached token
   * share one `verify()`. A rejection is never cached.
   */
  getOrVerify(token: string, verify: () => Promise<{ identity: VerifiedIdentity; trustedUntilMs: number }>): Promise<VerifiedIdentity>;
  /**
   * The cached identity for `token` if it is still trusted, synchronously (one SHA-256 and a Map
   * lookup); undefined otherwise. Only RFC 6750 b64tokens are ever cached, so a hit also means the
   * token is well-formed Bearer credentials.
   */
  peek(token: string): VerifiedIdentity | undefined;
}

/**
 * Bounded cache of verified access tokens, so steady traffic does not pay a signature check or an
 * introspection call per request (docs/design.md "Performance"). Failures are not cached (no negative
 * cache): a forger can vary the token at will, so remembering failures saves nothing, and a
 * transient failure (JWKS unreachable) must not outlive its cause.
 *
 * Keyed by the token's SHA-256 rather than the token: a heap dump or a debugger shows no usable
 * token. It costs next to nothing over a Map keyed by the raw string, since V8 has to hash every
 * new header string anyway (~0.7 µs for either on a ~520-character token).
 */
export function createVerifiedTokenCache(options: VerifiedTokenCacheOptions & { now: () => number }): VerifiedTokenCache {
  const maxMs = (options.maxSeconds ?? DEFAULT_CACHE_MAX_SECONDS) * 1000;
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES;
  if (!(maxMs >= 0) || !Number.isInteger(maxEntries) || maxEntries < 0) throw new TypeError('cache.maxSeconds and cache.maxEntries must be non-negative');
  const { now, onLookup } = options;
  // A Map iterates in insertion order, so its first key is the oldest entry.
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<VerifiedIdentity>>();

  function store(token: string, key: string, identity: VerifiedIdentity, trustedUntilMs: number): void {
    const until = Math.min(trustedUntilMs, now() + maxMs);
    if (maxMs === 0 || maxEntries === 0 || until <= now() || !B64TOKEN.test(token)) return;
    entries.delete(key);
    while (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
    entries.set(key, { identity, until });
  }

  /** The live entry's identity; a lapsed entry is dropped. */
  function lookup(key: string): VerifiedIdentity | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (now() < entry.until) return entry.identity;
    entries.delete(key);
    return undefined;
  }

  return {
    getOrVerify(token, verify) {
      const key = hashSecret(token);
      const cached = lookup(key);
      onLookup?.(cached !== undefined);
      if (cached !== undefined) return Promise.resolve(cached);
      const inFlight = pending.get(key);
      if (inFlight !== undefined) return inFlight;
      const result = verify().then(
        ({ identity, trustedUntilMs }) => {
          pending.delete(key);
          store(token, key, identity, trustedUntilMs);
          return identity;
        },
        (error: unknown) => {
          pending.delete(key);
          throw error;
        },
      );
      pending.set(key, result);
      return result;
    },
    peek(token) {
      const identity = entries.size === 0 ? undefined : lookup(hashSecret(token));
      if (identity !== undefined) onLookup?.(true);
      return identity;
    },
  };
}
