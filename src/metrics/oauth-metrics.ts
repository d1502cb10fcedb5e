import { Counter, type Registry } from 'prom-client';
import { BoundCounter, type CounterCell } from './bound-series.js';
import type { EndpointName } from './endpoint-name.js';

/** The grants the token endpoint runs (OAuth 2.1 §4.1.3, §4.3). */
export type IssuingGrantType = 'authorization_code' | 'refresh_token';

/** Tokens issued, and requests refused with an OAuth error. */
export interface OAuthMetrics {
  /** A token response sent (`portcullis_tokens_issued_total{grant_type}`). */
  tokenIssued(grantType: IssuingGrantType): void;
  /**
   * A request refused with an OAuth error code (`portcullis_oauth_errors_total{endpoint,error}`).
   * The code is one of the closed set of src/core/errors.ts, never text of the request.
   */
  refused(endpoint: EndpointName, error: string): void;
}

export function createOAuthMetrics(registry: Registry): OAuthMetrics {
  const issued = new BoundCounter('portcullis_tokens_issued_total', 'Token responses sent by the token endpoint, by grant type', ['grant_type'], registry);
  const cells: Record<IssuingGrantType, CounterCell> = {
    authorization_code: issued.bind({ grant_type: 'authorization_code' }),
    refresh_token: issued.bind({ grant_type: 'refresh_token' }),
  };
  const refusals = new Counter({
    name: 'portcullis_oauth_errors_total',
    help: 'Requests answered with an OAuth error, by endpoint and error code (RFC 6749 §5.2, §4.1.2.1)',
    labelNames: ['endpoint', 'error'],
    registers: [registry],
  });
  return {
    tokenIssued: (grantType) => cells[grantType].inc(),
    refused: (endpoint, error) => refusals.inc({ endpoint, error }),
  };
}
