import { randomSecret } from '../../../core/secrets.js';
import type { Check } from '../../check.js';
import { metadataString } from '../../facts/authorization-server.js';
import type { ProbeResponse } from '../../guarded-fetch.js';
import type { Probe } from '../../probe.js';
import { auditClientMetadata, type ClientCredentials, clientAuthentication, register } from '../../registration.js';
import { tokenEndpoint } from '../../token-request.js';
import { fail, inconclusive, pass, type Verdict } from '../../verdict.js';

/** A token endpoint's answer, as far as these checks read it. */
interface TokenAnswer {
  readonly status: number;
  /** The `error` member of a JSON object body, when there is one. */
  readonly error: string | undefined;
}

function answerOf(response: ProbeResponse): TokenAnswer {
  const body = response.json();
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  return { status: response.status, error: typeof error === 'string' && /^[\x20-\x7e]{1,64}$/.test(error) ? error : undefined };
}

const shown = (answer: TokenAnswer) => `${answer.status}${answer.error !== undefined ? ` ${answer.error}` : ''}`;

/** An authorization-code redemption with a code the server never issued, sent as `client`. */
function redeemMadeUpCode(probe: Probe, endpoint: string, client: ClientCredentials, redirectUri: string): Promise<TokenAnswer> {
  const { headers, parameters } = clientAuthentication(client);
  const body = new URLSearchParams([
    ['grant_type', 'authorization_code'],
    ['code', randomSecret(32)],
    ['redirect_uri', redirectUri],
    ['code_verifier', randomSecret(32)],
    ...parameters,
  ]);
  return probe.fetch(endpoint, { method: 'POST', headers, body }).then(answerOf);
}

/** A confidential client to send a wrong secret for: the auditor's own when it has a secret, else one registered for this. */
async function confidentialClient(probe: Probe, own: ClientCredentials | undefined, redirectUri: string): Promise<ClientCredentials | undefined> {
  if (own !== undefined && own.authMethod !== 'none' && own.clientSecret !== undefined) return own;
  const { metadata } = await probe.fact('authorizationServer');
  const endpoint = metadataString(metadata, 'registration_endpoint');
  if (endpoint === undefined) return undefined;
  const registration = await register(probe, endpoint, { ...auditClientMetadata([redirectUri]), token_endpoint_auth_method: 'client_secret_basic' });
  if (registration.clientId === undefined || registration.clientSecret === undefined) return undefined;
  const method = registration.body?.['token_endpoint_auth_method'] === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic';
  return { clientId: registration.clientId, clientSecret: registration.clientSecret, authMethod: method };
}

interface Impostor {
  readonly label: string;
  readonly answer: TokenAnswer;
  /** It authenticated with HTTP Basic (RFC 6749 §5.2: then the refusal is a 401). */
  readonly basic: boolean;
  /** What the genuine client's same request got. */
  readonly control: TokenAnswer | undefined;
}

/** A known confidential client redeeming a made-up code with a wrong secret, after the same with its right one; or why not. */
async function wrongSecretImpostor(
  probe: Probe,
  endpoint: string,
  own: ClientCredentials | undefined,
  ownControl: TokenAnswer | undefined,
  redirectUri: string,
): Promise<{ impostor?: Impostor; note?: string }> {
  const confidential = await confidentialClient(probe, own, redirectUri);
  if (confidential === undefined) return { note: 'no confidential client to send a wrong secret for' };
  const control = confidential === own ? ownControl : await redeemMadeUpCode(probe, endpoint, confidential, redirectUri);
  if (control?.error === 'invalid_client')
    return { note: `a confidential client with its right secret was answered ${shown(control)}, so a wrong secret was not tried` };
  const wrong = { ...confidential, clientSecret: randomSecret(32) };
  const answer = await redeemMadeUpCode(probe, endpoint, wrong, redirectUri);
  return { impostor: { label: 'a wrong client secret', answer, basic: wrong.authMethod === 'client_secret_basic', control } };
}

