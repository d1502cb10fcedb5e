import { z } from 'zod';
import { scopePolicySchema } from './scope-policy.js';

/** Headers that carry the client's credentials, HTTP framing or MCP's own session state. */
const RESERVED_HEADERS = new Set(['authorization', 'cookie', 'host', 'connection', 'content-length', 'content-type', 'transfer-encoding', 'mcp-session-id', 'mcp-protocol-version', 'accept', 'x-portcullis-subject', 'x-portcullis-client-id', 'x-portcullis-scope', 'x-portcullis-identity']);

/**
 * The `gateway` section of the config file (docs/gateway.md). `--upstream` and `--resource` on
 * the command line set the first two.
 */
export const gatewaySettingsSchema = z
  .object({
    /** The protected MCP server's Streamable HTTP endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
    upstream: z.string().url(),
    /** The public URL of the gateway's MCP endpoint (the RFC 8707 resource). Default `<issuer>/mcp`. */
    resource: z.string().url().optional(),
    resourceName: z.string().min(1).max(200).optional(),
    /** Scopes per MCP method and tool. Default: every call needs the server's default scopes. */
    scopes: scopePolicySchema.optional(),
    /** Time to the upstream's response headers before answering 504. */
    upstreamTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
    /** Largest request body passed on; larger gets 413. */
    maxRequestBytes: z.number().int().min(1024).max(64 * 1024 * 1024).optional(),
    /**
     * How long a verified token is trusted before it is checked again, revocation included: the
     * bound on how long a revoked token keeps working at the gateway.
     */
    tokenCacheSeconds: z.number().int().min(0).max(300).optional(),
    /**
     * Off by default. With upstream identity providers: the request header in which the protected
     * server receives the signed-in user's upstream access token, to call the provider's API on
     * the user's behalf (docs/federation.md, "Handing the upstream token on"). The MCP client's
     * own token is never passed on.
     */
    upstreamTokenHeader: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'a header name such as X-Upstream-Token')
      .refine((name) => !RESERVED_HEADERS.has(name.toLowerCase()), 'a header the gateway or HTTP already uses')
      .optional(),
  })
  .strict();

export type GatewaySettings = z.input<typeof gatewaySettingsSchema>;
