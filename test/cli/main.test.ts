/**
 * The `portcullis` program as a whole (src/cli/main.ts): --help across the commands, and what the
 * commands that open a database say when it is missing, wrong or unreachable.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertOneLineFailure, freshWorkingDirectories, makeScratchFolder, NO_SECRET, occupyPort, portcullis, tree } from '../support/cli-commands.js';
import { runCli } from '../support/cli-process.js';
import { POSTGRES_ADMIN_URL, postgresSkipReason } from '../support/stores.js';

const SECRET = { PORTCULLIS_SECRET: 'failing-commands-test-secret-0123456789abcdef' };

describe('portcullis CLI', () => {
  let dir: string;
  let db: string;
  before(() => ({ dir, db } = makeScratchFolder()));
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
});

describe('--help', () => {
  it('gives the --db default once', async () => {
    const commands = [['serve'], ['demo'], ['users', 'add'], ['users', 'list'], ['clients', 'list'], ['consents', 'revoke'], ['keys', 'rotate']];
    const helps = await Promise.all(commands.map((command) => runCli([...command, '--help'])));
    for (const [i, command] of commands.entries()) {
      const help = helps[i]!;
      assert.equal(help.code, 0, command.join(' '));
      assert.equal(help.stdout.split('sqlite:./portcullis.db').length - 1, 1, `${command.join(' ')} --help:\n${help.stdout}`);
    }
  });

  it('has --help and --json for login, logout, tokens and connect', async () => {
    const top = await runCli(['--help']);
    for (const command of ['login', 'logout', 'tokens', 'connect']) {
      assert.match(top.stdout, new RegExp(`\\b${command}\\b`));
      const help = await runCli([command, '--help']);
      assert.equal(help.code, 0, command);
      assert.match(help.stdout, /--json/, command);
      assert.match(help.stdout, /portcullis-client\.db/, `${command} --help says where the client database is`);
    }
  });
});

/**
 * A command that fails says in one line what is wrong and what to do, exits non-zero, and leaves
 * nothing behind: no database, no folder, no secret file (docs/design.md, "Contracts other
 * programs rely on", CLI). Each case runs the real CLI in a fresh working directory and lists
 * the directory afterwards. What only serve and demo refuse is in test/cli/commands/serve.test.ts.
 */
describe('commands that fail create nothing and say what to do', () => {
  /** A fresh, empty working directory for one run. */
  const freshDir = freshWorkingDirectories();

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
