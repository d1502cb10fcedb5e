/**
 * The state of an audit target: a small, hand-written MCP server with its own authorization
 * server in one process, correct by default, that a test can give exactly one flaw (see
 * flaws.ts). It shares no code with Portcullis's server, so the auditor is tested against
 * behaviour written independently of the code it also audits.
 */
import type { Flaw } from './flaws.js';

export interface TargetClient {
  clientId: string;
  clientSecret: string | undefined;
  redirectUris: string[];
  registrationAccessToken: string;
}

export interface TargetCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string | undefined;
  codeChallengeMethod: string | undefined;
  resource: string;
  scope: string;
  expiresAt: number;
  used: boolean;
  /** Access tokens issued from this code (revoked on replay). */
  issued: string[];
}

export interface TargetToken {
  clientId: string;
  resource: string;
  scope: string;
  expiresAt: number;
  family: string;
}

export interface TargetRefresh {
  clientId: string;
  resource: string;
  scope: string;
  family: string;
  spent: boolean;
}

/** Ways a correct target may differ that are not flaws: the forms correct servers come in. */
export interface TargetOptions {
  /** Show a login and consent page before issuing a code, instead of approving at once. */
  readonly consentPage?: boolean;
  /**
   * With `consentPage`: the user signs in once (a session cookie), and each client after that gets
   * a consent page of its own without a password field, whose form carries a CSRF token bound to
   * the session, as most servers do.
   */
  readonly sessionLogin?: boolean;
}

export interface TargetState {
  /** `http://127.0.0.1:PORT`: the issuer, and the origin of the MCP endpoint `/mcp`. */
  readonly origin: string;
  readonly flaws: ReadonlySet<Flaw>;
  readonly options: TargetOptions;
  readonly clients: Map<string, TargetClient>;
  readonly codes: Map<string, TargetCode>;
  readonly accessTokens: Map<string, TargetToken>;
  readonly refreshTokens: Map<string, TargetRefresh>;
  /** Refresh families revoked (reuse detected, or revoked by the client). */
  readonly revokedFamilies: Set<string>;
  /** Every secret the target issued (codes, tokens, client secrets, registration tokens): none may appear in a report. */
  readonly issuedSecrets: string[];
  /** Seconds since the epoch (a test may move it). */
  now(): number;
}

export const has = (state: TargetState, flaw: Flaw): boolean => state.flaws.has(flaw);
