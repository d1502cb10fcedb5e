import { protectedResourceMetadataWellKnownUrls } from '../../core/well-known.js';
import type { Probe } from '../probe.js';
import { NotReachedError } from '../verdict.js';

/** Where a metadata document was looked for and what came back. */
export interface Attempt {
  readonly url: string;
  /** The status, or why there was none. */
  readonly outcome: number | string;
}

export interface ResourceMetadataFact {
  readonly url: URL;
  /** How the address was found: the challenge's `resource_metadata`, the path-inserted well-known URL, or the root one. */
  readonly source: 'challenge' | 'path-inserted' | 'root';
  readonly document: Readonly<Record<string, unknown>>;
  readonly attempts: readonly Attempt[];
}

/**
 * Finds the protected resource metadata as an MCP client does: the challenge's `resource_metadata`
 * first, then the well-known URL with the path inserted, then the root one.
 * @see RFC 9728 §3.1, §5.1; MCP Authorization (2026-07-28) "Protected Resource Metadata Discovery Requirements"
 */
export async function findResourceMetadata(probe: Probe): Promise<ResourceMetadataFact> {
  const challenge = await probe.fact('challenge');
  const candidates: { url: URL; source: ResourceMetadataFact['source'] }[] = [];
  const fromChallenge = challenge.bearer?.['resource_metadata'];
  if (fromChallenge !== undefined && URL.canParse(fromChallenge)) candidates.push({ url: new URL(fromChallenge), source: 'challenge' });
  const [pathInserted, root] = protectedResourceMetadataWellKnownUrls(probe.settings.target);
  if (root === undefined) candidates.push({ url: pathInserted!, source: 'root' });
  else candidates.push({ url: pathInserted!, source: 'path-inserted' }, { url: root, source: 'root' });

  const attempts: Attempt[] = [];
  for (const { url, source } of candidates) {
    if (attempts.some((attempt) => attempt.url === url.href)) continue;
    try {
      const response = await probe.fetch(url);
      attempts.push({ url: url.href, outcome: response.status });
      const document = response.json();
      if (response.status === 200 && isJsonObject(document)) return { url, source, document, attempts };
    } catch (error) {
      attempts.push({ url: url.href, outcome: (error as Error).message });
    }
  }
  throw new NotReachedError('resource-metadata', `no protected-resource metadata (tried ${attempts.map((a) => `${a.url}: ${a.outcome}`).join('; ')})`);
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
