import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { canonicalResource } from '../../../core/resource-uri.js';
import { randomSecret } from '../../../core/secrets.js';
import type { Check } from '../../check.js';
import { isJsonObject } from '../../facts/resource-metadata.js';
import type { Probe } from '../../probe.js';
import { fail, inconclusive, pass } from '../../verdict.js';
import { sendWithBearer } from './rs-01-invalid-token.js';

/** An issuer no one here trusts. */
const FOREIGN_ISSUER = 'https://evil.example';
/** The most published keys tried as HMAC secrets. */
const MOST_KEYS = 2;

interface Forgery {
  readonly name: string;
  readonly token: string;
}

/** The issuer and key set a forger would copy from the metadata, with what is missing said. */
async function whatTheServerPublishes(probe: Probe): Promise<{ issuer: string; jwksUri: string | undefined; scopes: string[] }> {
  const resource = await probe.fact('resourceMetadata').catch(() => undefined);
  const supported = resource?.document['scopes_supported'];
  const scopes = Array.isArray(supported) ? supported.filter((scope): scope is string => typeof scope === 'string') : [];
  const server = await probe.fact('authorizationServer').catch(() => undefined);
  if (server !== undefined) {
    const issuer = typeof server.metadata['issuer'] === 'string' ? server.metadata['issuer'] : server.issuer;
    const jwksUri = server.metadata['jwks_uri'];
    return { issuer, jwksUri: typeof jwksUri === 'string' ? jwksUri : undefined, scopes };
  }
  const named = resource?.document['authorization_servers'];
  const first = Array.isArray(named) && typeof named[0] === 'string' ? named[0] : probe.settings.target.origin;
  return { issuer: first, jwksUri: undefined, scopes };
}

/** The published public keys, as PEM (what a verifier handed "the key" would HMAC with), or why there are none. */
async function publishedKeys(probe: Probe, jwksUri: string | undefined): Promise<{ kid: string | undefined; pem: string }[] | string> {
  if (jwksUri === undefined) return 'no jwks_uri is advertised';
  let document: unknown;
  try {
    const response = await probe.fetch(jwksUri, { headers: { accept: 'application/jwk-set+json, application/json' } });
    document = response.status === 200 ? response.json() : undefined;
  } catch (error) {
    return `the JWK Set could not be fetched (${(error as Error).message})`;
  }
  const keys = isJsonObject(document) && Array.isArray(document['keys']) ? document['keys'] : [];
  const pems = keys.slice(0, MOST_KEYS).flatMap((key) => {
    if (!isJsonObject(key)) return [];
    try {
      const pem = createPublicKey({ key: key as JsonWebKey, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      return [{ kid: typeof key['kid'] === 'string' ? key['kid'] : undefined, pem }];
    } catch {
      return [];
    }
  });
  return pems.length > 0 ? pems : 'the JWK Set has no usable public key';
}

/** Forged access tokens (RFC 9068 shape), each wrong in one way a careless verifier misses. */
async function forge(probe: Probe): Promise<{ forgeries: Forgery[]; skipped: string | undefined }> {
  const { issuer, jwksUri, scopes } = await whatTheServerPublishes(probe);
  const now = Math.floor(Date.now() / 1000);
  const claims = (iss: string): JWTPayload => ({
    iss,
    aud: canonicalResource(probe.settings.target.href),
    sub: 'portcullis-audit',
    client_id: 'portcullis-audit',
    ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
    iat: now,
    exp: now + 300,
    jti: randomSecret(12),
  });
  const forgeries: Forgery[] = [{ name: 'alg:none', token: new UnsecuredJWT(claims(issuer)).encode() }];
  const keys = await publishedKeys(probe, jwksUri);
  if (typeof keys !== 'string') {
    for (const { kid, pem } of keys) {
      const token = await new SignJWT(claims(issuer))
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', ...(kid !== undefined ? { kid } : {}) })
        .sign(new TextEncoder().encode(pem));
      forgeries.push({ name: `HS256 keyed with the published public key${kid !== undefined ? ` ${kid}` : ''}`, token });
    }
  }
  const own = await generateKeyPair('ES256');
  const embedded = await new SignJWT(claims(FOREIGN_ISSUER))
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', jwk: await exportJWK(own.publicKey) })
    .sign(own.privateKey);
  forgeries.push({ name: `signed by ${FOREIGN_ISSUER} with the key in its own header`, token: embedded });
  return { forgeries, skipped: typeof keys === 'string' ? keys : undefined };
}

/**
 * RS-02: forged JWT access tokens are refused: one unsigned (`alg: none`), one signed HS256 with
 * the authorization server's published public key as the HMAC secret (algorithm confusion; when
 * a `jwks_uri` is advertised), and one signed by a foreign issuer with the key carried in its own
 * header (embedded `jwk`). Each has the right audience, scope and lifetime, so only the forgery
 * can make a verifier refuse it; any accepted is a way in for anyone.
 * @see RFC 8725 §2.1, §3.1, §3.2; RFC 9068 §4; RFC 7515 §4.1.3
 */
export const RS_02: Check = {
  id: 'RS-02',
  async run(probe) {
    const challenge = await probe.fact('challenge');
    if (challenge.response.status !== 401) {
      return inconclusive(`initialize without a token was answered ${challenge.response.status}, so the answer to a forged token cannot be told apart`);
    }
    const { forgeries, skipped } = await forge(probe);
    const accepted: string[] = [];
    const broken: string[] = [];
    const statuses = new Set<number>();
    for (const { name, token } of forgeries) {
      const { status } = await sendWithBearer(probe, token);
      statuses.add(status);
      if (status >= 200 && status < 300) accepted.push(name);
      else if (status >= 500) broken.push(`${name} (${status})`);
    }
    if (accepted.length > 0) return fail(`forged access tokens were accepted: ${accepted.join('; ')}`);
    if (broken.length > 0) return inconclusive(`the server failed on forged tokens instead of refusing them: ${broken.join('; ')}`);
    const note = skipped === undefined ? '' : ` (no key-confusion forgery: ${skipped})`;
    return pass(`${forgeries.length} forged tokens refused (${forgeries.map(({ name }) => name).join('; ')}), answered ${[...statuses].join(', ')}${note}`);
  },
};
