import { randomSecret } from '../../../core/secrets.js';
import { type AuthorizationRequest, withParameter } from '../../authorization-request.js';
import type { Check } from '../../check.js';
import { BudgetExhaustedError, RefusedUrlError } from '../../guarded-fetch.js';
import type { Probe } from '../../probe.js';
import { inconclusive, notApplicable, type Verdict } from '../../verdict.js';
import { describeRefusal, type ProbeOutcome, sendAuthorizationProbe } from '../authorization/authorization-probe.js';
import { type Finding, mustBeRefused, mustNotRedirect, verdictOf } from '../authorization/findings.js';
import { type MetadataDocumentHost, startMetadataDocumentHost } from './metadata-document-host.js';

/** Far above the 5 KB the draft advises a server to read at most (§8.7), and never a real client's. */
const OVERSIZED_BYTES = 64 * 1024;
/** The cloud metadata address (AWS, GCP, Azure): what an SSRF through a client_id goes for. */
const METADATA_ADDRESS = '169.254.169.254';

/** A valid document for the public client `clientId` whose one redirect URI is `redirectUri` (draft §4). */
function documentFor(clientId: string, redirectUri: string): string {
  return JSON.stringify({
    client_id: clientId,
    client_name: 'Portcullis audit',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  });
}

/** Whether the probe met the login page first (then carried through it with --login, or not). */
const metLoginPage = (outcome: ProbeOutcome) => outcome.kind === 'deferred' || ('afterLogin' in outcome && outcome.afterLogin === true);

/**
 * A changed document must be refused like a missing one. `upFront`: the server refused the
 * missing document before its login page, so the login page for a changed one means it took it
 * (whatever the login led to after).
 */
function documentFinding(label: string, outcome: ProbeOutcome, upFront: boolean): Finding {
  if (outcome.kind === 'granted') return { label, status: 'fail', seen: 'accepted: a code was redirected to the client' };
  if (metLoginPage(outcome) && upFront) return { label, status: 'fail', seen: 'accepted: the login page came, as for the valid document' };
  return mustBeRefused(label, outcome);
}

/** Where the baseline went: the server must fetch the valid document and take it. */
function baselineProblem(outcome: ProbeOutcome, fetched: boolean, url: string): Verdict | undefined {
  const seen = outcome.kind === 'refused' ? describeRefusal(outcome) : outcome.kind;
  if (!fetched) {
    return inconclusive(
      `the server never fetched the valid document ${url} (answered: ${seen}): --public-url does not reach the auditor from it, or it refuses such a client_id before fetching`,
    );
  }
  if (outcome.kind !== 'granted' && outcome.kind !== 'deferred') {
    return inconclusive(`the server fetched a valid document and answered ${seen}, so no refusal of a changed one can be attributed`);
  }
  return undefined;
}

/**
 * REG-08: an authorization server that takes Client ID Metadata Documents fetches one safely
 * and believes only what it says. The auditor serves the documents itself, at `--public-url`.
 * First a valid document (its `client_id` its own URL, a redirect URI on the canary) must be
 * fetched and accepted; then each probe changes one thing, on a URL of its own (no cache
 * answers for another): a document URL that answers 404; one that redirects to a valid document
 * (following it is the SSRF the draft forbids, even when refused after); a 64 KiB document; a
 * `client_id` other than the URL; a redirect_uri the document does not list; a client_id on
 * 169.254.169.254 (the auditor fetches nothing there: only the server's answer is read, and the
 * scheme is the valid document's, so the address is the one change); with `--slow`, a document
 * that never ends. Any accepted is High; a redirect followed, then refused, is Medium.
 * @see draft-ietf-oauth-client-id-metadata-document-02 §4 (client_id), §4.2 (redirect URIs), §5 (no redirects), §8.6 (SSRF), §8.7 (size);
 * MCP Authorization (2026-07-28) "Client ID Metadata Documents", Security Considerations
 */
export const REG_08: Check = {
  id: 'REG-08',
  async run(probe) {
    const { metadata } = await probe.fact('authorizationServer');
    if (metadata['client_id_metadata_document_supported'] !== true) {
      return notApplicable('the authorization server metadata does not say client_id_metadata_document_supported: true');
    }
    const { publicUrl } = probe.settings;
    if (publicUrl === undefined) return notApplicable('needs the auditor reachable from the authorization server: give --public-url');
    // Sends nothing until the server accepts a valid request at all (or the check is na, saying why).
    const { request } = await probe.fact('authorizationBaseline');
    const host = await startMetadataDocumentHost(publicUrl);
    try {
      return await probeDocuments(probe, host, request);
    } finally {
      await host.close();
    }
  },
};

