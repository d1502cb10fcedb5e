/**
 * The fixed name of each route in metrics: a request is counted under one of these, never under
 * its path, which may hold ids (a provider's callback) or anything a scanner sends (cardinality,
 * and docs/design.md invariant 7: nothing of a user in a label).
 */
export const ENDPOINT_NAMES = [
  'token',
  'authorize',
  'login',
  'consent',
  'register',
  'revoke',
  'introspect',
  'metadata',
  'jwks',
  'mcp',
  'health',
  'other',
] as const;

export type EndpointName = (typeof ENDPOINT_NAMES)[number];
