/**
 * The auditor against two real peers no one here wrote (issue 13): the MCP TypeScript SDK's own
 * example authorization server (`mcpAuthRouter` with its demo in-memory provider, as
 * `simpleStreamableHttp.js --oauth --oauth-strict` runs it) and oidc-provider 9 configured as an
 * MCP deployment would, behind a protected-resource metadata document. Each runs as a child
 * process (test/audit/peers/*-server.ts) and is audited unauthenticated and with `--login`.
 *
 * What it finds is pinned: the exact set of checks that `fail`, and the set that are
 * `inconclusive` or `error`, each with a one-line reason. docs/audit-peers.md gives the reasoning
 * in full (the rule, what the peer did, whether it matters). A change in either set is either a
 * check that changed (update the pin and the document) or a peer that changed (the SDK or
 * oidc-provider was upgraded: read what they did).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type AuditReport, audit } from '../../src/audit/index.js';

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 30_000;

interface Peer {
  readonly mcp: string;
  stop(): Promise<void>;
}

/** Runs `node --import tsx <script>` and waits for the JSON line with the MCP URL it prints once it listens. */
function startPeer(script: string): Promise<Peer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPOSITORY, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 30) stderr.shift();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // Its stdin closing is its signal to exit; a kill if it has not in 5 s.
    child.stdin!.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise<Peer>((resolve, reject) => {
    const failed = (why: string) => {
      child.kill('SIGKILL');
      reject(new Error(`${script}: ${why}\n${stderr.join('\n')}`));
    };
    const timer = setTimeout(() => failed(`no URL within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const early = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      failed(`exited (${signal ?? code}) before it listened`);
    };
    child.once('exit', early);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      child.off('exit', early);
      const announced = JSON.parse(line) as { mcp?: unknown };
      if (typeof announced.mcp !== 'string') return failed(`printed ${line.slice(0, 200)}`);
      resolve({ mcp: announced.mcp, stop });
    });
  });
}

/** Check ID → why it has this status on this peer (the reasoning in full is in docs/audit-peers.md). */
type Pinned = Readonly<Record<string, string>>;

interface Expected {
  /** Checks with status `fail`. */
  readonly fail: Pinned;
  /** Checks with status `inconclusive` or `error`. */
  readonly unsettled: Pinned;
  /** Checks that must pass: the peer's strengths, so a check that stops seeing them is noticed. */
  readonly passes: readonly string[];
}

function withStatus(report: AuditReport, statuses: readonly string[]): string[] {
  return report.checks
    .filter((check) => statuses.includes(check.status))
    .map((check) => check.id)
    .sort();
}

/** What the report says of each check, for a failure message: `ID status: summary`. */
function describeChecks(report: AuditReport, statuses: readonly string[]): string {
  return report.checks
    .filter((check) => statuses.includes(check.status))
    .map((check) => `  ${check.id} ${check.status}: ${check.summary}`)
    .join('\n');
}

function assertFindings(report: AuditReport, expected: Expected): void {
  assert.deepEqual(withStatus(report, ['fail']), Object.keys(expected.fail).sort(), `failures:\n${describeChecks(report, ['fail'])}`);
  const unsettled = ['inconclusive', 'error'];
  assert.deepEqual(withStatus(report, unsettled), Object.keys(expected.unsettled).sort(), `inconclusive or error:\n${describeChecks(report, unsettled)}`);
  const passed = new Set(withStatus(report, ['pass']));
  const missing = expected.passes.filter((id) => !passed.has(id));
  assert.deepEqual(
    missing,
    [],
    `expected to pass:\n${report.checks
      .filter((check) => missing.includes(check.id))
      .map((check) => `  ${check.id} ${check.status}: ${check.summary}`)
      .join('\n')}`,
  );
}

/**
 * A fresh peer process for the tests of the enclosing `describe`, stopped after them; returns its
 * MCP URL. One per audit, because the SDK's registration endpoint allows 20 registrations an hour
 * per address (express-rate-limit in its `register` handler) and one audit registers close to
 * that many clients.
 */
function peerFor(script: string): () => string {
  let peer: Peer | undefined;
  before(async () => {
    peer = await startPeer(script);
  });
  after(() => peer?.stop());
  return () => peer!.mcp;
}

// ---------------------------------------------------------------------------------------------
// The MCP SDK's example: setupAuthServer (mcpAuthRouter + DemoInMemoryAuthProvider) and its MCP server.

const SDK_SCRIPT = 'test/audit/peers/sdk-example-server.ts';

/** Found without a login: each is the SDK example's doing, not the auditor's (docs/audit-peers.md). */
const SDK_FAILS: Pinned = {
  'DISC-02': 'requireBearerAuth puts error="invalid_token" on the 401 to a request that sent no token (RFC 6750 §3.1: SHOULD NOT)',
  'DISC-08': 'createMcpExpressApp checks Host on loopback but not Origin: a foreign Origin gets the plain 401',
  'ASM-05': 'mcpAuthRouter sends no iss in authorization responses and does not announce authorization_response_iss_parameter_supported (RFC 9207)',
  'ASM-10': 'the demo provider has no revokeToken, so mcpAuthRouter advertises no revocation_endpoint',
  'AZ-06': "the authorize handler's schema takes any string as code_challenge",
  'AZ-07': 'state is parsed with the other parameters, so an error redirect for any bad parameter loses it',
  'AZ-08': 'resource is any URL at the authorization endpoint; the strict demo only refuses a foreign one at the token endpoint (with a 500)',
  'TOK-13': 'client authentication reads the form only: HTTP Basic for an unknown client gets 400 invalid_request, not invalid_client',
  'TOK-14': "invalid_request carries zod's multi-line message in error_description (RFC 6749 §5.2 leaves out CR and LF)",
  'RS-01': "the example's introspection verifier throws a plain Error for an unknown token, which requireBearerAuth answers with 500",
  'REG-01': 'the registration schema refuses javascript:, data: and vbscript: but registers a file: redirect URI',
  'REG-02': 'a plain-http redirect URI on a public host is registered',
  'REG-03': 'a code-grant client with an empty redirect_uris is registered',
  'REG-05': 'grant_types and response_types are stored unchecked (implicit, password, token); the endpoints never honour them',
};

const SDK_UNSETTLED: Pinned = {
  'RS-02': 'forged JWTs get the same 500 as any unknown token (RS-01): not accepted, but not a refusal the check can attribute',
};

/** Logged in, the demo provider approves at once (no login page): the same, and what the token endpoint does with codes. */
const SDK_LOGGED_IN_FAILS: Pinned = {
  ...SDK_FAILS,
  'TOK-05': 'PKCE is checked before the demo provider deletes the code: after a wrong verifier the right one still redeems it',
  'TOK-08': "a malformed verifier (42 or 129 characters, '+/=') is accepted when its S256 digest matches: its format is not checked",
  'TOK-11': "the demo provider's exchangeAuthorizationCode ignores redirect_uri: another registered one is accepted at the token endpoint",
};

const SDK_LOGGED_IN_UNSETTLED: Pinned = {
  ...SDK_UNSETTLED,
  'TOK-03': 'a replayed code is refused, but with a 500 (the demo throws a plain Error for a code it deleted)',
  'TOK-10': "another client's redemption is refused, but with a 500 (a plain Error in the demo provider)",
};

/** What the SDK example gets right, checked so that a check that stops seeing it is noticed. */
const SDK_PASSES = [
  ...['DISC-01', 'DISC-03', 'DISC-04', 'DISC-05', 'DISC-06', 'DISC-09', 'DISC-10'],
  ...['ASM-01', 'ASM-02', 'ASM-03', 'ASM-04', 'ASM-06', 'ASM-07', 'ASM-08', 'ASM-09'],
  ...['AZ-01', 'AZ-02', 'AZ-03', 'AZ-04', 'AZ-05', 'AZ-09', 'AZ-10', 'AZ-17'],
  ...['REG-04', 'REG-07'],
];
const SDK_LOGGED_IN_PASSES = ['TOK-01', 'TOK-02', 'TOK-04', 'TOK-06', 'TOK-12', 'TOK-15', 'RS-03', 'RS-04', 'RS-07', 'RS-09'];

describe('portcullis audit of the MCP SDK example authorization server (mcpAuthRouter, demo in-memory provider)', () => {
  describe('without a login', () => {
    const mcp = peerFor(SDK_SCRIPT);
    it('finds what the SDK example gets wrong, and nothing else', async () => {
      const report = await audit({ target: mcp() });
      assert.equal(report.mode, 'unauthenticated');
      assert.equal(report.incomplete, false, report.incompleteReason);
      assertFindings(report, { fail: SDK_FAILS, unsettled: SDK_UNSETTLED, passes: SDK_PASSES });
    });
  });

  describe('logged in (the demo provider approves at once)', () => {
    const mcp = peerFor(SDK_SCRIPT);
    it('completes the baseline flow and pins what it finds', async () => {
      const report = await audit({ target: mcp(), login: true, verifyCallTool: true });
      assert.equal(report.mode, 'logged-in');
      assert.equal(report.incomplete, false, report.incompleteReason);
      assert.equal(report.checks.find((check) => check.id === 'TOK-01')?.status, 'pass');
      assertFindings(report, { fail: SDK_LOGGED_IN_FAILS, unsettled: SDK_LOGGED_IN_UNSETTLED, passes: [...SDK_PASSES, ...SDK_LOGGED_IN_PASSES] });
      // The demo issues no refresh token (exchangeRefreshToken is "Not implemented"): nothing to rotate.
      for (const id of ['RT-01', 'RT-02', 'RT-03', 'RT-04', 'RT-05', 'RT-06', 'RT-07']) {
        const check = report.checks.find((candidate) => candidate.id === id);
        assert.equal(check?.status, 'na', id);
        assert.match(check?.summary ?? '', /issues no refresh token/, id);
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// oidc-provider 9, configured for MCP, behind an MCP endpoint with protected-resource metadata.

const OIDC_SCRIPT = 'test/audit/peers/oidc-provider-server.ts';

const OIDC_FAILS: Pinned = {
  'ASM-06': 'oidc-provider builds its endpoint URLs from the Host header (the issuer stays): Host evil.example moves authorization_endpoint there',
  'AZ-11': 'its development login and consent pages (devInteractions) send no frame-ancestors, X-Frame-Options or Referrer-Policy',
  'REV-03': "a public client may call introspection with only its client_id (the answer is active only for that client's own tokens)",
};

const OIDC_UNSETTLED: Pinned = {
  // Without a login these stop at the login page; logged in, the built-in browser goes through it (below).
  'AZ-06': 'a 44-character or non-base64url code_challenge reaches the login page (oidc-provider checks only 43–128 unreserved characters)',
  'AZ-12': 'the login page does not name the client; the consent page after it is not read',
};

const OIDC_LOGGED_IN_FAILS: Pinned = {
  ...OIDC_FAILS,
  'AZ-06': 'carried through the login, a 44-character or non-base64url code_challenge gets a code (one no verifier can redeem)',
  'AZ-12': 'the development consent page after the login lists the resource and scopes, not the client',
  'TOK-05': 'PKCE is checked before the code is consumed: after a wrong verifier the right one still redeems it',
};

// RS-06 warns: revoking a JWT access token is answered 400 unsupported_token_type ("Structured JWT
// Tokens cannot be revoked"), which RFC 7009 §2.2.1 allows; the check reports it.
const OIDC_LOGGED_IN_UNSETTLED: Pinned = {};

/** What oidc-provider and the endpoint in front get right. */
const OIDC_PASSES = [
  ...['DISC-01', 'DISC-02', 'DISC-03', 'DISC-04', 'DISC-05', 'DISC-06', 'DISC-08', 'DISC-09', 'DISC-10'],
  ...['ASM-01', 'ASM-02', 'ASM-03', 'ASM-04', 'ASM-05', 'ASM-07', 'ASM-08', 'ASM-09', 'ASM-10'],
  ...['AZ-01', 'AZ-02', 'AZ-03', 'AZ-04', 'AZ-05', 'AZ-08', 'AZ-09', 'AZ-10', 'AZ-13', 'AZ-17'],
  ...['TOK-13', 'TOK-14', 'RS-01', 'RS-02', 'REG-01', 'REG-02', 'REG-03', 'REG-04', 'REG-05', 'REV-02'],
];
const OIDC_LOGGED_IN_PASSES = [
  ...['TOK-01', 'TOK-02', 'TOK-04', 'TOK-06', 'TOK-08', 'TOK-10', 'TOK-11', 'TOK-12', 'TOK-15'],
  ...['RT-01', 'RT-03', 'RT-04', 'RT-05', 'RT-06', 'RT-07', 'RS-03', 'RS-04', 'RS-07', 'RS-09', 'AZ-15', 'AZ-16', 'REV-01'],
];

describe('portcullis audit of oidc-provider configured for MCP', () => {
  describe('without a login', () => {
    const mcp = peerFor(OIDC_SCRIPT);
    it('finds what oidc-provider does differently, and nothing else', async () => {
      const report = await audit({ target: mcp() });
      assert.equal(report.mode, 'unauthenticated');
      assert.equal(report.incomplete, false, report.incompleteReason);
      assertFindings(report, { fail: OIDC_FAILS, unsettled: OIDC_UNSETTLED, passes: OIDC_PASSES });
    });
  });

  describe('logged in (the built-in browser through its development login and consent pages)', () => {
    const mcp = peerFor(OIDC_SCRIPT);
    it('signs in, completes the baseline flow and pins what it finds', async () => {
      const report = await audit({ target: mcp(), login: true, username: 'auditor', password: 'any password will do', verifyCallTool: true });
      assert.equal(report.mode, 'logged-in');
      assert.equal(report.incomplete, false, report.incompleteReason);
      assert.equal(report.checks.find((check) => check.id === 'TOK-01')?.status, 'pass');
      assert.ok(!JSON.stringify(report).includes('any password will do'), 'the password never appears in the report');
      assertFindings(report, { fail: OIDC_LOGGED_IN_FAILS, unsettled: OIDC_LOGGED_IN_UNSETTLED, passes: [...OIDC_PASSES, ...OIDC_LOGGED_IN_PASSES] });
      const revoked = report.checks.find((check) => check.id === 'RS-06');
      assert.equal(revoked?.status, 'warn');
      assert.match(revoked?.summary ?? '', /does not revoke access tokens/);
    });
  });
});
