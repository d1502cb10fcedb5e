import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { Check } from '../../check.js';
import { isJsonObject } from '../../facts/resource-metadata.js';
import { type ProbeResponse, RefusedUrlError } from '../../guarded-fetch.js';
import type { Probe } from '../../probe.js';
import { fail, pass, warn } from '../../verdict.js';
import { authorizationServerUrls, shown } from './advertised-urls.js';

/** JWK members that hold private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** The most keys looked at. */
const MOST_KEYS = 20;

/** What is wrong with a JWK Set, or undefined when every key is a public key Node can import. */
export function jwkSetProblem(document: unknown): string | undefined {
  if (!isJsonObject(document)) return 'is not a JSON object';
  const keys = document['keys'];
  if (!Array.isArray(keys)) return 'has no keys array';
  if (keys.length === 0) return 'has no keys';
  for (const [index, key] of keys.slice(0, MOST_KEYS).entries()) {
    if (!isJsonObject(key) || typeof key['kty'] !== 'string') return `key ${index} has no kty`;
    const exposed = PRIVATE_MEMBERS.filter((member) => member in key);
    if (exposed.length > 0) return `key ${index} publishes private or secret key material (${exposed.join(', ')})`;
    try {
      createPublicKey({ key: key as JsonWebKey, format: 'jwk' });
    } catch {
      return `key ${index} (kty ${JSON.stringify(key['kty']).slice(0, 20)}) is not a valid public key`;
    }
  }
  return undefined;
}

/** What is wrong with the advertised JWK Set (fetched through the guarded fetch), or undefined. */
async function jwksProblem(probe: Probe, jwksUri: string): Promise<string | undefined> {
  if (!URL.canParse(jwksUri)) return `jwks_uri ${shown(jwksUri)} is not a URL`;
  let response: ProbeResponse;
  try {
    response = await probe.fetch(jwksUri, { headers: { accept: 'application/jwk-set+json, application/json' } });
  } catch (error) {
    // An address the auditor will not go to is inconclusive (DISC-10 reports it); anything else is a JWK Set no client can fetch.
    if (error instanceof RefusedUrlError) throw error;
    return `jwks_uri could not be fetched (${(error as Error).message})`;
  }
  if (response.status !== 200) return `jwks_uri answered ${response.status}`;
  const problem = jwkSetProblem(response.json());
  return problem === undefined ? undefined : `the JWK Set at jwks_uri ${problem}`;
}

/**
 * ASM-08: the endpoints are on the issuer's host (one elsewhere is a warning: legitimate behind
 * some gateways, and what a metadata document sending clients to someone else looks like), and an
 * advertised `jwks_uri` serves a JWK Set of public keys a client can use to verify.
 * @see RFC 8414 §2; RFC 7517 §5; RFC 7518 §6
 */
export const ASM_08: Check = {
  id: 'ASM-08',
  async run(probe) {
    const { issuer, metadata } = await probe.fact('authorizationServer');
    const host = new URL(issuer).hostname;
    const jwksUri = metadata['jwks_uri'];
    if (jwksUri !== undefined) {
      const problem = typeof jwksUri === 'string' ? await jwksProblem(probe, jwksUri) : 'jwks_uri is not a string';
      if (problem !== undefined) return fail(problem);
    }
    const elsewhere = authorizationServerUrls(metadata).filter(
      ({ value, kind }) => kind === 'endpoint' && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && new URL(value).hostname !== host,
    );
    if (elsewhere.length > 0) {
      return warn(`not on the issuer's host ${host}: ${elsewhere.map(({ name, value }) => `${name} ${shown(value)}`).join(', ')}`);
    }
    return pass(`every endpoint on ${host}${typeof jwksUri === 'string' ? ', and jwks_uri serves a JWK Set of public keys' : ', no jwks_uri advertised'}`);
  },
};
