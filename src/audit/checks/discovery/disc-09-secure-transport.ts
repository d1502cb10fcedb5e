import { mayUsePlainHttp } from '../../../core/plain-http.js';
import type { Check } from '../../check.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import type { Probe } from '../../probe.js';
import { fail, pass } from '../../verdict.js';
import { authorizationServerUrls, resourceMetadataUrls, shown } from '../as-metadata/advertised-urls.js';

/** A URL a client is sent to, and the URL whose security it inherits (the MCP endpoint, or the issuer). */
export interface NamedEndpoint {
  readonly name: string;
  readonly value: string;
  readonly base: URL;
}

/**
 * The endpoints a client would reach over plain http when it should not: http is for a
 * development server on loopback, and only when what named the endpoint is one too. Other schemes
 * are ASM-07's to report.
 * @see OAuth 2.1 §1.5; RFC 8252 §8.3
 */
export function plainHttpEndpoints(endpoints: readonly NamedEndpoint[]): NamedEndpoint[] {
  return endpoints.filter(({ value, base }) => URL.canParse(value) && new URL(value).protocol === 'http:' && !mayUsePlainHttp(new URL(value), base));
}

/**
 * What is wrong with a `Strict-Transport-Security` header, or undefined when it asks for https
 * for some time (`max-age` > 0).
 * @see RFC 6797 §6.1
 */
export function hstsProblem(header: string | null): string | undefined {
  if (header === null) return 'no Strict-Transport-Security';
  const maxAge = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?\s*(?:;|$)/i.exec(header)?.[1];
  if (maxAge === undefined) return 'a Strict-Transport-Security without max-age';
  if (Number(maxAge) === 0) return 'Strict-Transport-Security max-age=0';
  return undefined;
}

/** The endpoints of the metadata documents the audit reached; the authorization server's only when its metadata was found. */
async function endpointsOf(probe: Probe): Promise<{ endpoints: NamedEndpoint[]; documents: URL[]; asReached: boolean }> {
  const target = probe.settings.target;
  const resource = await probe.fact('resourceMetadata');
  const endpoints: NamedEndpoint[] = [{ name: 'the MCP endpoint', value: target.href, base: target }];
  // The challenge's resource_metadata is DISC-02's, authorization_servers DISC-05's.
  endpoints.push({ name: 'the protected-resource metadata', value: resource.url.href, base: target });
  for (const url of resourceMetadataUrls(resource.document)) {
    if (url.kind === 'endpoint' && !url.name.startsWith('authorization_servers')) endpoints.push({ ...url, base: target });
  }
  const documents = [resource.url];
  const server = await probe.fact('authorizationServer').catch(() => undefined);
  if (server === undefined) return { endpoints, documents, asReached: false };
  const issuer = URL.canParse(server.issuer) ? new URL(server.issuer) : target;
  endpoints.push({ name: 'the authorization server metadata', value: server.metadataUrl.href, base: issuer });
  for (const url of authorizationServerUrls(server.metadata)) if (url.kind === 'endpoint') endpoints.push({ ...url, base: issuer });
  documents.push(server.metadataUrl);
  return { endpoints, documents, asReached: true };
}

/**
 * DISC-09: every endpoint of the flow is https (plain http only for a development server on
 * loopback), and every https answer the auditor read asks browsers to stay on https (HSTS): a
 * code, a token or the metadata sent in the clear can be read or replaced on the way.
 * @see OAuth 2.1 §1.5; RFC 9728 §2; RFC 8414 §2; RFC 6797
 */
export const DISC_09: Check = {
  id: 'DISC-09',
  async run(probe) {
    const { endpoints, documents, asReached } = await endpointsOf(probe);
    const scope = asReached ? '' : ' (the authorization server metadata was not reached: the resource side only)';
    const plain = plainHttpEndpoints(endpoints);
    if (plain.length > 0) {
      return fail(`plain http off loopback: ${plain.map(({ name, value }) => `${name} ${shown(value)}`).join(', ')}${scope}`);
    }
    const answers: { what: string; response: ProbeResponse }[] = [];
    const challenge = await probe.fact('challenge');
    if (probe.settings.target.protocol === 'https:') answers.push({ what: 'the MCP endpoint', response: challenge.response });
    for (const url of documents) {
      if (url.protocol === 'https:') answers.push({ what: url.href, response: await probe.fetch(url) });
    }
    const missing = answers.flatMap(({ what, response }) => {
      const problem = hstsProblem(response.headers.get('strict-transport-security'));
      return problem === undefined ? [] : [`${what}: ${problem}`];
    });
    if (missing.length > 0) return fail(`https without HSTS, so a browser may be downgraded: ${missing.join('; ')}`, 'low');
    const https = endpoints.every(({ value }) => !URL.canParse(value) || new URL(value).protocol !== 'http:');
    return pass(`${https ? 'every endpoint is https, with HSTS' : 'plain http only on loopback, for a local server'}${scope}`);
  },
};