/** What one impostor's answer means: undefined when it was the right refusal. */
function judge(label: string, answer: TokenAnswer, basic: boolean, control: TokenAnswer | undefined): Verdict | undefined {
  if (answer.error === 'invalid_client') {
    return basic && answer.status !== 401 ? fail(`${label} was answered ${answer.status} invalid_client, not 401 (HTTP Basic was used)`, 'low') : undefined;
  }
  if (answer.status >= 200 && answer.status < 300) return fail(`${label} was answered ${answer.status}: the request was not refused`);
  if (answer.error === 'invalid_grant')
    return fail(`${label} was answered invalid_grant: the made-up code was examined though the client did not authenticate`);
  if (control !== undefined && control.status === answer.status && control.error === answer.error) {
    return inconclusive(`${label} and the auditor's own client were both answered ${shown(answer)}: the request was refused before any client check`);
  }
  return fail(`${label} was answered ${shown(answer)}, not invalid_client`, 'low');
}

/**
 * TOK-13: the token endpoint authenticates the client before it looks at the grant. An unknown
 * `client_id` (in the form, and in HTTP Basic) and a known client with a wrong secret, each
 * redeeming a made-up code, must be answered `invalid_client` (401 when HTTP Basic was used),
 * never `invalid_grant`: that answer means the code was examined first, for anyone. The
 * auditor's own client redeeming a made-up code is the control: it must not get `invalid_client`,
 * or no refusal can be put down to the client.
 * @see RFC 6749 §5.2 (`invalid_client`; 401 with `WWW-Authenticate` for an Authorization header), §3.2.1, §2.3.1
 */
export const TOK_13: Check = {
  id: 'TOK-13',
  async run(probe) {
    const endpoint = await tokenEndpoint(probe);
    const canary = await probe.fact('canary');
    const own = await probe.factIfReached('client');
    const redirectUri = own?.redirectUri ?? canary.newRedirectUri();
    const control = own !== undefined ? await redeemMadeUpCode(probe, endpoint, own, redirectUri) : undefined;
    if (control !== undefined && (control.error === 'invalid_client' || (control.status >= 200 && control.status < 300))) {
      return inconclusive(`the auditor's own client redeeming a made-up code was answered ${shown(control)}, so no answer can be put down to the client`);
    }
    const stranger = { clientId: `portcullis-audit-${randomSecret(12)}`, clientSecret: randomSecret(24) };
    const impostors: Impostor[] = [
      {
        label: 'an unknown client_id in the form',
        answer: await redeemMadeUpCode(probe, endpoint, { ...stranger, clientSecret: undefined, authMethod: 'none' }, redirectUri),
        basic: false,
        control,
      },
      {
        label: 'an unknown client in HTTP Basic',
        answer: await redeemMadeUpCode(probe, endpoint, { ...stranger, authMethod: 'client_secret_basic' }, redirectUri),
        basic: true,
        control,
      },
    ];
    const wrongSecret = await wrongSecretImpostor(probe, endpoint, own, control, redirectUri);
    if (wrongSecret.impostor !== undefined) impostors.push(wrongSecret.impostor);
    const verdicts = impostors.map((impostor) => judge(impostor.label, impostor.answer, impostor.basic, impostor.control));
    const worst =
      verdicts.find((verdict) => verdict?.status === 'fail' && verdict.severity === undefined) ??
      verdicts.find((verdict) => verdict?.status === 'fail') ??
      verdicts.find((verdict) => verdict !== undefined);
    if (worst !== undefined) return worst;
    const tested = impostors.map(({ label, answer }) => `${label}: ${shown(answer)}`).join('; ');
    const against = control !== undefined ? `, while the auditor's own client got ${shown(control)}` : '';
    return pass(`${tested}${against}${wrongSecret.note !== undefined ? `; ${wrongSecret.note}` : ''}`);
  },
};
