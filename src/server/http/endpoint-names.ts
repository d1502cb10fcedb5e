import type { EndpointName } from '../../metrics/endpoint-name.js';
import type { ServerPaths } from '../paths.js';

/** Where `/healthz` and `/readyz` are: at the listener's root, where an orchestrator probes, whatever the issuer's path. */
export const HEALTH_PATHS = { healthz: '/healthz', readyz: '/readyz' } as const;

/**
 * The metrics name of the route a path belongs to: each endpoint's exact path, and the federation
 * callbacks (`…/federation/<provider>/callback`) as `login`, of which they are a step. Anything else
 * is `other`: the path itself never becomes a label.
 */
export function endpointNames(paths: ServerPaths, resources: readonly { readonly uri: string }[]): (path: string) => EndpointName {
  const exact = new Map<string, EndpointName>([
    [paths.token, 'token'],
    [paths.authorize, 'authorize'],
    [paths.login, 'login'],
    [paths.consent, 'consent'],
    [paths.register, 'register'],
    [paths.revoke, 'revoke'],
    [paths.introspect, 'introspect'],
    [paths.jwks, 'jwks'],
    [paths.authorizationServerMetadata, 'metadata'],
    [HEALTH_PATHS.healthz, 'health'],
    [HEALTH_PATHS.readyz, 'health'],
  ]);
  for (const path of paths.protectedResourceMetadata(resources).keys()) exact.set(path, 'metadata');
  const federationPrefix = `${paths.base}/federation/`;
  return (path) => exact.get(path) ?? (path.startsWith(federationPrefix) && path.endsWith('/callback') ? 'login' : 'other');
}
