import { type GatewaySettings, gatewaySettingsSchema } from '../resource/gateway-settings.js';
import { parseScopePolicy, scopesOfPolicy } from '../resource/scope-policy.js';
import type { ScopePolicy } from '../resource/types.js';
import { ConfigError, resolveServerConfig, type ServerConfig, type ServerSettings } from '../server/config.js';

/** Until the listener's port is known, the issuer that is checked is the one given or this loopback stand-in. */
const PROVISIONAL_ISSUER = 'http://127.0.0.1';

/**
 * Checks what `serve` was given by the rules the server and the gateway apply when they start,
 * before anything is created: a refused setting must not leave a database or a secret file
 * behind (fastify's initial-config-validation: validate first, then act). Throws ConfigError.
 */
export function checkServeSettings(options: {
  settings: Partial<ServerSettings>;
  host: string;
  issuer: string | undefined;
  gateway: GatewaySettings | undefined;
}): void {
  if (options.issuer === undefined) assertHostNeedsNoIssuer(options.host);
  const config = resolveServerConfig({ ...options.settings, issuer: options.issuer ?? PROVISIONAL_ISSUER });
  if (options.gateway !== undefined) checkGatewaySettings(options.gateway, config);
}

/**
 * Without `--issuer` the issuer is `http://HOST:PORT`, which only works for a loopback host: on
 * every interface there is no one address clients use.
 */
export function assertHostNeedsNoIssuer(host: string): void {
  if (host === '0.0.0.0' || host === '::') {
    throw new ConfigError(`listening on ${host} needs --issuer with the public https URL clients use (see README: behind a TLS proxy)`);
  }
}

/** The gateway section's own rules (its schema), before the server it fronts is known. Throws ConfigError. */
export function parseGatewaySettings(settings: GatewaySettings): GatewaySettings {
  const parsed = gatewaySettingsSchema.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`config gateway.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * The gateway section, checked against the server it fronts: every scope its policy requires must
 * be one the server offers, and the upstream-token header needs identity providers. Returns the
 * parsed settings and the policy. `serve` calls it before anything is created, and the serve
 * stack again when it builds the gateway: one rule, two moments.
 */
export function checkGatewaySettings(settings: GatewaySettings, config: ServerConfig): { settings: GatewaySettings; policy: ScopePolicy } {
  const parsed = parseGatewaySettings(settings);
  const policy = parseScopePolicy(parsed.scopes ?? { required: [...config.defaultScopes] });
  for (const scope of scopesOfPolicy(policy)) {
    if (!(scope in config.scopes)) throw new ConfigError(`gateway.scopes names "${scope}", which is not in scopes; add it there so clients can ask for it`);
  }
  if (parsed.upstreamTokenHeader !== undefined && config.federation === undefined) {
    throw new ConfigError('gateway.upstreamTokenHeader needs federation providers: only users signed in through one have an upstream token');
  }
  return { settings: parsed, policy };
}
