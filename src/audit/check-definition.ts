/**
 * What the auditor knows about each of its checks before it runs any: the stable ID (a contract:
 * an ID never changes meaning once released, a check that is split gets new IDs), what it checks,
 * the specification it enforces, what it needs, how bad a failure is, and the fix.
 * The catalogue is ../shared/audit-checks.md, section 1; docs/audit.md is what users read.
 */

/** The eight areas, in the order an MCP client meets them. `--only`/`--skip` take these names too. */
export const AREAS = ['DISC', 'ASM', 'AZ', 'TOK', 'RT', 'RS', 'REG', 'REV'] as const;
export type Area = (typeof AREAS)[number];

/**
 * The funnel a user reads: the steps of connecting an MCP client, in order. Each check belongs to
 * the step whose failure it explains.
 */
export const STEPS = ['challenge', 'resource-metadata', 'as-metadata', 'registration', 'authorization', 'token', 'refresh', 'resource', 'revocation'] as const;
export type Step = (typeof STEPS)[number];

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * What a check needs beyond looking from outside: a logged-in user (`login`), a second client
 * (`second-client`: open registration or `--client2`), a timed wait (`slow`: only with `--slow`),
 * the auditor reachable from the authorization server (`public-url`), or reading login and consent
 * pages (`html`).
 */
export type Need = 'login' | 'second-client' | 'slow' | 'public-url' | 'html';

/** A section of a specification: an ID in the OpenID Foundation's style (`RFC7636-4.6`) and its address. */
export interface SpecReference {
  readonly id: string;
  readonly url: string;
}

export interface CheckDefinition {
  readonly id: string;
  readonly area: Area;
  readonly step: Step;
  /** One line, what is checked, as a heading: "Code replay is refused". */
  readonly title: string;
  /** The severity of a failure; a check may report a lower one for a lesser form of its flaw. */
  readonly severity: Severity;
  readonly needs: readonly Need[];
  readonly spec: readonly SpecReference[];
  /** One line a server's developer can act on. */
  readonly remediation: string;
  /** Spends what it touches (a code, a refresh family, a token): runs last, on authorizations of its own. */
  readonly destructive?: boolean;
  /** Spends a server-wide allowance (a rate limit) the other checks need: runs after all of them. */
  readonly spendsAllowance?: boolean;
}
