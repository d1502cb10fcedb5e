import type { AddressKind } from '../core/ip-address.js';
import type { AddressLookup } from '../http/pinned-request.js';
import type { Severity } from './check-definition.js';

/** How authorizations are completed in `--login` mode (see docs/audit.md). */
export type BrowserChoice = { readonly kind: 'auto' } | { readonly kind: 'system' } | { readonly kind: 'command'; readonly command: string };

/** What the caller of `audit()` may set; everything but `target` has a default. */
export interface AuditOptions {
  /** The MCP endpoint, as a client connects to it (`https://mcp.example.com/mcp`). */
  readonly target: string;
  /** Also run the checks that need a user (default false). */
  readonly login?: boolean;
  /** Check IDs or area names to run (default: all). */
  readonly only?: readonly string[];
  /** Check IDs or area names not to run. */
  readonly skip?: readonly string[];
  /** Run the timed checks (code lifetime, grace windows). */
  readonly slow?: boolean;
  /** DANGEROUS: let a public target send the auditor to private and loopback addresses. */
  readonly allowPrivate?: boolean;
  /** A pre-registered client; otherwise the auditor registers one and deletes it after. */
  readonly clientId?: string;
  readonly clientSecret?: string;
  /**
   * The loopback redirect URI registered for `clientId` (`http://127.0.0.1/callback`); the auditor
   * listens on it, on a port of its own (RFC 8252 §7.3 lets a loopback redirect take any port).
   */
  readonly redirectUri?: string;
  /** Where the authorization server can reach the auditor (to host a Client ID Metadata Document). */
  readonly publicUrl?: string;
  readonly browser?: BrowserChoice;
  readonly username?: string;
  readonly password?: string;
  /** Send a bounded burst of registrations to see a rate limit (REG-06). */
  readonly probeRateLimit?: boolean;
  /** A token of another issuer, which the resource must refuse (RS-05). */
  readonly foreignToken?: string;
  /** Make one real MCP call with the token obtained (RS-09). */
  readonly verifyCallTool?: boolean;
  /** Per request (default 10 s). */
  readonly timeoutMs?: number;
  /** The most requests of the whole audit (default 600). */
  readonly requestBudget?: number;
  /** Milliseconds between requests (default 0). */
  readonly paceMs?: number;
  /** How host names are resolved (default: the system's); tests give a fixed table. */
  readonly lookup?: AddressLookup;
  /** Told about each step and check as the audit goes. */
  readonly onProgress?: (event: AuditProgress) => void;
}

export type AuditProgress =
  | { readonly type: 'check'; readonly id: string; readonly status: string; readonly summary: string; readonly severity: Severity }
  | { readonly type: 'note'; readonly message: string };

/** The options once checked, with their defaults, as the checks read them. */
export interface AuditSettings {
  readonly target: URL;
  /** The kind of address the target is on (decides where else the auditor may go, and DISC-08). */
  readonly targetKind: AddressKind;
  readonly login: boolean;
  readonly slow: boolean;
  readonly allowPrivate: boolean;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly redirectUri: URL | undefined;
  readonly publicUrl: URL | undefined;
  readonly browser: BrowserChoice;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly probeRateLimit: boolean;
  readonly foreignToken: string | undefined;
  readonly verifyCallTool: boolean;
  readonly timeoutMs: number;
  readonly requestBudget: number;
  readonly paceMs: number;
  readonly lookup: AddressLookup | undefined;
}
