import type { AccessRules, ScopeRule } from './upstream-settings.js';

/** Who the upstream says the user is, in one shape for OpenID Connect and plain OAuth 2.0. */
export interface UpstreamIdentity {
  readonly providerId: string;
  /** Stable and unique at the provider: `sub`, or the configured user-info field. */
  readonly subject: string;
  readonly email: string | undefined;
  /** OpenID Connect `email_verified`; undefined when the provider does not say. */
  readonly emailVerified: boolean | undefined;
  readonly name: string | undefined;
  /** Every claim or user-info field, for access rules and scope rules. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * Why `identity` may not get in under `rules`, or undefined when it may. Every list that is set
 * must match. An email counts only when the provider has not said it is unverified: an
 * unverified address proves nothing about who holds the account.
 */
export function accessRefusal(rules: AccessRules, identity: UpstreamIdentity): string | undefined {
  if (rules.subjects !== undefined && !rules.subjects.includes(identity.subject)) return 'the account is not on the list of allowed accounts';
  if (rules.emailDomains !== undefined) {
    const domain = identity.email === undefined ? undefined : emailDomain(identity.email);
    if (domain === undefined) return 'the account has no email address';
    if (identity.emailVerified === false) return 'the account’s email address is not verified';
    if (!rules.emailDomains.some((allowed) => allowed.toLowerCase() === domain)) return `accounts of ${domain} are not allowed`;
  }
  for (const [claim, values] of Object.entries(rules.claims ?? {})) {
    if (!claimHoldsOneOf(identity.claims[claim], values)) return `the account’s ${claim} does not allow access`;
  }
  return undefined;
}

/**
 * The requested scopes this identity may have: a scope named by scope rules needs one of its
 * rules to match; a scope no rule names is not restricted. The result may be narrower than the
 * request (RFC 6749 §3.3: the token response then says which scopes were granted).
 */
export function scopesAllowedByClaims(rules: readonly ScopeRule[], identity: UpstreamIdentity, requested: readonly string[]): string[] {
  return requested.filter((scope) => {
    const governing = rules.filter((rule) => rule.scope === scope);
    return governing.length === 0 || governing.some((rule) => claimHoldsOneOf(identity.claims[rule.claim], rule.values));
  });
}

/** A claim that is a string, or a list of strings (groups, roles), holding one of `values`. */
function claimHoldsOneOf(claim: unknown, values: readonly string[]): boolean {
  if (typeof claim === 'string') return values.includes(claim);
  if (typeof claim === 'number' || typeof claim === 'boolean') return values.includes(String(claim));
  if (Array.isArray(claim)) return claim.some((item) => typeof item === 'string' && values.includes(item));
  return false;
}

/** The domain of an address with exactly one `@`, lower-cased; undefined for anything else. */
function emailDomain(email: string): string | undefined {
  const parts = email.split('@');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return parts[1]!.toLowerCase();
}
