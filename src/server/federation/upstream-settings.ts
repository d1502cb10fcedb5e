import { z } from 'zod';
import { isAllowedEndpoint, isHttpsOrLoopbackHttp } from '../../core/plain-http.js';
import { parseScope } from '../../core/scopes.js';

const scopeToken = z.string().refine((s) => parseScope(s)?.length === 1, 'a single scope token (RFC 6749 §3.3)');
const endpoint = z.string().refine(isSecureUrl, 'an https URL (http only on loopback)');

/** Who may get in through a provider. Each list given must match (AND); within a list, any entry (OR). */
const accessSchema = z
  .object({
    /** The user's email must be in one of these domains (and, in OpenID Connect, `email_verified` not false). */
    emailDomains: z.array(z.string().min(1)).min(1).optional(),
    /** Upstream subjects (`sub`, or the `subjectField` of a plain OAuth 2.0 provider) let in. */
    subjects: z.array(z.string().min(1)).min(1).optional(),
    /** Claim name → values; the claim (a string or a list of strings) must hold one of them. */
    claims: z.record(z.string().min(1), z.array(z.string()).min(1)).optional(),
  })
  .strict();

/** A Portcullis scope granted only to users whose upstream claim holds one of `values`. */
const scopeRuleSchema = z.object({ scope: scopeToken, claim: z.string().min(1), values: z.array(z.string()).min(1) }).strict();

const common = {
  /** Short name in URLs: the callback is `<issuer>/federation/<id>/callback`. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes, at most 32'),
  /** Shown on the login button: "Sign in with <name>". */
  name: z.string().min(1).max(60),
  clientId: z.string().min(1).optional(),
  /** Name of an environment variable holding the client id. */
  clientIdEnv: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  /** Name of an environment variable holding the client secret (keeps it out of the config file). */
  clientSecretEnv: z.string().min(1).optional(),
  /** How Portcullis authenticates at the upstream's token endpoint. Default: client_secret_basic with a secret, none without. */
  tokenEndpointAuthMethod: z.enum(['client_secret_basic', 'client_secret_post', 'none']).optional(),
  /** Scopes asked of the upstream. */
  scopes: z.array(z.string().min(1)).optional(),
  access: accessSchema.optional(),
  scopeRules: z.array(scopeRuleSchema).optional(),
  /** Seconds the upstream may take to answer a back-channel request. Default 10. */
  timeoutSeconds: z.number().int().min(1).max(60).optional(),
};

export const upstreamProviderSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('oidc'),
      /** The OpenID Provider's issuer; endpoints come from its discovery document. */
      issuer: endpoint,
      ...common,
    })
    .strict(),
  z
    .object({
      type: z.literal('oauth2'),
      /** The value the provider puts in an RFC 9207 `iss` parameter, if it sends one. Default: the authorization endpoint's origin. */
      issuer: endpoint.optional(),
      authorizationEndpoint: endpoint,
      tokenEndpoint: endpoint,
      /** A JSON document about the signed-in user, read with the access token (GitHub: https://api.github.com/user). */
      userinfoEndpoint: endpoint,
      revocationEndpoint: endpoint.optional(),
      /** The user-info field that identifies the user for good (GitHub: `id`; never a changeable login name). */
      subjectField: z.string().min(1).optional(),
      emailField: z.string().min(1).optional(),
      nameField: z.string().min(1).optional(),
      ...common,
    })
    .strict(),
]);

export const federationSettingsSchema = z
  .object({
    /** Whether the username and password form is offered too. Default: true. */
    localUsers: z.boolean().optional(),
    providers: z.array(upstreamProviderSchema).min(1),
  })
  .strict();

export type FederationSettings = z.input<typeof federationSettingsSchema>;
type ProviderSettings = z.output<typeof upstreamProviderSchema>;

export interface AccessRules {
  readonly emailDomains?: readonly string[] | undefined;
  readonly subjects?: readonly string[] | undefined;
  readonly claims?: Readonly<Record<string, readonly string[]>> | undefined;
}

export interface ScopeRule {
  readonly scope: string;
  readonly claim: string;
  readonly values: readonly string[];
}

/**
 * How Portcullis authenticates at the provider's token endpoint: with the client secret, which
 * the two secret methods cannot be configured without, or as a public client (a secret configured
 * anyway is not used).
 * @see RFC 6749 §2.3.1; RFC 7591 §2 (`token_endpoint_auth_method`)
 */
