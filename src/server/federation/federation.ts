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

/** An upstream identity provider as an operator registers Portcullis at it. */
export interface IdentityProviderRegistration {
  readonly id: string;
  readonly name: string;
  /** The redirect URI to register at the provider for Portcullis's client. */
  readonly callbackUrl: string;
}

/** What to register at each configured provider; empty without federation. */
export function identityProviderRegistrations(federation: Federation | undefined): readonly IdentityProviderRegistration[] {
  if (federation === undefined) return [];
  return Object.freeze([...federation.providers.values()].map((p) => Object.freeze({ id: p.config.id, name: p.config.name, callbackUrl: p.callbackUrl })));
}
