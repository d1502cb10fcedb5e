/**
 * A command that fails says in one line what is wrong and what to do, exits non-zero, and leaves
 * nothing behind: no database, no folder, no secret file (docs/design.md, "Contracts other
 * programs rely on", CLI). Each case runs the real CLI in a fresh working directory and lists
 * the directory afterwards.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliRun, runCli } from '../support/cli-process.js';
import { POSTGRES_ADMIN_URL, postgresSkipReason } from '../support/stores.js';

const NO_SECRET = { PORTCULLIS_SECRET: '' };
const SECRET = { PORTCULLIS_SECRET: 'failing-commands-test-secret-0123456789abcdef' };

/** Every file and folder under `dir`, relative to it. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** The run failed with exactly one line on stderr, nothing on stdout, and no stack trace. */
function assertOneLineFailure(run: CliRun, pattern: RegExp): void {
  assert.equal(run.code, 1, `exit code; stderr: ${run.stderr}`);
  assert.equal(run.stdout, '', 'nothing on stdout');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${run.stderr}`);
  assert.match(lines[0]!, pattern);
}

/** A port something else is listening on. */
async function occupyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('commands that fail create nothing and say what to do', () => {
  let root: string;
  let count = 0;
  /** A fresh, empty working directory for one run. */
  const freshDir = () => {
    const dir = join(root, `run-${++count}`);
    mkdirSync(dir);
    return dir;
  };
  before(() => (root = mkdtempSync(join(tmpdir(), 'portcullis-failing-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('a command that lists or changes what is there never creates the database, and says where it looked', async () => {
    const commands = [
      ['users', 'list'],
      ['users', 'remove', 'alice'],
      ['clients', 'list'],
      ['clients', 'remove', 'some-client'],
      ['consents', 'list', 'alice'],
      ['consents', 'revoke', 'alice', 'some-client'],
      ['keys', 'rotate'],
    ];
    await Promise.all(
      commands.map(async (command, i) => {
        const dir = freshDir();
        const missing = join(dir, 'nonexistent', 'dir', 'x.db');
        const run = await runCli([...command, '--db', `sqlite:${missing}`], NO_SECRET, '', { cwd: dir });
        assertOneLineFailure(run, new RegExp(`no database at ${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: check --db`));
        // The default database, ./portcullis.db, is not created either.
        if (i < 2) assertOneLineFailure(await runCli(command, NO_SECRET, '', { cwd: dir }), /no database at .*portcullis\.db/);
        assert.deepEqual(tree(dir), [], `${command.join(' ')} created nothing`);
      }),
    );
    const dir = freshDir();
    const setPassword = await runCli(['users', 'set-password', 'alice', '--password-stdin'], NO_SECRET, 'a long enough password', { cwd: dir });
    assertOneLineFailure(setPassword, /no database at /);
    assert.deepEqual(tree(dir), []);
  });

  it('a command that lists refuses a file that is not a Portcullis database instead of filling it', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'empty.db'), '');
    const run = await runCli(['users', 'list', '--db', 'sqlite:empty.db'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(run, /empty\.db is not a Portcullis database/);
    assert.deepEqual(tree(dir), ['empty.db']);
  });

  it('serve refuses a config file with an unknown key before creating a database or a secret', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'portcullis.json'), JSON.stringify({ port: 0, bogus: true }));
    const run = await runCli(['serve', '--config', 'portcullis.json'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(run, /unknown key "bogus".*docs\/configuration\.md/);
    assert.deepEqual(tree(dir), ['portcullis.json']);
  });

  it('serve refuses an http issuer off loopback and a gateway scope the server lacks before creating anything', async () => {
    const dir = freshDir();
    const issuer = await runCli(['serve', '--port', '0', '--issuer', 'http://auth.example.com'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(issuer, /use https/);
    writeFileSync(join(dir, 'gateway.json'), JSON.stringify({ gateway: { scopes: { tools: { delete_note: ['notes:write'] } } } }));
    const scope = await runCli(['serve', '--port', '0', '--upstream', 'http://127.0.0.1:9/mcp', '--config', 'gateway.json'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(scope, /notes:write.*not in scopes/);
    const everywhere = await runCli(['serve', '--port', '0', '--host', '0.0.0.0'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(everywhere, /0\.0\.0\.0 needs --issuer/);
    assert.deepEqual(tree(dir), ['gateway.json']);
  });

  it('names a config key as the file spells it, not as the flag', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'port.json'), JSON.stringify({ port: 'abc' }));
    const port = await runCli(['serve', '--config', 'port.json'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(port, /^portcullis: "port" in port\.json must be a whole number from 0 to 65535/);
    writeFileSync(join(dir, 'db.json'), JSON.stringify({ db: 'data/x.db' }));
    const db = await runCli(['serve', '--config', 'db.json'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(db, /^portcullis: "db" in db\.json .*write sqlite:data\/x\.db/);
    assert.deepEqual(tree(dir), ['db.json', 'port.json']);
  });

  it('suggests sqlite:PATH for a bare path given to --db', async () => {
    const dir = freshDir();
    for (const command of [
      ['users', 'list'],
      ['users', 'add', 'alice', '--password-stdin'],
      ['serve', '--port', '0'],
    ]) {
      const run = await runCli([...command, '--db', 'data/x.db'], NO_SECRET, 'a long enough password', { cwd: dir });
      assertOneLineFailure(run, /--db .*write sqlite:data\/x\.db/);
    }
    assert.deepEqual(tree(dir), []);
  });

  it('a port in use names the port and --port, before anything is created', async () => {
    const taken = await occupyPort();
    try {
      const dir = freshDir();
      const serve = await runCli(['serve', '--port', String(taken.port)], NO_SECRET, '', { cwd: dir });
      assertOneLineFailure(serve, new RegExp(`port ${taken.port} on 127\\.0\\.0\\.1 is in use.*choose another with --port`));
      const demo = await runCli(['demo', '--port', String(taken.port)], NO_SECRET, '', { cwd: dir });
      assertOneLineFailure(demo, new RegExp(`port ${taken.port} .* in use.*npm start -- --port`));
      writeFileSync(join(dir, 'port.json'), JSON.stringify({ port: taken.port }));
      const fromFile = await runCli(['serve', '--config', 'port.json'], NO_SECRET, '', { cwd: dir });
      assertOneLineFailure(fromFile, /in use.*choose another with "port" in port\.json/);
      assert.deepEqual(tree(dir), ['port.json']);
    } finally {
      taken.server.close();
    }
  });

  it('an unreachable PostgreSQL is named without its password, with what to fix', async () => {
    const closed = await occupyPort();
    closed.server.close();
    const url = `postgres://portcullis:hunter2@127.0.0.1:${closed.port}/portcullis`;
    const dir = freshDir();
    for (const [command, env] of [
      [['users', 'list'], NO_SECRET],
      [['users', 'add', 'alice', '--password-stdin'], NO_SECRET],
      [['serve', '--port', '0'], SECRET],
    ] as const) {
      const run = await runCli([...command, '--db', url], env, 'a long enough password', { cwd: dir });
      assertOneLineFailure(
        run,
        new RegExp(
          `cannot reach PostgreSQL at postgres://portcullis@127\\.0\\.0\\.1:${closed.port}/portcullis \\(connection refused\\): start the server, or fix the host and port in --db`,
        ),
      );
      assert.doesNotMatch(run.stderr, /hunter2/);
      assert.doesNotMatch(run.stderr, /migration/);
    }
    assert.deepEqual(tree(dir), []);
  });

  it('a PostgreSQL database that does not exist, or a refused login, says so without the password', async (t) => {
    const skip = await postgresSkipReason();
    if (skip) return t.skip(skip);
    const admin = new URL(POSTGRES_ADMIN_URL);
    const missing = new URL(admin);
    missing.pathname = '/portcullis_no_such_database';
    missing.password = 'hunter2';
    const run = await runCli(['users', 'list', '--db', missing.href], NO_SECRET);
    assertOneLineFailure(
      run,
      /the PostgreSQL database postgres:\/\/[^ ]+\/portcullis_no_such_database does not exist: create it \(CREATE DATABASE portcullis_no_such_database\)/,
    );
    assert.doesNotMatch(run.stderr, /hunter2/);

    const stranger = new URL(admin);
    stranger.username = 'portcullis_no_such_role';
    stranger.password = 'hunter2';
    const refused = await runCli(['users', 'list', '--db', stranger.href], NO_SECRET);
    assertOneLineFailure(refused, /PostgreSQL at postgres:\/\/portcullis_no_such_role@.* refused the login .*check the user and password in --db/);
    assert.doesNotMatch(refused.stderr, /hunter2/);

    const empty = await runCli(['users', 'list', '--db', POSTGRES_ADMIN_URL], NO_SECRET);
    assertOneLineFailure(empty, /is not a Portcullis database/);
  });
});
