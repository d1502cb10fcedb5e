import { isLoopbackHost } from './loopback.js';

/** The OpenID Connect client types a registration names (OIDC Dynamic Client Registration 1.0 §2). */
export type ApplicationType = 'native' | 'web';

/**
 * The `application_type` a client registers with, derived from its redirect URI: a loopback
 * address or a private-use scheme is a native app (RFC 8252 §7.1, §7.3), an https URI on a host
 * other than this machine is a web app. OIDC Registration §2 allows web clients only https
 * redirects not on `localhost`, and native clients only loopback http or custom schemes, so an
 * https redirect to a loopback host is native too.
 * @see MCP Authorization (2026-07-28) "Client Registration" (clients MUST send an appropriate `application_type`); OpenID Connect Dynamic Client Registration 1.0 §2
 */
export function applicationTypeForRedirectUri(redirectUri: string): ApplicationType {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return 'native';
  }
  if (url.protocol === 'https:' && !isLoopbackHost(url.hostname)) return 'web';
  return 'native';
}
