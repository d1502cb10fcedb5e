import { type AuthorizationRequest, authorizationUrl, baselineAuthorizationRequest } from '../authorization-request.js';
import type { Probe } from '../probe.js';
import { InconclusiveError } from '../verdict.js';
import type { CompletedAuthorization } from './authorization-driver.js';

export interface Authorization {
  readonly request: AuthorizationRequest;
  readonly completed: CompletedAuthorization;
  /** The authorization response's parameters (`code`, `state`, `iss`, or `error`). */
  readonly parameters: URLSearchParams;
  readonly code: string | undefined;
}

/**
 * Sends `request` (the baseline by default) through the browser of `--browser` and returns the
 * authorization response; the code, if any, is remembered for redaction.
 */
export async function authorize(probe: Probe, request?: AuthorizationRequest): Promise<Authorization> {
  const sent = request ?? (await baselineAuthorizationRequest(probe));
  const driver = await probe.fact('driver');
  const completed = await driver.complete(authorizationUrl(sent), sent.redirectUri);
  const parameters = completed.callback.searchParams;
  const code = parameters.get('code') ?? undefined;
  probe.remember(code);
  return { request: sent, completed, parameters, code };
}

/** {@link authorize}, requiring a code: a refusal of the baseline means nothing that follows can be attributed. */
export async function authorizeForCode(probe: Probe, request?: AuthorizationRequest): Promise<Authorization & { readonly code: string }> {
  const authorization = await authorize(probe, request);
  if (authorization.code === undefined) {
    throw new InconclusiveError(`the authorization ended without a code (${authorization.parameters.get('error') ?? 'no error either'})`);
  }
  return authorization as Authorization & { code: string };
}
