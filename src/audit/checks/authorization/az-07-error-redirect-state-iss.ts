import { randomSecret } from '../../../core/secrets.js';
import { withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { metadataString } from '../../facts/authorization-server.js';
import { fail, inconclusive, notApplicable, pass, warn } from '../../verdict.js';
import { type ProbeOutcome, registeredRedirectUris, sendAuthorizationProbe } from './authorization-probe.js';

/**
 * AZ-07: an error sent back to the client (a request with an unknown scope, else an unknown
 * `response_type`) echoes `state` unchanged, so the client can tie it to its request, and carries
 * `iss`, so a client talking to several servers knows which one answered (mix-up). A missing
 * `iss` fails when the metadata says `authorization_response_iss_parameter_supported`, and is a
 * warning otherwise.
 * @see RFC 6749 §4.1.2.1; RFC 9207 §2, §3
 */
const SEEN: Readonly<Record<Exclude<ProbeOutcome['kind'], 'deferred'>, string>> = {
  refused: 'an error page',
  granted: 'accepted (a code)',
  'error-redirect': 'an error redirect to a URI that is not registered',
  redirect: 'a redirect elsewhere',
};

export const AZ_07: Check = {
  id: 'AZ-07',
  async run(probe) {
    const { request } = await probe.fact('authorizationBaseline');
    const { issuer, metadata } = await probe.fact('authorizationServer');
    const registered = await registeredRedirectUris(probe);
    const probes: [string, string][] = [
      ['scope', `portcullis-audit-unknown-${randomSecret(6)}`],
      ['response_type', 'portcullis-audit-unknown'],
    ];
    const seen: string[] = [];
    let deferred = false;
    let redirected: { label: string; parameters: URLSearchParams } | undefined;
    for (const [name, value] of probes) {
      const outcome: ProbeOutcome = await sendAuthorizationProbe(probe, withParameter(request, name, value), registered);
      if (outcome.kind === 'refused' && outcome.form === 'redirect' && outcome.parameters !== undefined) {
        redirected = { label: `an unknown ${name}`, parameters: outcome.parameters };
        break;
      }
      deferred ||= outcome.kind === 'deferred';
      seen.push(`an unknown ${name}: ${outcome.kind === 'deferred' ? outcome.reason : SEEN[outcome.kind]}`);
    }
    if (redirected === undefined) {
      const what = `no error was redirected to the client to read state and iss from (${seen.join('; ')})`;
      return deferred ? inconclusive(what) : notApplicable(what);
    }

    const { label, parameters } = redirected;
    const error = parameters.get('error');
    const problems: string[] = [];
    const state = parameters.get('state');
    if (state === null) problems.push('no state');
    else if (state !== request.state) problems.push('a state other than the one sent');
    const expectedIssuer = metadataString(metadata, 'issuer') ?? issuer;
    const iss = parameters.get('iss');
    if (iss !== null && iss !== expectedIssuer) problems.push(`iss ${JSON.stringify(iss)}, not the issuer ${expectedIssuer}`);
    const issPromised = metadata['authorization_response_iss_parameter_supported'] === true;
    if (iss === null && issPromised) problems.push('no iss, though the metadata says authorization_response_iss_parameter_supported');
    if (problems.length > 0) return fail(`the ${error} redirect for ${label} carries ${problems.join(' and ')}`);
    if (iss === null) return warn(`the ${error} redirect for ${label} echoes state but carries no iss (RFC 9207; the metadata does not promise it)`);
    return pass(`the ${error} redirect for ${label} echoes state and carries iss`);
  },
};
