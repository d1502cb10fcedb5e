import type { AddressKind } from '../../../core/ip-address.js';
import type { Check } from '../../check.js';
import { mayConnect } from '../../guarded-fetch.js';
import { fail, pass } from '../../verdict.js';
import { type AdvertisedUrl, authorizationServerUrls, resourceMetadataUrls } from '../as-metadata/advertised-urls.js';

/** The most host names looked up: a document with more URLs is not read further. */
const MOST_HOSTS = 30;

const DESCRIBED: Readonly<Record<AddressKind, string>> = {
  'link-local': 'a link-local address (where cloud metadata services answer)',
  loopback: 'a loopback address',
  private: 'a private address',
  special: 'a special-use address',
  public: 'a public address',
};

/**
 * DISC-10: no URL in the metadata documents resolves to an address a client must not be sent to
 * from this server: link-local (cloud metadata services) always, loopback unless the MCP endpoint
 * is on loopback itself, private ranges unless it is on a private address, other special-use
 * ranges. A server that names one is pointing its clients (and any server-side fetcher) at
 * internal services. Only looked up, never fetched: the auditor's guarded fetch refuses them anyway.
 * @see MCP Security Best Practices "Server-Side Request Forgery"; RFC 9728 §7.7; RFC 8414 §6
 */
export const DISC_10: Check = {
  id: 'DISC-10',
  async run(probe) {
    const resource = await probe.fact('resourceMetadata');
    const urls: AdvertisedUrl[] = resourceMetadataUrls(resource.document);
    const server = await probe.fact('authorizationServer').catch(() => undefined);
    if (server !== undefined) urls.push({ name: 'issuer', value: server.issuer, kind: 'endpoint' }, ...authorizationServerUrls(server.metadata));
    const byHost = new Map<string, AdvertisedUrl[]>();
    for (const url of urls) {
      if (!URL.canParse(url.value)) continue;
      const parsed = new URL(url.value);
      // Other schemes have no address to reach (ASM-07 reports them).
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') continue;
      const named = byHost.get(parsed.hostname) ?? [];
      named.push(url);
      byHost.set(parsed.hostname, named);
    }
    const findings: string[] = [];
    for (const [host, named] of [...byHost].slice(0, MOST_HOSTS)) {
      const kinds = await probe.addressKinds(new URL(named[0]!.value));
      const refused = kinds.find((kind) => !mayConnect(kind, probe.settings.targetKind, false));
      if (refused !== undefined)
        findings.push(`${named.map(({ name }) => name).join(', ')} (${host}) ${named.length > 1 ? 'resolve' : 'resolves'} to ${DESCRIBED[refused]}`);
    }
    const scope = server === undefined ? ' (the authorization server metadata was not reached: the resource side only)' : '';
    if (findings.length > 0) return fail(`${findings.join('; ')}${scope}`);
    return pass(`${byHost.size} host${byHost.size === 1 ? '' : 's'} named, none on an address clients must not be sent to${scope}`);
  },
};
