import { type AuthorizationAnswer, classifyAuthorizationAnswer } from '../authorization-answer.js';
import { type AuthorizationRequest, authorizationUrl, baselineAuthorizationRequest } from '../authorization-request.js';
import type { Probe } from '../probe.js';
import { NotReachedError } from '../verdict.js';

export interface AuthorizationBaseline {
  readonly request: AuthorizationRequest;
  readonly answer: AuthorizationAnswer;
  /** Origins whose pages are the server's own (its login and consent, or the identity provider it sends users to). */
  readonly interactionOrigins: readonly string[];
}

/**
 * Sends the valid authorization request once, without a login: it must be accepted (a login or
 * consent page, a redirect to one, or a code) for any refusal of a changed request to be
 * attributed to the change.
 */
export async function observeAuthorizationBaseline(probe: Probe): Promise<AuthorizationBaseline> {
  const request = await baselineAuthorizationRequest(probe);
  const { issuer } = await probe.fact('authorizationServer');
  const origins = [new URL(request.endpoint).origin, new URL(issuer).origin];
  const response = await probe.fetch(authorizationUrl(request));
  let answer = classifyAuthorizationAnswer(response, request.redirectUri, origins);
  if (answer.kind === 'elsewhere') {
    // A federating server sends the user to its identity provider: its pages count as the server's.
    origins.push(answer.location.origin);
    answer = { kind: 'interaction', status: answer.status, page: 'unknown' };
  }
  if (answer.kind === 'to-client' && answer.parameters.has('code')) probe.remember(answer.parameters.get('code') ?? undefined);
  if (answer.kind === 'error-page' || answer.kind === 'json-error' || (answer.kind === 'to-client' && answer.parameters.has('error'))) {
    const error = answer.kind === 'json-error' ? answer.error : answer.kind === 'to-client' ? answer.parameters.get('error') : `status ${answer.status}`;
    throw new NotReachedError('authorization', `the authorization server refuses a valid request (${error}), so no refusal can be attributed`);
  }
  return { request, answer, interactionOrigins: origins };
}
