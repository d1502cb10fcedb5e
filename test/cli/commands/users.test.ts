import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { verifyPassword } from '../../../src/server/browser/password-hash.js';
import { openStore } from '../../../src/store/index.js';
import { makeScratchFolder, portcullis } from '../../support/cli-commands.js';

describe('portcullis CLI', () => {
  let dir: string;
  let db: string;
  before(() => ({ dir, db } = makeScratchFolder()));
  after(() => rmSync(dir, { recursive: true, force: true }));

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
});
