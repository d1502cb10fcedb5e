import type { ScanRule } from '../scan-rule.js';
import { AUTHZ_URL_SHELL_OPEN } from './authz-url-shell-open.js';
import { COOKIE_FLAGS } from './cookie-flags.js';
import { JWT_AUDIENCE_UNCHECKED } from './jwt-audience-unchecked.js';
import { OAUTH_STATE_MISSING } from './oauth-state-missing.js';
import { OAUTH_STATE_UNCHECKED } from './oauth-state-unchecked.js';
import { PKCE_FAILURE_KEEPS_CODE } from './pkce-failure-keeps-code.js';
import { PKCE_MISSING } from './pkce-missing.js';
import { PKCE_OPTIONAL_SERVER } from './pkce-optional-server.js';
import { PKCE_PLAIN } from './pkce-plain.js';
import { PKCE_VERIFIER_FORMAT } from './pkce-verifier-format.js';
import { PKCE_VERIFIER_FRONT_CHANNEL } from './pkce-verifier-front-channel.js';
import { PKCE_VERIFIER_SHARED_STORE } from './pkce-verifier-shared-store.js';
import { PKCE_WEAK_RNG } from './pkce-weak-rng.js';
import { REDIRECT_URI_LOOSE_MATCH } from './redirect-uri-loose-match.js';
import { SECRET_COMPARE_TIMING } from './secret-compare-timing.js';
import { TOKEN_IN_URL } from './token-in-url.js';
import { TOKEN_LOGGED } from './token-logged.js';
import { TOKEN_PASSTHROUGH } from './token-passthrough.js';

/** The scanner's rules (../shared/audit-checks.md §2), one file each, in the catalogue's order. */
export const SCAN_RULES: readonly ScanRule[] = [
  PKCE_MISSING,
  PKCE_PLAIN,
  PKCE_WEAK_RNG,
  PKCE_VERIFIER_FORMAT,
  OAUTH_STATE_MISSING,
  OAUTH_STATE_UNCHECKED,
  PKCE_VERIFIER_SHARED_STORE,
  PKCE_VERIFIER_FRONT_CHANNEL,
  SECRET_COMPARE_TIMING,
  REDIRECT_URI_LOOSE_MATCH,
  TOKEN_LOGGED,
  TOKEN_PASSTHROUGH,
  JWT_AUDIENCE_UNCHECKED,
  PKCE_OPTIONAL_SERVER,
  PKCE_FAILURE_KEEPS_CODE,
  AUTHZ_URL_SHELL_OPEN,
  TOKEN_IN_URL,
  COOKIE_FLAGS,
];
