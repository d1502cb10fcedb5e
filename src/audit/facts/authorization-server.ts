import { authorizationServerDiscoveryUrls } from '../../core/well-known.js';
import type { Probe } from '../probe.js';
import { NotReachedError } from '../verdict.js';
import { type Attempt, isJsonObject } from './resource-metadata.js';

export interface AuthorizationServerFact {
  /** The issuer named by the protected-resource metadata, as it was named. */
  readonly issuer: string;
  readonly metadataUrl: URL;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly attempts: readonly Attempt[];
}

/** A string member of the metadata, or undefined. */
export function metadataString(metadata: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = metadata[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The first authorization server of the protected-resource metadata, and its metadata, looked for
 * in the order MCP clients use.
 * @see MCP Authorization (2026-07-28) "Authorization Server Metadata Discovery"; RFC 8414 §3.1
 */
export async function findAuthorizationServer(probe: Probe): Promise<AuthorizationServerFact> {
  const { document } = await probe.fact('resourceMetadata');
  const servers = document['authorization_servers'];
  const issuer = Array.isArray(servers) ? servers.find((server): server is string => typeof server === 'string' && URL.canParse(server)) : undefined;
  if (issuer === undefined) throw new NotReachedError('as-metadata', 'the protected-resource metadata names no authorization server');
  const attempts: Attempt[] = [];
  for (const url of authorizationServerDiscoveryUrls(new URL(issuer))) {
    try {
      const response = await probe.fetch(url);
      attempts.push({ url: url.href, outcome: response.status });
      const metadata = response.json();
      if (response.status === 200 && isJsonObject(metadata)) return { issuer, metadataUrl: url, metadata, attempts };
    } catch (error) {
      attempts.push({ url: url.href, outcome: (error as Error).message });
    }
  }
  throw new NotReachedError('as-metadata', `no metadata for ${issuer} (tried ${attempts.map((a) => `${a.url}: ${a.outcome}`).join('; ')})`);
}
