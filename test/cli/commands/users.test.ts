import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyPassword } from '../../../src/server/browser/password-hash.js';
import { createRedisRateLimits } from '../../../src/server/browser/redis-rate-limits.js';
import { openStore } from '../../../src/store/index.js';
import { authorizationParams, authorizationUrl, discover, registerPublicClient, type ServerMetadata } from '../../support/authorization-flow.js';
import { FormBrowser } from '../../support/browser.js';
import { assertOneLineFailure, makeScratchFolder, portcullis } from '../../support/cli-commands.js';
import { parseForm } from '../../support/html-form.js';
import { REDIS_URL, redisSkipReason } from '../../support/redis.js';
import { startTestServer, type TestServer } from '../../support/server.js';

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

describe('portcullis users unlock', () => {
  const alice = { username: 'Alice', password: 'alice password 1234' };
  let server: TestServer;
  let as: ServerMetadata;
  let clientId: string;
  before(async () => {
    server = await startTestServer({ settings: { login: { maxFailuresPerUser: 3 } } });
    await server.addUser(alice.username, alice.password);
    as = await discover(server.url);
    clientId = await registerPublicClient(as);
  });
  after(() => server?.close());

  /** Posts the login form of a fresh authorization request; returns the status (303 signed in, 401 wrong, 429 locked out). */
  async function signIn(browser: FormBrowser, password: string): Promise<number> {
    const page = await browser.navigate(authorizationUrl(as, authorizationParams(clientId)));
    const form = parseForm(await page.response.text());
    const response = await browser.request(new URL(form.action, page.url).href, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.hidden, username: alice.username, password }).toString(),
    });
    await response.text();
    return response.status;
  }

  it('lets a locked-out user sign in again, and says so of a user who is not there', async () => {
    const browser = new FormBrowser(server.url);
    for (let i = 0; i < 3; i++) assert.equal(await signIn(browser, `wrong guess ${i}`), 401);
    assert.equal(await signIn(browser, alice.password), 429, 'locked out after 3 failures');

    const [unlocked, unknown] = await Promise.all([
      portcullis(['users', 'unlock', alice.username, '--db', server.database.url, '--json']),
      portcullis(['users', 'unlock', 'nobody', '--db', server.database.url]),
    ]);
    assert.equal(unlocked.code, 0, unlocked.stderr);
    assert.equal(JSON.parse(unlocked.stdout).unlocked, true);
    assertOneLineFailure(unknown, /^portcullis: no user named nobody; see portcullis users list$/);

    assert.equal(await signIn(browser, alice.password), 303, 'signed in after the unlock');
    const events = await server.store.securityEvents.list({ type: 'user_unlocked' });
    assert.equal(events.length, 1);
    assert.equal(events[0]?.outcome, 'unlocked');
  });
});

describe('portcullis users unlock, with the limits in Redis', async () => {
  const skip = await redisSkipReason();
  let dir: string;
  let db: string;
  before(() => ({ dir, db } = makeScratchFolder()));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("clears the user's windows in the Redis of rateLimits.redis, and no one else's", { skip }, async () => {
    const name = `Redis-${Math.random().toString(36).slice(2, 10)}`;
    const added = await portcullis(['users', 'add', name, '--password-stdin', '--db', db], { stdin: 'a long enough password' });
    assert.equal(added.code, 0, added.stderr);
    const config = join(dir, 'portcullis.json');
    writeFileSync(config, JSON.stringify({ rateLimits: { redis: REDIS_URL } }));
    const limits = createRedisRateLimits(REDIS_URL);
    const now = Math.floor(Date.now() / 1000);
    const mine = `login-user:${name.toLowerCase()}\n203.0.113.7`;
    const someoneElses = `login-user:${name.toLowerCase()}x\n203.0.113.7`;
    try {
      for (const key of [mine, someoneElses]) await limits.hit(key, 900, now);
      const run = await portcullis(['users', 'unlock', name, '--config', config, '--db', db, '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).windows_cleared, 1);
      assert.equal(await limits.peek(mine, now), undefined);
      assert.equal((await limits.peek(someoneElses, now))?.count, 1);
    } finally {
      await limits.reset(someoneElses);
      await limits.close();
    }
  });
});
