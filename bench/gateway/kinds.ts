/** The servers of the gateway benchmark (bench/gateway/servers.ts says what each one is). */
export const KINDS = ['bare', 'hono', 'guard-hono', 'guard-node', 'sdk-express', 'gateway'] as const;
export type ServerKind = (typeof KINDS)[number];

/** Marks a server's announcement line among anything else printed on stdout. */
export const ANNOUNCEMENT_KEY = 'gatewayBench';
