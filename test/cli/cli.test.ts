import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyPassword } from '../../src/server/browser/password-hash.js';
import { openStore } from '../../src/store/index.js';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process, as a user would. */
function portcullis(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...process.env, PORTCULLIS_SECRET: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(options.stdin ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts a long-running command (`serve`, `demo`) with `--json` and waits for its summary. */
async function startServing<T>(args: string[]): Promise<{ summary: T; stderr: () => string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args, '--json'], {
    env: { ...process.env, PORTCULLIS_SECRET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const summary = await new Promise<T>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        try {
          resolve(JSON.parse(stdout) as T);
        } catch {
          /* wait for the whole document */
        }
      });
      child.on('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${stderr}`)));
    });
    return { summary, stderr: () => stderr, stop: () => child.kill('SIGTERM') };
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
}

describe('portcullis CLI', () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
    db = `sqlite:${join(dir, 'portcullis.db')}`;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has --help for every command', async () => {
    const top = await portcullis(['--help']);
    assert.equal(top.code, 0);
    for (const command of ['serve', 'demo', 'users', 'clients', 'consents', 'keys']) assert.match(top.stdout, new RegExp(`\\b${command}\\b`));
    for (const command of [['serve'], ['demo'], ['users', 'add'], ['users', 'set-password'], ['clients', 'add'], ['keys', 'rotate']]) {
      const help = await portcullis([...command, '--help']);
      assert.equal(help.code, 0, command.join(' '));
      assert.match(help.stdout, /--json/);
    }
  });

  it('adds, lists and removes users, reading the password from stdin', async () => {
    const added = await portcullis(['users', 'add', 'alice', '--password-stdin', '--db', db, '--json'], { stdin: 'a long enough password\n' });
    assert.equal(added.code, 0, added.stderr);
    assert.equal(JSON.parse(added.stdout).username, 'alice');
    assert.doesNotMatch(added.stdout + added.stderr, /a long enough password/);

    const duplicate = await portcullis(['users', 'add', 'alice', '--password-stdin', '--db', db], { stdin: 'another password' });
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /already exists/);
    assert.doesNotMatch(duplicate.stderr, /\n\s+at /, 'no stack trace');

    const noStdin = await portcullis(['users', 'add', 'bob', '--db', db]);
    assert.equal(noStdin.code, 1);
    assert.match(noStdin.stderr, /--password-stdin/);

    const short = await portcullis(['users', 'add', 'bob', '--password-stdin', '--db', db], { stdin: 'short' });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 8/);

    const list = await portcullis(['users', 'list', '--db', db, '--json']);
    assert.deepEqual(
      JSON.parse(list.stdout).map((u: { username: string }) => u.username),
      ['alice'],
    );
    assert.doesNotMatch(list.stdout, /scrypt/, 'no password hashes in listings');

    const changed = await portcullis(['users', 'set-password', 'alice', '--password-stdin', '--db', db, '--json'], { stdin: 'the new password\n' });
    assert.equal(changed.code, 0, changed.stderr);
    assert.doesNotMatch(changed.stdout + changed.stderr, /the new password/);
    const store = await openStore(db);
    try {
      const hash = (await store.users.findByUsername('alice'))!.passwordHash;
      assert.equal(await verifyPassword('the new password', hash), true);
      assert.equal(await verifyPassword('a long enough password', hash), false);
    } finally {
      await store.close();
    }
    const unknown = await portcullis(['users', 'set-password', 'nobody', '--password-stdin', '--db', db], { stdin: 'whatever password' });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no user named nobody/);

    assert.equal((await portcullis(['users', 'remove', 'alice', '--db', db])).code, 0);
    const missing = await portcullis(['users', 'remove', 'alice', '--db', db]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no user named alice/);
  });

  it('pre-registers clients, printing a confidential secret once', async () => {
    const confidential = await portcullis(['clients', 'add', '--name', 'Resource server', '--db', db, '--json']);
    assert.equal(confidential.code, 0, confidential.stderr);
    const created = JSON.parse(confidential.stdout) as { client_id: string; client_secret: string };
    assert.ok(created.client_secret.length >= 43);

    const publicClient = await portcullis(['clients', 'add', '--public', '--redirect-uri', 'http://127.0.0.1:9999/cb', '--db', db, '--json']);
    assert.equal(publicClient.code, 0, publicClient.stderr);
    assert.equal(JSON.parse(publicClient.stdout).client_secret, undefined);

    const hostile = await portcullis(['clients', 'add', '--public', '--redirect-uri', 'javascript:alert(1)', '--db', db]);
    assert.equal(hostile.code, 1);
    assert.match(hostile.stderr, /forbidden scheme/);

    const list = await portcullis(['clients', 'list', '--db', db, '--json']);
    const listed = JSON.parse(list.stdout) as { client_id: string }[];
    assert.equal(listed.length, 2);
    assert.doesNotMatch(list.stdout, new RegExp(created.client_secret), 'the secret is never shown again');

    const removed = await portcullis(['clients', 'remove', created.client_id, '--db', db]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(JSON.parse((await portcullis(['clients', 'list', '--db', db, '--json'])).stdout).length, 1);
  });

  it('removes a client whose id begins with "-" when it is given after --', async () => {
    const dashed = await portcullis(['clients', 'add', '--client-id=-dashed', '--public', '--redirect-uri', 'http://127.0.0.1:9999/cb', '--db', db]);
    assert.equal(dashed.code, 0, dashed.stderr);
    const asOption = await portcullis(['clients', 'remove', '-dashed', '--db', db]);
    assert.equal(asOption.code, 1);
    assert.match(asOption.stderr, /unknown option '-dashed'/);
    const removed = await portcullis(['clients', 'remove', '--db', db, '--', '-dashed']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /removed client -dashed/);
  });

  it('refuses bad --db and http issuers off loopback with a message saying what to do', async () => {
    const badDb = await portcullis(['users', 'list', '--db', 'mysql://x']);
    assert.equal(badDb.code, 1);
    assert.match(badDb.stderr, /sqlite:PATH or a postgres:\/\/ URL/);

    const httpIssuer = await portcullis(['serve', '--port', '0', '--db', db, '--issuer', 'http://auth.example.com']);
    assert.equal(httpIssuer.code, 1);
    assert.match(httpIssuer.stderr, /use https/);

    const postgresWithoutSecret = await portcullis(['keys', 'rotate', '--db', 'postgres://postgres@127.0.0.1:5432/postgres']);
    assert.equal(postgresWithoutSecret.code, 1);
    assert.match(postgresWithoutSecret.stderr, /PORTCULLIS_SECRET/);
  });

  it('serves: creates a private master secret on first start and publishes metadata', async () => {
    const fresh = join(dir, 'fresh');
    const serving = await startServing<{ listening: string; issuer: string; metadata: string }>([
      'serve',
      '--port',
      '0',
      '--db',
      `sqlite:${join(fresh, 'portcullis.db')}`,
    ]);
    try {
      const { summary } = serving;
      const stderr = serving.stderr();
      assert.equal(summary.issuer, summary.listening);
      const metadata = (await (await fetch(summary.metadata)).json()) as { issuer: string; code_challenge_methods_supported: string[] };
      assert.equal(metadata.issuer, summary.issuer);
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
      assert.match(stderr, /created a master secret/);
      assert.equal(statSync(join(fresh, 'portcullis.secret')).mode & 0o777, 0o600);
      for (const line of stderr.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), 'logs are JSON lines');
    } finally {
      serving.stop();
    }
  });

  it('demo: protects the example server, prints the demo password once, and answers 401 with the metadata URL', async () => {
    const demoDir = join(dir, 'demo');
    const serving = await startServing<{ mcp: string; issuer: string; demoUser: { username: string; password: string } }>([
      'demo',
      '--port',
      '0',
      '--db',
      `sqlite:${join(demoDir, 'portcullis.db')}`,
    ]);
    try {
      const { summary } = serving;
      assert.equal(summary.mcp, `${summary.issuer}/mcp`);
      assert.equal(summary.demoUser.username, 'demo');
      assert.ok(summary.demoUser.password.length >= 12);
      const unauthenticated = await fetch(summary.mcp, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      });
      assert.equal(unauthenticated.status, 401);
      assert.match(
        unauthenticated.headers.get('www-authenticate') ?? '',
        /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp", scope="notes:read notes:write"/,
      );
      const store = await openStore(`sqlite:${join(demoDir, 'portcullis.db')}`);
      try {
        assert.equal(await verifyPassword(summary.demoUser.password, (await store.users.findByUsername('demo'))!.passwordHash), true);
      } finally {
        await store.close();
      }
      assert.doesNotMatch(serving.stderr(), new RegExp(summary.demoUser.password), 'the password is not logged');
    } finally {
      serving.stop();
    }
  });

  it('serve --upstream refuses a gateway scope the server does not offer, saying what to do', async () => {
    const config = join(dir, 'bad-gateway.json');
    writeFileSync(config, JSON.stringify({ gateway: { scopes: { tools: { delete_note: ['notes:write'] } } } }));
    const run = await portcullis(['serve', '--port', '0', '--db', db, '--upstream', 'http://127.0.0.1:9/mcp', '--config', config]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /notes:write.*not in scopes/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    const noUpstream = await portcullis(['serve', '--port', '0', '--db', db, '--resource', 'http://127.0.0.1:1/mcp']);
    assert.equal(noUpstream.code, 1);
    assert.match(noUpstream.stderr, /--upstream/);
  });

  it('rotates signing keys, keeping the old public key published', async () => {
    const first = JSON.parse((await portcullis(['keys', 'rotate', '--db', db, '--json'])).stdout) as { kid: string; published: string[] };
    const second = JSON.parse((await portcullis(['keys', 'rotate', '--db', db, '--json'])).stdout) as { kid: string; published: string[] };
    assert.notEqual(first.kid, second.kid);
    assert.ok(second.published.includes(first.kid) && second.published.includes(second.kid));
  });
});
