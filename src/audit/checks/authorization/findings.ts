import { sameRedirectTarget } from '../../authorization-answer.js';
import { SEVERITIES, type Severity } from '../../check-definition.js';
import type { Canary } from '../../facts/canary.js';
import { fail, inconclusive, pass, type Verdict, warn } from '../../verdict.js';
import { describeRefusal, type ProbeOutcome, place, withoutResponse } from './authorization-probe.js';

/** What one probe of a check showed: `label` names what was changed, `seen` what came back. */
export interface Finding {
  readonly label: string;
  readonly status: 'pass' | 'fail' | 'warn' | 'inconclusive';
  readonly seen: string;
  /** For a failure less severe than the check's own. */
  readonly severity?: Severity;
}

/**
 * A probe that must be refused: a refusal passes (the baseline was accepted, so it is the change
 * that was refused; after the login, the baseline the same login completed), a code fails, the
 * login page is inconclusive (with why it was not gone through), anything else too.
 */
export function mustBeRefused(label: string, outcome: ProbeOutcome): Finding {
  switch (outcome.kind) {
    case 'refused':
      return { label, status: 'pass', seen: `${describeRefusal(outcome)}${outcome.afterLogin === true ? ' after the login' : ''}` };
    case 'granted':
      return {
        label,
        status: 'fail',
        seen: `accepted, the server redirected with ${outcome.parameters.has('access_token') ? 'an access token' : 'a code'}${outcome.afterLogin === true ? ' after the login' : ''}`,
      };
    case 'deferred':
      return { label, status: 'inconclusive', seen: outcome.reason };
    case 'error-redirect':
      return { label, status: 'inconclusive', seen: `error=${outcome.error} redirected to ${place(outcome.location)}, which is not a registered redirect URI` };
    case 'redirect':
      return { label, status: 'inconclusive', seen: `a redirect to ${place(outcome.location)}, neither the client nor the server's own pages` };
  }
}

/** Whether `location` is one of the `registered` URIs exactly, once the response's own parameters are taken off. */
function isExactlyRegistered(location: URL, registered: readonly string[]): boolean {
  const bare = withoutResponse(location).href;
  return registered.some((uri) => URL.canParse(uri) && new URL(uri).href === bare);
}

export interface RedirectProbe {
  /** The redirect URI the probe sent, which is not registered for the client. */
  readonly presented: string;
  readonly canary: Canary;
  /** Of a code sent there (default: the check's own). */
  readonly grantedSeverity?: Severity;
  /** Of an error sent there: an open redirector, not a stolen code (default: the check's own). */
  readonly errorSeverity?: Severity;
}

/**
 * A probe whose redirect URI is not registered for the client: the server must not redirect
 * there, with a code or with an error. A refusal passes; an error redirect to a registered URI is
 * one too; a code sent to the registered URI, the presented one ignored, is a warning.
 * @see RFC 6749 §3.1.2.4, §4.1.2.1; RFC 9700 §4.11.2
 */
export function mustNotRedirect(label: string, outcome: ProbeOutcome, registered: readonly string[], redirect: RedirectProbe): Finding {
  const withSeverity = (severity: Severity | undefined) => (severity !== undefined ? { severity } : {});
  switch (outcome.kind) {
    case 'granted':
      if (isExactlyRegistered(outcome.location, registered)) {
        return { label, status: 'warn', seen: 'the server sent a code to the registered redirect URI itself (the variant ignored or normalised to it)' };
      }
      return { label, status: 'fail', seen: `the server redirected a code to ${place(outcome.location)}`, ...withSeverity(redirect.grantedSeverity) };
    case 'error-redirect':
      return {
        label,
        status: 'fail',
        seen: `the server redirected error=${outcome.error} to ${place(outcome.location)}, which is not registered (an open redirector)`,
        ...withSeverity(redirect.errorSeverity),
      };
    case 'redirect':
      if (sameRedirectTarget(outcome.location, redirect.presented) || redirect.canary.owns(outcome.location)) {
        return {
          label,
          status: 'fail',
          seen: `the server redirected to ${place(outcome.location)}, which is not registered`,
          ...withSeverity(redirect.errorSeverity),
        };
      }
      return mustBeRefused(label, outcome);
    default:
      return mustBeRefused(label, outcome);
  }
}

const rank = (severity: Severity) => SEVERITIES.indexOf(severity);

/** The most severe of the severities given; undefined (the check's own) when any failure gave none. */
function worst(findings: readonly Finding[]): Severity | undefined {
  let result: Severity | undefined;
  for (const finding of findings) {
    if (finding.severity === undefined) return undefined;
    if (result === undefined || rank(finding.severity) < rank(result)) result = finding.severity;
  }
  return result;
}

/** "a, b and c: what they all got; d: what it got", in the order the probes ran. */
function joined(findings: readonly Finding[]): string {
  const groups: { labels: string[]; seen: string }[] = [];
  for (const { label, seen } of findings) {
    const group = groups.find((candidate) => candidate.seen === seen);
    if (group === undefined) groups.push({ labels: [label], seen });
    else group.labels.push(label);
  }
  const list = (labels: readonly string[]) => (labels.length === 1 ? labels[0]! : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)!}`);
  return groups.map(({ labels, seen }) => `${list(labels)}: ${seen}`).join('; ');
}

/**
 * One verdict from several probes: a failure of any fails the check (at the worst severity
 * given), then an inconclusive one makes it inconclusive, then a warning warns; otherwise it
 * passes with `passed`, or with what each probe saw.
 */
export function verdictOf(findings: readonly Finding[], passed?: string): Verdict {
  const failed = findings.filter((finding) => finding.status === 'fail');
  if (failed.length > 0) return fail(joined(failed), worst(failed));
  const open = findings.filter((finding) => finding.status === 'inconclusive');
  if (open.length > 0) return inconclusive(joined(open));
  const warned = findings.filter((finding) => finding.status === 'warn');
  if (warned.length > 0) return warn(joined(warned));
  return pass(passed ?? `refused: ${joined(findings)}`);
}
