import { z } from 'zod';
import { foldHeaderName, HOP_BY_HOP_HEADERS, RESERVED_HEADERS } from './forwarded-header-names.js';
import { scopePolicySchema } from './scope-policy.js';

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
    /**
     * Browser origins allowed to call the MCP endpoint besides its own. A gateway on loopback or a
     * private address refuses any other `Origin`, and any `Host` not its own (DNS rebinding).
     */
    allowedOrigins: z.array(z.string().url()).max(100).optional(),
    /** Scopes per MCP method and tool. Default: every call needs the server's default scopes. */
    scopes: scopePolicySchema.optional(),
    /**
     * Off by default. On: a call without a valid token is challenged with every scope in `scopes`,
     * so a client asks for all of them at its first sign-in and one consent covers every tool.
     * For clients that cannot step up: the MCP SDK 1.x transport (Claude Code, Cursor, the MCP
     * Inspector, mcp-remote) answers `403 insufficient_scope` by refreshing its token, which
     * cannot add a scope (RFC 6749 §6), and then gives up. A 403 still names the scopes the call needs.
     */
    challengeAllScopes: z.boolean().optional(),
    /** Time to the upstream's response headers before answering 504. */
    upstreamTimeoutSeconds: z.number().int().min(1).max(3600).optional(),
    /** Largest request body passed on; larger gets 413. */
    maxRequestBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .optional(),
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
      .refine(
        (name) => !RESERVED_HEADERS.has(foldHeaderName(name)) && !HOP_BY_HOP_HEADERS.has(foldHeaderName(name)),
        'a header the gateway or HTTP already uses',
      )
      .optional(),
  })
  .strict();

export type GatewaySettings = z.input<typeof gatewaySettingsSchema>;
