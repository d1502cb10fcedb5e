import type { Check } from '../../check.js';
import { isJsonObject } from '../../facts/resource-metadata.js';
import { fail, pass } from '../../verdict.js';
import { authorizationServerUrls, shown } from './advertised-urls.js';

/** The host an attacker would put in the headers. */
const FOREIGN_HOST = 'evil.example';

/** `issuer` and every URL member, by name. */
function urlsOf(metadata: Readonly<Record<string, unknown>>): Map<string, string> {
  const urls = new Map(authorizationServerUrls(metadata).map(({ name, value }) => [name, value]));
  if (typeof metadata['issuer'] === 'string') urls.set('issuer', metadata['issuer']);
  return urls;
}

/**
 * ASM-06: the metadata does not follow the request's `X-Forwarded-Host`/`X-Forwarded-Proto`,
 * `Forwarded` or `Host`: a server that builds its issuer and endpoints from them hands an
 * attacker's host to every client behind a cache or a proxy that passes those headers on
 * (poisoning the metadata sends codes and tokens to the attacker). Each probe is the metadata
 * request the audit already made with one set of headers added; an answer that is not the
 * metadata (a refusal for an unknown host) changes nothing.
 * @see RFC 9700 §4.13 (and §4.4 mix-up); RFC 8414 §3.3; RFC 7239
 */
export const ASM_06: Check = {
  id: 'ASM-06',
  async run(probe) {
    const { metadataUrl, metadata } = await probe.fact('authorizationServer');
    const port = metadataUrl.port === '' ? '' : `:${metadataUrl.port}`;
    const otherProto = metadataUrl.protocol === 'https:' ? 'http' : 'https';
    const variants: { what: string; headers: Record<string, string> }[] = [
      { what: 'X-Forwarded-Host/X-Forwarded-Proto', headers: { 'x-forwarded-host': FOREIGN_HOST, 'x-forwarded-proto': otherProto } },
      { what: 'Forwarded', headers: { forwarded: `host=${FOREIGN_HOST};proto=${otherProto}` } },
      { what: 'Host', headers: { host: `${FOREIGN_HOST}${port}` } },
    ];
    const original = urlsOf(metadata);
    const changes: string[] = [];
    for (const { what, headers } of variants) {
      const response = await probe.fetch(metadataUrl, { headers });
      const document = response.json();
      if (response.status !== 200 || !isJsonObject(document)) continue;
      const changed = [...urlsOf(document)].filter(([name, value]) => original.get(name) !== value);
      if (changed.length > 0) {
        const [name, value] = changed[0]!;
        changes.push(`with ${what} ${FOREIGN_HOST}, ${name} became ${shown(value)}${changed.length > 1 ? ` (and ${changed.length - 1} more)` : ''}`);
      }
    }
    if (changes.length > 0) return fail(`the metadata follows the request's headers: ${changes.join('; ')}`);
    return pass(`issuer and endpoints are the same with X-Forwarded-*, Forwarded and Host set to ${FOREIGN_HOST}`);
  },
};
