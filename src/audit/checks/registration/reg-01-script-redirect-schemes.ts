import type { Check } from '../../check.js';
import { fail, inconclusive, pass } from '../../verdict.js';
import { describeOutcome, registerChanged, registeredWith } from './registration-probe.js';

/** Redirect URIs a browser would run or read locally instead of sending a code to a client. */
const PAYLOADS: readonly { readonly scheme: string; readonly uri: string }[] = [
  // With an authority and a newline, so a check that only asks "does it parse with a host" lets it through.
  { scheme: 'javascript:', uri: 'javascript://portcullis-audit.example/%0Aalert(document.domain)' },
  { scheme: 'data:', uri: 'data:text/html,%3Cscript%3Ealert(document.domain)%3C/script%3E' },
  { scheme: 'file:', uri: 'file:///etc/passwd' },
  { scheme: 'vbscript:', uri: 'vbscript:msgbox(document.domain)' },
];

/**
 * REG-01: open registration refuses `javascript:`, `data:`, `file:` and `vbscript:` redirect
 * URIs, each alone and a `javascript:` one after a good one (a server that checks only the first).
 * Each registration differs from the accepted baseline in `redirect_uris` only. A client accepted
 * with one is an authorization server that will send a browser to script of the attacker's
 * choosing, on its own origin's say-so: Critical. Accepted with the URI dropped (RFC 7591 §3.2.1
 * lets the server replace what was asked for) is no flaw.
 * @see RFC 7591 §2, §3.2.2; OAuth 2.1 §2.3
 */
export const REG_01: Check = {
  id: 'REG-01',
  async run(probe) {
    const baseline = await probe.fact('registrationBaseline');
    const good = baseline.metadata['redirect_uris'] as string[];
    const probes = [
      ...PAYLOADS.map(({ scheme, uri }) => ({ label: `a ${scheme} redirect URI`, uri, redirectUris: [uri] })),
      { label: 'a javascript: redirect URI after a good one', uri: PAYLOADS[0]!.uri, redirectUris: [...good, PAYLOADS[0]!.uri] },
    ];
    const accepted: string[] = [];
    const dropped: string[] = [];
    const unclear: string[] = [];
    for (const { label, uri, redirectUris } of probes) {
      const outcome = await registerChanged(probe, baseline, 'redirect_uris', redirectUris);
      if (outcome.kind === 'accepted') (registeredWith(outcome.registration, 'redirect_uris', uri) === 'kept' ? accepted : dropped).push(label);
      else if (outcome.kind === 'unattributable') unclear.push(`${label}: ${describeOutcome(outcome)}`);
    }
    if (accepted.length > 0) return fail(`a client was registered with ${accepted.join(' and with ')}`);
    if (unclear.length > 0) return inconclusive(`the valid registration was accepted, but not these: ${unclear.join('; ')}`);
    const schemes = PAYLOADS.map((payload) => payload.scheme).join(' / ');
    if (dropped.length === 0) return pass(`all ${probes.length} registrations with a ${schemes} redirect URI were refused`);
    return pass(`no client was registered with a ${schemes} redirect URI (${dropped.join(', ')}: accepted with the URI removed)`);
  },
};