async function probeDocuments(probe: Probe, host: MetadataDocumentHost, template: AuthorizationRequest): Promise<Verdict> {
  const canary = await probe.fact('canary');
  const redirectUri = canary.newRedirectUri();
  const send = (clientId: string, redirect = redirectUri) =>
    sendAuthorizationProbe(probe, withParameter(withParameter(template, 'client_id', clientId), 'redirect_uri', redirect), [redirectUri]);
  const served = (answer: (url: string) => Parameters<MetadataDocumentHost['serve']>[1]) => {
    const url = host.newUrl();
    host.serve(url, answer(url));
    return url;
  };

  const valid = served((url) => ({ kind: 'document', body: documentFor(url, redirectUri) }));
  const problem = baselineProblem(await send(valid), host.fetched(valid), valid);
  if (problem !== undefined) return problem;

  const missing = await send(host.newUrl());
  const upFront = missing.kind === 'refused' && !metLoginPage(missing);
  const findings: Finding[] = [documentFinding('a document URL that answers 404', missing, upFront)];

  const target = host.newUrl();
  const redirecting = served(() => ({ kind: 'redirect', location: target }));
  host.serve(target, { kind: 'document', body: documentFor(redirecting, redirectUri) });
  const redirected = documentFinding('a document URL that redirects to a valid document', await send(redirecting), upFront);
  findings.push(
    redirected.status === 'pass' && host.fetched(target)
      ? { ...redirected, status: 'fail', severity: 'medium', seen: `${redirected.seen}, but only after following the redirect (to anywhere it points)` }
      : redirected,
  );

  const padded = served((url) => ({ kind: 'document', body: documentFor(url, redirectUri).padEnd(OVERSIZED_BYTES, ' ') }));
  findings.push(documentFinding(`a ${OVERSIZED_BYTES / 1024} KiB document`, await send(padded), upFront));

  const mismatched = served(() => ({ kind: 'document', body: documentFor(host.newUrl(), redirectUri) }));
  findings.push(documentFinding('a document whose client_id is another URL', await send(mismatched), upFront));

  const other = canary.newRedirectUri();
  const listed = served((url) => ({ kind: 'document', body: documentFor(url, redirectUri) }));
  findings.push(mustNotRedirect('a redirect_uri the document does not list', await send(listed, other), [redirectUri], { presented: other, canary }));

  const internal = new URL(valid);
  internal.hostname = METADATA_ADDRESS;
  internal.port = '';
  internal.pathname = `/portcullis-audit/${randomSecret(12)}/client.json`;
  findings.push(documentFinding(`a client_id on ${METADATA_ADDRESS}`, await send(internal.href), upFront));

  if (probe.settings.slow) findings.push(await slowFinding(probe, host, send, upFront));
  const verdict = verdictOf(findings);
  const slow = probe.settings.slow || verdict.status === 'fail' ? '' : ' (a document that never ends: only with --slow)';
  const prefix = verdict.status === 'pass' ? 'a valid document was fetched and accepted; ' : '';
  return { ...verdict, summary: `${prefix}${verdict.summary}${slow}` };
}

/** A document that never ends must be given up on, and refused, before the auditor's own deadline (`--timeout`). */
async function slowFinding(probe: Probe, host: MetadataDocumentHost, send: (clientId: string) => Promise<ProbeOutcome>, upFront: boolean): Promise<Finding> {
  const label = 'a document that never ends';
  const url = host.newUrl();
  host.serve(url, { kind: 'trickle' });
  const started = performance.now();
  try {
    const finding = documentFinding(label, await send(url), upFront);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    return finding.status === 'pass' ? { ...finding, seen: `${finding.seen} after ${seconds} s` } : finding;
  } catch (error) {
    if (error instanceof BudgetExhaustedError || error instanceof RefusedUrlError || !host.fetched(url)) throw error;
    const seconds = Math.round(probe.settings.timeoutMs / 1000);
    return {
      label,
      status: 'fail',
      seen: `no answer within ${seconds} s (--timeout) while the server read it: one client_id holds a request as long as it likes`,
    };
  }
}
