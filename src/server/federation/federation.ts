import type { ServerPaths } from '../paths.js';
import { createUpstreamProvider, type UpstreamProvider } from './upstream-provider.js';
import type { FederationConfig } from './upstream-settings.js';

/** The configured upstream providers, ready to use. */
export interface Federation {
  /** Whether the username and password form is offered next to the providers. */
  readonly localUsers: boolean;
  readonly providers: ReadonlyMap<string, UpstreamProvider>;
}

/** The callback registered at each provider: one per provider (RFC 9700 §4.4.2.2, mix-up defence). */
export function federationCallbackUrl(issuerUrl: URL, paths: ServerPaths, providerId: string): string {
  return `${issuerUrl.origin}${paths.federationCallback(providerId)}`;
}

export function createFederation(config: FederationConfig, issuerUrl: URL, paths: ServerPaths, now: () => number): Federation {
  const providers = new Map<string, UpstreamProvider>();
  for (const provider of config.providers) {
    providers.set(provider.id, createUpstreamProvider(provider, federationCallbackUrl(issuerUrl, paths, provider.id), now));
  }
  return { localUsers: config.localUsers, providers };
}
