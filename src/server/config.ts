import { z } from 'zod';
import { isHttpsOrLoopbackHttp } from '../core/plain-http.js';
import { canonicalResource, parseResourceIndicator } from '../core/resource-uri.js';
import { parseScope } from '../core/scopes.js';
import { type FederationConfig, federationSettingsSchema, resolveFederationConfig } from './federation/upstream-settings.js';

const scopeToken = z.string().refine((s) => parseScope(s)?.length === 1, 'a single scope token');

/** What an operator can set, in the config file or through CLI flags. */
export const serverSettingsSchema = z
  .object({
    issuer: z.string(),
    /** Resources (RFC 8707) this server issues tokens for. Default: one, `<issuer>/mcp`. */
    resources: z
      .array(z.object({ uri: z.string(), name: z.string().optional() }).strict())
      .min(1)
      .optional(),
    /** Scope name → description shown on the consent page. */
    scopes: z.record(scopeToken, z.string()).optional(),
    /** Scopes granted when a client asks for none. */
    defaultScopes: z.array(scopeToken).optional(),
    accessTokenTtlSeconds: z.number().int().min(30).max(86_400).optional(),
    refreshTokenTtlSeconds: z.number().int().min(60).max(31_536_000).optional(),
    sessionTtlSeconds: z.number().int().min(60).max(2_592_000).optional(),
    registration: z
      .object({
        enabled: z.boolean().optional(),
        /** Registrations allowed per client address per hour. */
        perAddressPerHour: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    clientMetadataDocuments: z
      .object({
        enabled: z.boolean().optional(),
        /** DANGEROUS: accept http:// client ids and loopback/private addresses. Local testing only. */
        dangerouslyAllowLoopback: z.boolean().optional(),
      })
      .strict()
      .optional(),
    login: z
      .object({
        /** Failed attempts per username and address in 15 minutes before refusing. */
        maxFailuresPerUser: z.number().int().min(1).optional(),
        /** Failed attempts per address in 15 minutes before refusing. */
        maxFailuresPerAddress: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
    /** Read the client address from X-Forwarded-For (set only behind a proxy you run). */
    trustProxy: z.boolean().optional(),
    /** On SIGTERM or SIGINT, how long requests being answered may take to finish before they are cut (`serve`). */
    shutdownTimeoutSeconds: z.number().min(0).max(3600).optional(),
    /**
     * How often each instance re-reads the signing keys (default 60 s). A rotated key signs from
     * two periods after the rotation, once every instance publishes it (signing-keys.ts).
     */
    signingKeys: z
      .object({ reloadSeconds: z.number().int().min(1).max(3600).optional() })
      .strict()
      .optional(),
    /** The security event trail (`portcullis events`): days an event is kept (default 90). */
    securityEvents: z
      .object({ retentionDays: z.number().int().min(1).max(3650).optional() })
      .strict()
      .optional(),
    /**
     * Where rate limits are counted: the database by default (shared by every instance on it), or
     * a Redis server (`redis://…`; a password in it is never logged).
     */
    rateLimits: z
      .object({
        redis: z
          .string()
          .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
          .optional(),
      })
      .strict()
      .optional(),
    /** Sign users in through upstream identity providers (docs/federation.md). */
    federation: federationSettingsSchema.optional(),
  })
  .strict();

export type ServerSettings = z.input<typeof serverSettingsSchema>;

export interface ResourceConfig {
  readonly uri: string;
  readonly name: string;
}

/** Validated, defaulted and frozen configuration. */
export interface ServerConfig {
  readonly issuer: string;
  readonly issuerUrl: URL;
  readonly secureCookies: boolean;
  readonly resources: readonly ResourceConfig[];
  readonly scopes: Readonly<Record<string, string>>;
  readonly defaultScopes: readonly string[];
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly codeTtlSeconds: number;
  readonly pendingAuthorizationTtlSeconds: number;
  readonly sessionTtlSeconds: number;
  readonly registration: { readonly enabled: boolean; readonly perAddressPerHour: number };
  readonly clientMetadataDocuments: { readonly enabled: boolean; readonly dangerouslyAllowLoopback: boolean };
  readonly login: { readonly maxFailuresPerUser: number; readonly maxFailuresPerAddress: number };
  readonly trustProxy: boolean;
  readonly signingKeys: { readonly reloadSeconds: number };
  readonly securityEvents: { readonly retentionDays: number };
  readonly rateLimits: { readonly redis: string | undefined };
  /** Upstream identity providers; undefined when users sign in with local passwords only. */
  readonly federation: FederationConfig | undefined;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The issuer is an https URL without query or fragment (RFC 8414 §2); plain http is allowed only
 * on loopback, for development (OAuth 2.1 §1.5). Behind a TLS-terminating proxy, the issuer is
 * the public https URL and the server itself listens on plain http.
 */
function parseIssuer(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`issuer "${value}" is not a URL; use for example https://auth.example.com`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError('issuer must not have a query, a fragment or credentials (RFC 8414 §2)');
  }
  if (!isHttpsOrLoopbackHttp(url)) {
    throw new ConfigError(
      url.protocol === 'http:'
        ? `issuer ${value} is http on a non-loopback host; use https (put a TLS-terminating proxy in front and set --issuer to its https URL)`
        : 'issuer must be an https URL',
    );
  }
  return url;
}

/** Validates settings, applies defaults and freezes the result. Throws ConfigError with what to fix. */
export function resolveServerConfig(settings: ServerSettings, env: Readonly<Record<string, string | undefined>> = process.env): ServerConfig {
  const parsed = serverSettingsSchema.safeParse(settings);
  if (!parsed.success) throw new ConfigError(describeSettingsIssue(parsed.error.issues[0]!));
  const s = parsed.data;
  const issuerUrl = parseIssuer(s.issuer);
  const issuer = issuerUrl.href.replace(/\/$/, '');
  const resources = (s.resources ?? [{ uri: `${issuer}/mcp`, name: 'MCP server' }]).map((r) => {
    if (parseResourceIndicator(r.uri) === null) throw new ConfigError(`resource "${r.uri}" must be an absolute http(s) URI without a fragment (RFC 8707 §2)`);
    return Object.freeze({ uri: canonicalResource(r.uri), name: r.name ?? r.uri });
  });
  const scopes = s.scopes ?? { mcp: 'Use the tools and data of the MCP server' };
  const defaultScopes = s.defaultScopes ?? Object.keys(scopes);
  for (const scope of defaultScopes) {
    if (!(scope in scopes)) throw new ConfigError(`default scope "${scope}" is not in scopes`);
  }
  return Object.freeze({
    issuer,
    issuerUrl,
    secureCookies: issuerUrl.protocol === 'https:',
    resources: Object.freeze(resources),
    scopes: Object.freeze({ ...scopes }),
    defaultScopes: Object.freeze([...defaultScopes]),
    accessTokenTtlSeconds: s.accessTokenTtlSeconds ?? 600,
    refreshTokenTtlSeconds: s.refreshTokenTtlSeconds ?? 30 * 86_400,
    // Codes live at most 60 s (docs/design.md invariant 2; OAuth 2.1 §4.1.2 recommends ≤ 10 minutes).
    codeTtlSeconds: 60,
    pendingAuthorizationTtlSeconds: 600,
    sessionTtlSeconds: s.sessionTtlSeconds ?? 12 * 3600,
    registration: Object.freeze({ enabled: s.registration?.enabled ?? true, perAddressPerHour: s.registration?.perAddressPerHour ?? 20 }),
    clientMetadataDocuments: Object.freeze({
      enabled: s.clientMetadataDocuments?.enabled ?? true,
      dangerouslyAllowLoopback: s.clientMetadataDocuments?.dangerouslyAllowLoopback ?? false,
    }),
    login: Object.freeze({ maxFailuresPerUser: s.login?.maxFailuresPerUser ?? 5, maxFailuresPerAddress: s.login?.maxFailuresPerAddress ?? 50 }),
    trustProxy: s.trustProxy ?? false,
    signingKeys: Object.freeze({ reloadSeconds: s.signingKeys?.reloadSeconds ?? 60 }),
    securityEvents: Object.freeze({ retentionDays: s.securityEvents?.retentionDays ?? 90 }),
    rateLimits: Object.freeze({ redis: s.rateLimits?.redis }),
    federation: s.federation === undefined ? undefined : federationConfig(s.federation, env),
  });
}

/** A schema issue as one line naming the key as the config file spells it. */
function describeSettingsIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `"${where === '' ? key : `${where}.${key}`}"`).join(', ');
    return `config: unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}; the keys are listed in docs/configuration.md`;
  }
  return `config ${where || '(root)'}: ${issue.message}`;
}

function federationConfig(settings: unknown, env: Readonly<Record<string, string | undefined>>): FederationConfig {
  try {
    return resolveFederationConfig(settings, env);
  } catch (error) {
    throw new ConfigError(`config ${error instanceof Error ? error.message : String(error)}`);
  }
}
