import { isLoopbackHttpUrl } from '../../../core/plain-http.js';
import { randomSecret } from '../../../core/secrets.js';
import { type AuthorizationRequest, withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import type { Severity } from '../../check-definition.js';
import type { Probe } from '../../probe.js';
import { type ProbeOutcome, registeredRedirectUris, sendAuthorizationProbe } from './authorization-probe.js';
import { type Finding, mustNotRedirect, verdictOf } from './findings.js';
import { registerProbeClient, requestFor } from './probe-client.js';

/** A near miss of a registered redirect URI: what it changes, the URI, how bad accepting it is. */
interface Variant {
  readonly label: string;
  readonly uri: string;
  readonly severity: Severity;
}

/**
 * Variants of a registered loopback URI (`http://127.0.0.1:PORT/path`), built as strings so no URL
 * parser tidies them first. Each is what a loose comparison (prefix, suffix, decoding,
 * normalising, parsing the host out) lets through.
 */
function loopbackVariants(registered: string): Variant[] {
  const url = new URL(registered);
  const origin = url.origin;
  const rest = registered.slice(origin.length);
  const lastSlash = rest.lastIndexOf('/');
  const variants: Variant[] = [
    { label: 'an extra path segment', uri: `${registered}/extra`, severity: 'critical' },
    { label: 'characters appended', uri: `${registered}x`, severity: 'critical' },
    { label: 'a path prefixed', uri: `${origin}/x${rest}`, severity: 'critical' },
    { label: 'the last character dropped', uri: registered.slice(0, -1), severity: 'critical' },
    { label: 'a dot-segment path (/../)', uri: `${registered}/../x`, severity: 'critical' },
    { label: 'userinfo (legit@evil)', uri: `${origin}@evil.invalid${rest}`, severity: 'critical' },
    { label: 'a host suffix (legit.evil.tld)', uri: `http://${url.hostname}.evil.invalid:${url.port}${rest}`, severity: 'critical' },
    { label: 'an added query (?invalid=1)', uri: `${registered}${registered.includes('?') ? '&' : '?'}invalid=1`, severity: 'high' },
    { label: 'a trailing slash', uri: `${registered}/`, severity: 'high' },
    { label: 'a fragment', uri: `${registered}#invalid`, severity: 'medium' },
  ];
  if (lastSlash > 0) {
    const encoded = (slash: string) => `${origin}${rest.slice(0, lastSlash)}${slash}${rest.slice(lastSlash + 1)}`;
    variants.push(
      { label: 'an encoded slash (%2F)', uri: encoded('%2F'), severity: 'critical' },
      { label: 'a double-encoded slash (%252F)', uri: encoded('%252F'), severity: 'critical' },
    );
  }
  if (rest.toUpperCase() !== rest) variants.push({ label: 'the path in upper case', uri: `${origin}${rest.toUpperCase()}`, severity: 'high' });
  return variants;
}

/** Variants of a registered https URI on a host that is not loopback. */
function httpsVariants(registered: string): Variant[] {
  const url = new URL(registered);
  const rest = registered.slice(url.origin.length);
  return [
    { label: 'https downgraded to http', uri: `http://${url.host}${rest}`, severity: 'critical' },
    { label: 'another port on a non-loopback host', uri: `https://${url.hostname}:8443${rest}`, severity: 'critical' },
    { label: 'the host in upper case', uri: `https://${url.host.toUpperCase()}${rest}`, severity: 'low' },
  ];
}

async function probeVariants(probe: Probe, request: AuthorizationRequest, registered: readonly string[], variants: readonly Variant[]): Promise<Finding[]> {
  const canary = await probe.fact('canary');
  const findings: Finding[] = [];
  for (const { label, uri, severity } of variants) {
    const outcome = await sendAuthorizationProbe(probe, withParameter(request, 'redirect_uri', uri), registered);
    const errorSeverity: Severity = severity === 'critical' || severity === 'high' ? 'medium' : severity;
    findings.push(mustNotRedirect(label, outcome, registered, { presented: uri, canary, grantedSeverity: severity, errorSeverity }));
  }
  return findings;
}

/** Whether a probe was accepted as the baseline was: a code, or the same login or consent. */
const acceptedLikeBaseline = (outcome: ProbeOutcome) => outcome.kind === 'granted' || outcome.kind === 'deferred';

/**
 * The https variants need a client registered with an https redirect URI on a host that is not
 * loopback (`.invalid`, so nothing is ever sent there), whose own valid request is accepted.
 */
async function httpsFindings(probe: Probe, request: AuthorizationRequest): Promise<{ findings: Finding[]; note?: string }> {
  const host = `portcullis-audit-${randomSecret(6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}.invalid`;
  const uri = `https://${host}/cb`;
  const client = await registerProbeClient(probe, { redirect_uris: [uri], application_type: 'web', client_name: 'Portcullis audit (https redirect)' });
  if ('refused' in client) return { findings: [], note: `the https variants were not probed (${client.refused})` };
  const own = requestFor(request, client);
  const baseline = await sendAuthorizationProbe(probe, own, [uri]);
  if (!acceptedLikeBaseline(baseline))
    return { findings: [], note: 'the https variants were not probed (the valid request of an https client was not accepted)' };
  return { findings: await probeVariants(probe, own, [uri], httpsVariants(uri)) };
}

/**
 * AZ-02: near misses of a registered redirect URI are refused as firmly as an unrelated one. The
 * comparison must be exact (OAuth 2.1 §2.3.1); the only latitude is the port of a loopback
 * redirect, which native apps choose at run time (RFC 8252 §7.3): that one must be accepted, and
 * a server refusing it is told so in the summary (it breaks native clients, it endangers no one).
 * Severity by variant: one that can move the code to another path, host or scheme is critical;
 * an added query, a trailing slash or another case is high; a fragment medium; host case low.
 * @see OAuth 2.1 §2.3.1; RFC 8252 §7.3, §8.3; RFC 9700 §4.1.3
 */
export const AZ_02: Check = {
  id: 'AZ-02',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const registered = await registeredRedirectUris(probe);
    const findings = await probeVariants(probe, request, registered, loopbackVariants(request.redirectUri));
    const notes: string[] = [];
    const redirect = new URL(request.redirectUri);
    if (isLoopbackHttpUrl(redirect)) {
      const other = new URL(redirect.href);
      other.port = String(redirect.port === '65535' ? 65534 : Number(redirect.port || 80) + 1);
      const outcome = await sendAuthorizationProbe(probe, withParameter(request, 'redirect_uri', other.href), registered);
      notes.push(
        acceptedLikeBaseline(outcome)
          ? 'a loopback redirect on another port was accepted (RFC 8252 §7.3)'
          : 'note: a loopback redirect on another port was refused, though RFC 8252 §7.3 says any port must be accepted',
      );
    }
    const https = await httpsFindings(probe, request);
    findings.push(...https.findings);
    if (https.note !== undefined) notes.push(https.note);
    const refused = findings.filter((finding) => finding.status === 'pass').length;
    const verdict = verdictOf(findings, `all ${refused} variants of the registered redirect URIs were refused`);
    return notes.length === 0 ? verdict : { ...verdict, summary: `${verdict.summary}; ${notes.join('; ')}` };
  },
};
