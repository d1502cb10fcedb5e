import { escapeControlCharacters } from '../core/control-characters.js';
import { PORTCULLIS_VERSION } from '../core/version.js';
import { CATALOGUE } from './catalogue/index.js';
import type { CheckDefinition, Need } from './check-definition.js';
import { IMPLEMENTATIONS } from './checks/index.js';
import { reportExchange } from './exchange.js';
import { Facts } from './facts/index.js';
import { BudgetExhaustedError, createGuardedFetch, RefusedUrlError } from './guarded-fetch.js';
import { createProbe, type ProbeEnvironment } from './probe.js';
import { Redactor } from './redactor.js';
import type { AuditReport, CheckReport } from './report/audit-report.js';
import { resolveSettings } from './resolve-settings.js';
import { selector } from './selection.js';
import type { AuditOptions, AuditSettings } from './settings.js';
import { InconclusiveError, NotApplicableError, NotReachedError, notApplicable, STATUSES, type Status, type Verdict } from './verdict.js';

/** Why a check that needs `need` cannot run with these settings, or undefined when it can. */
function unmetNeed(need: Need, settings: AuditSettings): string | undefined {
  switch (need) {
    case 'login':
    case 'second-client':
      return settings.login ? undefined : 'needs a logged-in user: run with --login';
    case 'slow':
      return settings.slow ? undefined : 'a timed check: run with --slow';
    case 'public-url':
      return settings.publicUrl !== undefined ? undefined : 'needs the auditor reachable from the authorization server: give --public-url';
    case 'html':
      return undefined;
  }
}

/**
 * The catalogue's order, except that destructive checks come after the others (each on
 * authorizations of its own), and a check that spends a server-wide allowance after all of them.
 */
function runOrder(catalogue: readonly CheckDefinition[]): CheckDefinition[] {
  const rank = (check: CheckDefinition) => (check.spendsAllowance === true ? 2 : check.destructive === true ? 1 : 0);
  return [0, 1, 2].flatMap((wanted) => catalogue.filter((check) => rank(check) === wanted));
}

/**
 * Audits a live MCP server's OAuth: runs every selected check of the catalogue and returns the
 * report (../shared/audit-checks.md §1; docs/audit.md). Never throws for what the server does;
 * throws AuditUsageError for options that cannot be used.
 */
export async function audit(options: AuditOptions): Promise<AuditReport> {
  const startedAt = new Date();
  const started = performance.now();
  const settings = await resolveSettings(options);
  const isSelected = selector(CATALOGUE, options.only, options.skip);
  const redactor = new Redactor();
  for (const secret of [settings.clientSecret, settings.password, settings.foreignToken]) redactor.remember(secret);
  const fetch = createGuardedFetch({
    targetKind: settings.targetKind,
    allowPrivate: settings.allowPrivate,
    timeoutMs: settings.timeoutMs,
    maxBytes: 256 * 1024,
    budget: settings.requestBudget,
    paceMs: settings.paceMs,
    ...(settings.lookup !== undefined ? { lookup: settings.lookup } : {}),
  });
  const cleanups: (() => Promise<void>)[] = [];
  const environment: ProbeEnvironment = {
    settings,
    fetch,
    redactor,
    cleanups,
    onNote: (message) => options.onProgress?.({ type: 'note', message }),
    facts: new Facts(() => createProbe(environment)),
  };

  const reports = new Map<string, CheckReport>();
  try {
    for (const definition of runOrder(CATALOGUE)) {
      const report = await runCheck(definition, environment, isSelected(definition));
      reports.set(definition.id, report);
      options.onProgress?.({ type: 'check', id: report.id, status: report.status, summary: report.summary, severity: report.severity });
    }
  } finally {
    // Clients it registered are deleted (RFC 7592), listeners closed, newest first.
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }

  const checks = CATALOGUE.map((definition) => reports.get(definition.id)!);
  const summary = Object.fromEntries(STATUSES.map((status) => [status, checks.filter((check) => check.status === status).length])) as Record<Status, number>;
  const incompleteReason = await incompleteness(environment, checks);
  return {
    tool: 'portcullis',
    version: PORTCULLIS_VERSION,
    command: 'audit',
    target: settings.target.href,
    mode: settings.login ? 'logged-in' : 'unauthenticated',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    incomplete: incompleteReason !== undefined,
    ...(incompleteReason !== undefined ? { incompleteReason } : {}),
    summary,
    checks,
  };
}

async function runCheck(definition: CheckDefinition, environment: ProbeEnvironment, selected: boolean): Promise<CheckReport> {
  const started = performance.now();
  const { probe, exchanges } = createProbe(environment);
  const verdict = await decide(definition, environment, selected, probe);
  return {
    id: definition.id,
    title: definition.title,
    area: definition.area,
    step: definition.step,
    status: verdict.status,
    severity: verdict.severity ?? definition.severity,
    // One line, whatever the server put in what it quoted (a hostile answer must not drive a terminal).
    summary: escapeControlCharacters(environment.redactor.text(verdict.summary)),
    spec: definition.spec,
    evidence: { requests: exchanges.map((exchange) => reportExchange(exchange, environment.redactor)) },
    remediation: definition.remediation,
    durationMs: Math.round(performance.now() - started),
  };
}

async function decide(
  definition: CheckDefinition,
  environment: ProbeEnvironment,
  selected: boolean,
  probe: ReturnType<typeof createProbe>['probe'],
): Promise<Verdict> {
  if (!selected) return notApplicable('not selected (--only / --skip)');
  try {
    if (definition.id !== 'DISC-01') {
      const challenge = await probe.fact('challenge');
      if (challenge.isPublic)
        return notApplicable(`the server answered ${challenge.response.status} without authorization: it is public, and OAuth does not apply`);
    }
    for (const need of definition.needs) {
      const unmet = unmetNeed(need, environment.settings);
      if (unmet !== undefined) return notApplicable(unmet);
    }
    const implementation = IMPLEMENTATIONS.get(definition.id);
    if (implementation === undefined) return notApplicable('not built yet in this version of the auditor');
    return await implementation.run(probe);
  } catch (error) {
    if (error instanceof NotReachedError) return notApplicable(`not reached: the flow broke at ${error.step} (${error.message})`);
    if (error instanceof NotApplicableError) return notApplicable(error.message);
    if (error instanceof InconclusiveError) return { status: 'inconclusive', summary: error.message };
    if (error instanceof BudgetExhaustedError) return { status: 'inconclusive', summary: error.message };
    if (error instanceof RefusedUrlError) return { status: 'inconclusive', summary: `the auditor would not follow the server there: ${error.message}` };
    return { status: 'error', summary: `the check failed to run: ${(error as Error).message}` };
  }
}

/** Why the report is incomplete: the target did not answer, or, logged in, the baseline flow failed. */
async function incompleteness(environment: ProbeEnvironment, checks: readonly CheckReport[]): Promise<string | undefined> {
  const challenge = await environment.facts.settled('challenge');
  if (challenge instanceof Error) return challenge.message;
  // The client every authorization check needs could not be had for now (rate-limited).
  const client = await environment.facts.settled('client');
  if (client instanceof InconclusiveError) return client.message;
  if (environment.settings.login) {
    const baseline = checks.find((check) => check.id === 'TOK-01');
    if (baseline !== undefined && baseline.status !== 'pass' && baseline.summary !== 'not selected (--only / --skip)')
      return `the baseline flow failed: ${baseline.summary}`;
  }
  return undefined;
}
