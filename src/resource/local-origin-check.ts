import { addressKind } from '../core/ip-address.js';
import { mcpTransportErrorResponse } from './json-rpc-error.js';

/**
 * DNS rebinding protection for an MCP endpoint on this machine or a private network: a web page
 * on another site can make the user's browser reach such an endpoint under a name the attacker
 * controls. So a request whose `Host` is not one of the endpoint's own names, or whose `Origin` is
 * present and not the endpoint's origin (or one the operator allowed), is refused with 403 before
 * anything else. An endpoint on a public name is left to its `Host` routing, and only checks
 * `Origin` when the operator lists the allowed ones.
 * @see MCP Basic, Transports, "Streamable HTTP", security warning (servers MUST validate `Origin`); RFC 6454 §7.3
 */
export interface LocalOriginPolicy {
  /** The MCP endpoint's public URL. */
  readonly resource: string;
  /** Browser origins (`https://app.example.com`) also allowed to call the endpoint. */
  readonly allowedOrigins?: readonly string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Whether the endpoint is on loopback or a private address (a name for one, or an IP literal). */
export function isLocalEndpoint(resource: URL): boolean {
  if (resource.hostname === 'localhost' || resource.hostname.endsWith('.localhost')) return true;
  const kind = addressKind(resource.hostname);
  return kind === 'loopback' || kind === 'private';
}

/** A check of a request's `Host` and `Origin`: a 403 response to send, or undefined to go on. */
export function createLocalOriginCheck(policy: LocalOriginPolicy): (headers: Headers) => Response | undefined {
  const resource = new URL(policy.resource);
  const local = isLocalEndpoint(resource);
  const allowedOrigins = new Set((policy.allowedOrigins ?? []).map((origin) => new URL(origin).origin));
  if (!local && allowedOrigins.size === 0) return () => undefined;
  const port = resource.port === '' ? '' : `:${resource.port}`;
  // The endpoint's own name, and the other loopback names of the same port when it is on loopback.
  const names = LOOPBACK_NAMES.includes(resource.hostname) ? LOOPBACK_NAMES : [resource.hostname];
  const hosts = new Set(names.map((name) => `${name}${port}`));
  const origins = new Set([...names.map((name) => `${resource.protocol}//${name}${port}`), ...allowedOrigins]);
  return (headers) => {
    const host = headers.get('host')?.toLowerCase();
    if (local && host !== undefined && !hosts.has(host)) {
      return mcpTransportErrorResponse(403, `Forbidden: this MCP endpoint does not answer to the host ${host.slice(0, 100)}`, 'host_not_allowed');
    }
    const origin = headers.get('origin');
    if (origin !== null && !origins.has(origin.toLowerCase())) {
      return mcpTransportErrorResponse(403, 'Forbidden: requests from this origin are not allowed (see gateway.allowedOrigins)', 'origin_not_allowed');
    }
    return undefined;
  };
}