export type UpstreamClientAuthentication =
  | { readonly tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post'; readonly clientSecret: string }
  | { readonly tokenEndpointAuthMethod: 'none'; readonly clientSecret: string | undefined };

/** A provider with its credentials read and defaults applied. */
export type UpstreamProviderConfig = UpstreamClientAuthentication & {
  readonly id: string;
  readonly name: string;
  readonly type: 'oidc' | 'oauth2';
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly access: AccessRules;
  readonly scopeRules: readonly ScopeRule[];
  readonly timeoutMs: number;
  /** Plain OAuth 2.0 only: the endpoints and the user-info fields. */
  readonly oauth2?: {
    readonly authorizationEndpoint: string;
    readonly tokenEndpoint: string;
    readonly userinfoEndpoint: string;
    readonly revocationEndpoint: string | undefined;
    readonly subjectField: string;
    readonly emailField: string;
    readonly nameField: string;
  };
};

export interface FederationConfig {
  readonly localUsers: boolean;
  readonly providers: readonly UpstreamProviderConfig[];
}

/**
 * Validates the `federation` config section, reads credentials named by `…Env` from `env`, and
 * freezes the result. Throws a TypeError that says what to fix.
 */
export function resolveFederationConfig(settings: unknown, env: Readonly<Record<string, string | undefined>>): FederationConfig {
  const parsed = federationSettingsSchema.safeParse(settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TypeError(`federation.${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const ids = new Set<string>();
  const providers = parsed.data.providers.map((p) => {
    if (ids.has(p.id)) throw new TypeError(`federation.providers: the id "${p.id}" is used twice`);
    ids.add(p.id);
    return Object.freeze(resolveProvider(p, env));
  });
  return Object.freeze({ localUsers: parsed.data.localUsers ?? true, providers: Object.freeze(providers) });
}

function resolveProvider(p: ProviderSettings, env: Readonly<Record<string, string | undefined>>): UpstreamProviderConfig {
  const where = `federation.providers[${p.id}]`;
  const clientId = credential(p.clientId, p.clientIdEnv, env, `${where}.clientId`);
  if (clientId === undefined) throw new TypeError(`${where}: set clientId or clientIdEnv (the client id the provider gave you)`);
  const clientSecret = credential(p.clientSecret, p.clientSecretEnv, env, `${where}.clientSecret`);
  const method = p.tokenEndpointAuthMethod ?? (clientSecret === undefined ? 'none' : 'client_secret_basic');
  const base = {
    id: p.id,
    name: p.name,
    type: p.type,
    clientId,
    ...clientAuthentication(method, clientSecret, where),
    access: Object.freeze({ ...p.access }),
    scopeRules: Object.freeze((p.scopeRules ?? []).map((r) => Object.freeze(r))),
    timeoutMs: (p.timeoutSeconds ?? 10) * 1000,
  };
  if (p.type === 'oidc') {
    const scopes = p.scopes ?? ['openid', 'email', 'profile'];
    if (!scopes.includes('openid')) throw new TypeError(`${where}.scopes: an OpenID Connect provider needs the openid scope`);
    return { ...base, issuer: p.issuer, scopes: Object.freeze(scopes) };
  }
  const issuer = p.issuer ?? new URL(p.authorizationEndpoint).origin;
  const endpoints = {
    authorizationEndpoint: p.authorizationEndpoint,
    tokenEndpoint: p.tokenEndpoint,
    userinfoEndpoint: p.userinfoEndpoint,
    revocationEndpoint: p.revocationEndpoint,
  };
  for (const [name, value] of Object.entries(endpoints)) {
    if (value !== undefined && !isAllowedEndpoint(new URL(value), new URL(issuer))) {
      throw new TypeError(`${where}.${name}: use https; plain http is allowed only when the provider's issuer is http on loopback too (${issuer})`);
    }
  }
  return {
    ...base,
    issuer,
    scopes: Object.freeze(p.scopes ?? []),
    oauth2: Object.freeze({
      authorizationEndpoint: p.authorizationEndpoint,
      tokenEndpoint: p.tokenEndpoint,
      userinfoEndpoint: p.userinfoEndpoint,
      revocationEndpoint: p.revocationEndpoint,
      subjectField: p.subjectField ?? 'id',
      emailField: p.emailField ?? 'email',
      nameField: p.nameField ?? 'name',
    }),
  };
}

function clientAuthentication(
  method: UpstreamClientAuthentication['tokenEndpointAuthMethod'],
  clientSecret: string | undefined,
  where: string,
): UpstreamClientAuthentication {
  if (method === 'none') return { tokenEndpointAuthMethod: method, clientSecret };
  if (clientSecret === undefined) throw new TypeError(`${where}: ${method} needs clientSecret or clientSecretEnv`);
  return { tokenEndpointAuthMethod: method, clientSecret };
}

function credential(
  value: string | undefined,
  envName: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  what: string,
): string | undefined {
  if (value !== undefined && envName !== undefined) throw new TypeError(`${what}: give the value or the environment variable, not both`);
  if (envName === undefined) return value;
  const fromEnv = env[envName];
  if (fromEnv === undefined || fromEnv === '') throw new TypeError(`${what}: the environment variable ${envName} is not set`);
  return fromEnv;
}

/** https, or http on a loopback host (development and tests), without credentials or a fragment. */
function isSecureUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') return false;
  return isHttpsOrLoopbackHttp(url);
}
