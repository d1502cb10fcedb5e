import * as oauth from 'oauth4webapi';

/**
 * How an exchange with the upstream failed, which decides what the user and the MCP client are
 * told: `denied` (the user or the provider said no: `access_denied`), `unavailable` (unreachable,
 * timed out, 5xx: `temporarily_unavailable`), `invalid_response` (a response that fails the
 * protocol's checks — wrong `iss`, `state`, `nonce`, audience — or a provider set up wrongly:
 * `server_error`).
 */
export type UpstreamFailure = 'denied' | 'unavailable' | 'invalid_response';

export class UpstreamError extends Error {
  constructor(
    readonly failure: UpstreamFailure,
    /** For logs: never a token or a code. */
    readonly detail: string,
    /** The provider's own error code, when it sent one. */
    readonly upstreamCode?: string,
  ) {
    super(detail);
    this.name = 'UpstreamError';
  }
}

/**
 * Runs one back-channel exchange and sorts its failure: a network error, a timeout or a 5xx is
 * `unavailable`; an OAuth error body is `denied` for `access_denied` and otherwise, like any
 * response that fails oauth4webapi's checks, `invalid_response`.
 */
export async function upstreamCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    if (error instanceof oauth.ResponseBodyError) {
      const failure = error.status >= 500 ? 'unavailable' : error.error === 'access_denied' ? 'denied' : 'invalid_response';
      throw new UpstreamError(failure, `${what}: the provider answered ${error.status} ${error.error}`, error.error);
    }
    if (error instanceof oauth.WWWAuthenticateChallengeError) {
      throw new UpstreamError(error.status >= 500 ? 'unavailable' : 'invalid_response', `${what}: the provider answered ${error.status} with a challenge`);
    }
    if (error instanceof oauth.OperationProcessingError) {
      const status = (error.cause as { status?: unknown } | undefined)?.status;
      const failure = typeof status === 'number' && status >= 500 ? 'unavailable' : 'invalid_response';
      throw new UpstreamError(failure, `${what}: ${error.message}`);
    }
    // fetch failures (refused, reset, DNS) are TypeErrors; AbortSignal.timeout gives a TimeoutError.
    throw new UpstreamError('unavailable', `${what}: ${describeError(error)}`);
  }
}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}
