/**
 * The storage contract (src/store/types.ts), run against every dialect: SQLite and PostgreSQL.
 * Each concern gets a fresh database, destroyed afterwards. Times are explicit Unix seconds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CodeRedemption, type GrantRecord, type Store, UniqueViolation } from '../../src/store/index.js';
import {
  T0,
  accessTokenRecord,
  clientRecord,
  codeRecord,
  grantRecord,
  pendingAuthorizationRecord,
  randomHash,
  rotationOf,
  sessionRecord,
  signingKeyRecord,
  uniqueId,
  userRecord,
} from '../support/store-records.js';
import { startRacer } from '../support/store-racer.js';
import { DIALECTS, type TestDatabase, createTestDatabase, postgresSkipReason } from '../support/stores.js';

type Dialect = (typeof DIALECTS)[number];

interface FreshStore {
  readonly store: Store;
  readonly database: TestDatabase;
  /** Opens a second store (a second SQLite connection / a second PostgreSQL pool) on the same database. */
  openAnother(): Promise<Store>;
  /** Closes the main store and opens it again (migrations run again). */
  reopen(): Promise<Store>;
}

/** Registers before/after hooks in the current describe: a fresh database for its tests. */
function useFreshStore(dialect: Dialect): FreshStore {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  const others: Store[] = [];
  before(async () => {
    database = await createTestDatabase(dialect);
    store = await database.open();
  });
  after(async () => {
    for (const other of others) await other.close();
    await store?.close();
    await database?.destroy();
  });
  return {
    get store() {
      assert.ok(store, 'store not open');
      return store;
    },
    get database() {
      assert.ok(database, 'database not created');
      return database;
    },
    async openAnother() {
      assert.ok(database);
      const other = await database.open();
      others.push(other);
      return other;
    },
    async reopen() {
      assert.ok(database && store);
      await store.close();
      store = undefined;
      store = await database.open();
      return store;
    },
  };
}

/** Runs the operations one after another, collecting errors instead of stopping at the first. */
async function runAll(operations: (() => Promise<unknown>)[]): Promise<string[]> {
  const errors: string[] = [];
  for (const operation of operations) {
    try {
      await operation();
    } catch (error) {
      errors.push(`${String(error)} (${String((error as { code?: unknown }).code)})`);
    }
  }
  return errors;
}

const count = <T extends string>(outcomes: readonly { outcome: T }[], outcome: T) => outcomes.filter((o) => o.outcome === outcome).length;

function assertRedeemed(result: CodeRedemption): asserts result is Extract<CodeRedemption, { outcome: 'redeemed' }> {
  assert.equal(result.outcome, 'redeemed');
}

for (const dialect of DIALECTS) {
  const skip = dialect === 'postgres' ? await postgresSkipReason() : false;

  describe(`store contract: ${dialect}`, { skip }, () => {
    describe('opening', () => {
      const fresh = useFreshStore(dialect);

      it('reports its dialect', () => {
        assert.equal(fresh.store.dialect, dialect);
      });

      it('starts empty', async () => {
        assert.deepEqual(await fresh.store.clients.list(), []);
        assert.deepEqual(await fresh.store.users.list(), []);
        assert.deepEqual(await fresh.store.signingKeys.listPublishable(0), []);
      });

      it('reopens an existing database: migrations are idempotent and data is kept', async () => {
        const client = clientRecord();
        const user = userRecord();
        const code = codeRecord();
        await fresh.store.clients.create(client);
        await fresh.store.users.create(user);
        await fresh.store.codes.create(code);
        assertRedeemed(await fresh.store.codes.consume(code.codeHash, T0 + 1));

        const reopened = await fresh.reopen();
        assert.deepEqual(await reopened.clients.find(client.clientId), client);
        assert.deepEqual(await reopened.users.findById(user.id), user);
        const again = await reopened.codes.consume(code.codeHash, T0 + 2);
        assert.equal(again.outcome, 'replayed');

        // A second store opened next to a live one runs the migrator again without harm and sees the same rows.
        const other = await fresh.openAnother();
        assert.deepEqual(await other.clients.find(client.clientId), client);
      });
    });

    describe('clients', () => {
      const fresh = useFreshStore(dialect);

      it('creates and finds a public client with every field intact', async () => {
        const client = clientRecord({ clientName: null, scope: null, metadata: { redirect_uris: ['http://127.0.0.1/cb'], nested: { a: [1, 'two', null] } } });
        await fresh.store.clients.create(client);
        assert.deepEqual(await fresh.store.clients.find(client.clientId), client);
      });

      it('creates and finds a confidential static client', async () => {
        const client = clientRecord({
          secretHash: randomHash(),
          tokenEndpointAuthMethod: 'client_secret_basic',
          redirectUris: ['https://app.example.com/cb', 'com.example.app:/cb'],
          grantTypes: ['authorization_code'],
          clientName: 'Ünïcode "name"',
          scope: ['read', 'write'],
          source: 'static',
          createdAt: T0 + 5,
        });
        await fresh.store.clients.create(client);
        assert.deepEqual(await fresh.store.clients.find(client.clientId), client);
      });

      it('keeps an empty scope list apart from "any scope" (null)', async () => {
        const client = clientRecord({ scope: [] });
        await fresh.store.clients.create(client);
        assert.deepEqual((await fresh.store.clients.find(client.clientId))?.scope, []);
      });

      it('finds nothing for an unknown client id', async () => {
        assert.equal(await fresh.store.clients.find(uniqueId('nobody')), undefined);
      });

      it('refuses a duplicate client id with UniqueViolation and keeps the first', async () => {
        const client = clientRecord();
        await fresh.store.clients.create(client);
        await assert.rejects(fresh.store.clients.create({ ...client, clientName: 'impostor', redirectUris: ['https://evil.example/cb'] }), UniqueViolation);
        assert.deepEqual(await fresh.store.clients.find(client.clientId), client);
      });

      it('lists clients by creation time, then id', async () => {
        const later = clientRecord({ clientId: `b-${uniqueId('list')}`, createdAt: T0 + 1000 });
        const sameTimeA = clientRecord({ clientId: `a-${uniqueId('list')}`, createdAt: T0 + 999 });
        const sameTimeB = clientRecord({ clientId: `b-${uniqueId('list')}`, createdAt: T0 + 999 });
        for (const c of [later, sameTimeB, sameTimeA]) await fresh.store.clients.create(c);
        const listed = await fresh.store.clients.list();
        const mine = listed.filter((c) => [later, sameTimeA, sameTimeB].some((m) => m.clientId === c.clientId));
        assert.deepEqual(mine, [sameTimeA, sameTimeB, later]);
        const keys = listed.map((c) => [c.createdAt, c.clientId] as const);
        const sorted = [...keys].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
        assert.deepEqual(keys, sorted);
      });

      it('removes a client, revoking its grants and forgetting its consents, and leaves others alone', async () => {
        const { store } = fresh;
        const client = clientRecord();
        const other = clientRecord();
        const user = userRecord();
        await store.clients.create(client);
        await store.clients.create(other);
        await store.users.create(user);
        const live = grantRecord({ clientId: client.clientId, userId: user.id });
        const alreadyRevoked = grantRecord({ clientId: client.clientId, userId: user.id, revokedAt: T0 + 5 });
        const othersGrant = grantRecord({ clientId: other.clientId, userId: user.id });
        for (const g of [live, alreadyRevoked, othersGrant]) await store.grants.create(g);
        await store.consents.grant(user.id, client.clientId, ['read'], T0);
        await store.consents.grant(user.id, other.clientId, ['read'], T0);

        assert.equal(await store.clients.remove(client.clientId, T0 + 100), true);

        assert.equal(await store.clients.find(client.clientId), undefined);
        assert.equal((await store.grants.find(live.id))?.revokedAt, T0 + 100);
        assert.equal((await store.grants.find(alreadyRevoked.id))?.revokedAt, T0 + 5);
        assert.equal((await store.grants.find(othersGrant.id))?.revokedAt, null);
        assert.equal(await store.consents.find(user.id, client.clientId), undefined);
        assert.notEqual(await store.consents.find(user.id, other.clientId), undefined);
        assert.deepEqual(await store.clients.find(other.clientId), other);
        // The refresh token died with its grant.
        assert.equal(await store.grants.rotateRefreshToken(rotationOf(live, T0 + 101)), undefined);

        assert.equal(await store.clients.remove(client.clientId, T0 + 200), false);
      });

      it('reports false when removing an unknown client', async () => {
        assert.equal(await fresh.store.clients.remove(uniqueId('nobody'), T0), false);
      });
    });

    describe('users', () => {
      const fresh = useFreshStore(dialect);

      it('creates and finds a user by username and by id', async () => {
        const user = userRecord();
        await fresh.store.users.create(user);
        assert.deepEqual(await fresh.store.users.findByUsername(user.username), user);
        assert.deepEqual(await fresh.store.users.findById(user.id), user);
      });

      it('finds nothing for an unknown username or id', async () => {
        assert.equal(await fresh.store.users.findByUsername(uniqueId('nobody')), undefined);
        assert.equal(await fresh.store.users.findById(uniqueId('nobody')), undefined);
      });

      it('compares usernames exactly', async () => {
        const user = userRecord({ username: `Ada-${uniqueId('case')}` });
        await fresh.store.users.create(user);
        assert.equal(await fresh.store.users.findByUsername(user.username.toLowerCase()), undefined);
      });

      it('refuses a taken username with UniqueViolation', async () => {
        const user = userRecord();
        await fresh.store.users.create(user);
        await assert.rejects(fresh.store.users.create(userRecord({ username: user.username })), UniqueViolation);
        assert.deepEqual(await fresh.store.users.findByUsername(user.username), user);
      });

      it('refuses a taken id with UniqueViolation', async () => {
        const user = userRecord();
        await fresh.store.users.create(user);
        await assert.rejects(fresh.store.users.create(userRecord({ id: user.id })), UniqueViolation);
        assert.deepEqual(await fresh.store.users.findById(user.id), user);
      });

      it('lists users by username', async () => {
        const tag = uniqueId('list');
        const users = ['carol', 'alice', 'bob'].map((name) => userRecord({ username: `${tag}-${name}` }));
        for (const u of users) await fresh.store.users.create(u);
        const listed = await fresh.store.users.list();
        assert.deepEqual(
          listed.filter((u) => u.username.startsWith(tag)).map((u) => u.username),
          [`${tag}-alice`, `${tag}-bob`, `${tag}-carol`],
        );
        const names = listed.map((u) => u.username);
        assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      });

      it('sets a new password hash, ending that user\'s sessions only', async () => {
        const { store } = fresh;
        const user = userRecord();
        const bystander = userRecord();
        await store.users.create(user);
        await store.users.create(bystander);
        const session = sessionRecord({ userId: user.id });
        const bystanderSession = sessionRecord({ userId: bystander.id });
        await store.sessions.create(session);
        await store.sessions.create(bystanderSession);

        assert.equal(await store.users.setPasswordHash(user.username, 'new-hash'), true);

        assert.deepEqual(await store.users.findById(user.id), { ...user, passwordHash: 'new-hash' });
        assert.equal(await store.sessions.find(session.idHash, T0), undefined);
        assert.deepEqual(await store.users.findById(bystander.id), bystander);
        assert.deepEqual(await store.sessions.find(bystanderSession.idHash, T0), bystanderSession);
        assert.equal(await store.users.setPasswordHash(uniqueId('nobody'), 'x'), false);
      });

      it('removes a user with their sessions, consents and codes, revoking their grants, and leaves others alone', async () => {
        const { store } = fresh;
        const user = userRecord();
        const bystander = userRecord();
        const client = clientRecord();
        await store.users.create(user);
        await store.users.create(bystander);
        await store.clients.create(client);
        const session = sessionRecord({ userId: user.id });
        const bystanderSession = sessionRecord({ userId: bystander.id });
        await store.sessions.create(session);
        await store.sessions.create(bystanderSession);
        await store.consents.grant(user.id, client.clientId, ['read'], T0);
        await store.consents.grant(bystander.id, client.clientId, ['read'], T0);
        const grant = grantRecord({ userId: user.id, clientId: client.clientId });
        const bystanderGrant = grantRecord({ userId: bystander.id, clientId: client.clientId });
        await store.grants.create(grant);
        await store.grants.create(bystanderGrant);
        const code = codeRecord({ userId: user.id, clientId: client.clientId });
        const bystanderCode = codeRecord({ userId: bystander.id, clientId: client.clientId });
        await store.codes.create(code);
        await store.codes.create(bystanderCode);

        assert.equal(await store.users.remove(user.username, T0 + 50), true);

        assert.equal(await store.users.findByUsername(user.username), undefined);
        assert.equal(await store.users.findById(user.id), undefined);
        assert.equal(await store.sessions.find(session.idHash, T0), undefined);
        assert.equal(await store.consents.find(user.id, client.clientId), undefined);
        assert.deepEqual(await store.consents.listForUser(user.id), []);
        assert.equal((await store.grants.find(grant.id))?.revokedAt, T0 + 50);
        assert.equal((await store.codes.consume(code.codeHash, T0 + 51)).outcome, 'unknown');

        assert.deepEqual(await store.users.findById(bystander.id), bystander);
        assert.deepEqual(await store.sessions.find(bystanderSession.idHash, T0), bystanderSession);
        assert.notEqual(await store.consents.find(bystander.id, client.clientId), undefined);
        assert.equal((await store.grants.find(bystanderGrant.id))?.revokedAt, null);
        assert.equal((await store.codes.consume(bystanderCode.codeHash, T0 + 51)).outcome, 'redeemed');

        assert.equal(await store.users.remove(user.username, T0 + 60), false);
      });

      it('removes users while another process writes', async () => {
        const users = Array.from({ length: 50 }, () => userRecord());
        for (const u of users) await fresh.store.users.create(u);
        const racer = startRacer(fresh.database.url, { kind: 'create-sessions', count: 200 });
        await racer.ready;
        racer.go();
        const errors = await runAll(users.map((u) => async () => assert.equal(await fresh.store.users.remove(u.username, T0), true)));
        const theirResult = await racer.done;
        assert.deepEqual(errors, []);
        assert.equal(theirResult.ok, true, theirResult.error);
        for (const u of users) assert.equal(await fresh.store.users.findById(u.id), undefined);
      });

      it('lets a removed username be taken again', async () => {
        const user = userRecord();
        await fresh.store.users.create(user);
        assert.equal(await fresh.store.users.remove(user.username, T0), true);
        const successor = userRecord({ username: user.username });
        await fresh.store.users.create(successor);
        assert.deepEqual(await fresh.store.users.findByUsername(user.username), successor);
      });
    });

    describe('pending authorizations', () => {
      const fresh = useFreshStore(dialect);

      it('finds a pending request until it expires', async () => {
        const pending = pendingAuthorizationRecord();
        await fresh.store.pendingAuthorizations.create(pending);
        assert.deepEqual(await fresh.store.pendingAuthorizations.find(pending.idHash, T0), pending);
        assert.deepEqual(await fresh.store.pendingAuthorizations.find(pending.idHash, pending.expiresAt - 1), pending);
        assert.equal(await fresh.store.pendingAuthorizations.find(pending.idHash, pending.expiresAt), undefined);
        assert.equal(await fresh.store.pendingAuthorizations.find(pending.idHash, pending.expiresAt + 1), undefined);
      });

      it('finds nothing for an unknown handle', async () => {
        assert.equal(await fresh.store.pendingAuthorizations.find(randomHash(), T0), undefined);
        assert.equal(await fresh.store.pendingAuthorizations.take(randomHash(), T0), undefined);
      });

      it('takes a pending request once', async () => {
        const pending = pendingAuthorizationRecord();
        await fresh.store.pendingAuthorizations.create(pending);
        assert.deepEqual(await fresh.store.pendingAuthorizations.take(pending.idHash, T0 + 1), pending);
        assert.equal(await fresh.store.pendingAuthorizations.take(pending.idHash, T0 + 1), undefined);
        assert.equal(await fresh.store.pendingAuthorizations.find(pending.idHash, T0 + 1), undefined);
      });

      it('does not return an expired request from take, and spends it anyway', async () => {
        const pending = pendingAuthorizationRecord();
        await fresh.store.pendingAuthorizations.create(pending);
        assert.equal(await fresh.store.pendingAuthorizations.take(pending.idHash, pending.expiresAt), undefined);
        // Gone: even with a clock from before its expiry, it is not there any more.
        assert.equal(await fresh.store.pendingAuthorizations.find(pending.idHash, T0), undefined);
        assert.equal(await fresh.store.pendingAuthorizations.take(pending.idHash, T0), undefined);
      });

      it('gives a pending request to exactly one of 20 concurrent takes across two stores', async () => {
        const other = await fresh.openAnother();
        const pending = pendingAuthorizationRecord();
        await fresh.store.pendingAuthorizations.create(pending);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? fresh.store : other).pendingAuthorizations.take(pending.idHash, T0 + 1)));
        assert.deepEqual(results.filter((r) => r !== undefined), [pending]);
      });
    });

    describe('authorization codes', () => {
      const fresh = useFreshStore(dialect);

      it('redeems a code once, returning what it is bound to', async () => {
        const code = codeRecord();
        await fresh.store.codes.create(code);
        const result = await fresh.store.codes.consume(code.codeHash, T0 + 10);
        assert.deepEqual(result, { outcome: 'redeemed', code: { ...code, consumedAt: T0 + 10 } });
      });

      it('reports a second redemption as replayed, with the grant to revoke and the first consumption time', async () => {
        const code = codeRecord();
        await fresh.store.codes.create(code);
        assertRedeemed(await fresh.store.codes.consume(code.codeHash, T0 + 10));
        const replay = await fresh.store.codes.consume(code.codeHash, T0 + 20);
        assert.deepEqual(replay, { outcome: 'replayed', code: { ...code, consumedAt: T0 + 10 } });
        assert.equal((await fresh.store.codes.consume(code.codeHash, T0 + 30)).outcome, 'replayed');
      });

      it('reports an unknown code', async () => {
        assert.deepEqual(await fresh.store.codes.consume(randomHash(), T0), { outcome: 'unknown' });
      });

      it('leaves expiry to the caller: an expired code is still consumed, and returned with its expiry', async () => {
        const code = codeRecord({ expiresAt: T0 + 60 });
        await fresh.store.codes.create(code);
        const late = await fresh.store.codes.consume(code.codeHash, T0 + 61);
        assertRedeemed(late);
        assert.ok(late.code.expiresAt < T0 + 61);
        assert.equal((await fresh.store.codes.consume(code.codeHash, T0 + 62)).outcome, 'replayed');
      });

      it('keeps an empty scope as an empty list', async () => {
        const code = codeRecord({ scope: [] });
        await fresh.store.codes.create(code);
        const result = await fresh.store.codes.consume(code.codeHash, T0);
        assertRedeemed(result);
        assert.deepEqual(result.code.scope, []);
      });

      it('lets exactly one of 20 concurrent redemptions win', async () => {
        const code = codeRecord();
        await fresh.store.codes.create(code);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => fresh.store.codes.consume(code.codeHash, T0 + 1 + i)));
        assert.equal(count(results, 'redeemed'), 1);
        assert.equal(count(results, 'replayed'), 19);
        const winner = results.find((r) => r.outcome === 'redeemed');
        assert.ok(winner && winner.outcome === 'redeemed');
        for (const r of results) if (r.outcome === 'replayed') assert.equal(r.code.consumedAt, winner.code.consumedAt);
      });

      it('lets exactly one of 20 concurrent redemptions win across two connections', async () => {
        const other = await fresh.openAnother();
        for (let round = 0; round < 5; round++) {
          const code = codeRecord();
          await fresh.store.codes.create(code);
          const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? fresh.store : other).codes.consume(code.codeHash, T0 + 1)));
          assert.equal(count(results, 'redeemed'), 1, `round ${round}`);
          assert.equal(count(results, 'replayed'), 19, `round ${round}`);
        }
      });

      it('lets exactly one process redeem each code when two processes race', async () => {
        const codes = Array.from({ length: 50 }, () => codeRecord());
        for (const c of codes) await fresh.store.codes.create(c);
        const hashes = codes.map((c) => c.codeHash);
        const racer = startRacer(fresh.database.url, { kind: 'consume-codes', codeHashes: hashes });
        await racer.ready;
        racer.go();
        const mine: string[] = [];
        for (const hash of hashes) mine.push((await fresh.store.codes.consume(hash, T0 + 1)).outcome);
        const theirs = await racer.done;
        assert.equal(theirs.ok, true, theirs.error);
        hashes.forEach((_, i) => assert.deepEqual([mine[i], theirs.outcomes[i]].sort(), ['redeemed', 'replayed'], `code ${i}`));
      });
    });

    describe('grants', () => {
      const fresh = useFreshStore(dialect);

      it('creates and finds a grant', async () => {
        const grant = grantRecord({ scope: ['read', 'write'] });
        await fresh.store.grants.create(grant);
        assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
        assert.equal(await fresh.store.grants.find(uniqueId('nothing')), undefined);
      });

      it('creates idempotently by id: a second create changes nothing', async () => {
        const grant = grantRecord();
        await fresh.store.grants.create(grant);
        await fresh.store.grants.create({ ...grant, scope: ['admin'], resource: 'https://other.example.com/mcp', createdAt: T0 + 9 });
        assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
      });

      it('revokes a grant once; a later revoke keeps the first time', async () => {
        const grant = grantRecord();
        await fresh.store.grants.create(grant);
        await fresh.store.grants.revoke(grant.id, T0 + 10);
        assert.deepEqual(await fresh.store.grants.find(grant.id), { ...grant, revokedAt: T0 + 10 });
        await fresh.store.grants.revoke(grant.id, T0 + 20);
        assert.equal((await fresh.store.grants.find(grant.id))?.revokedAt, T0 + 10);
        await fresh.store.grants.revoke(uniqueId('nothing'), T0);
      });

      it('revokeFromCode creates the grant revoked when it does not exist yet, and create() cannot revive it', async () => {
        const code = codeRecord({ scope: ['read', 'write'] });
        await fresh.store.grants.revokeFromCode(code, T0 + 30);
        assert.deepEqual(await fresh.store.grants.find(code.grantId), {
          id: code.grantId,
          clientId: code.clientId,
          userId: code.userId,
          scope: code.scope,
          resource: code.resource,
          createdAt: T0 + 30,
          revokedAt: T0 + 30,
          refreshGeneration: null,
          refreshExpiresAt: null,
        });
        // The redemption that lost the race now stores its grant: it must stay revoked.
        await fresh.store.grants.create(grantRecord({ id: code.grantId, clientId: code.clientId, userId: code.userId, createdAt: T0 + 31, revokedAt: null }));
        assert.equal((await fresh.store.grants.find(code.grantId))?.revokedAt, T0 + 30);
      });

      it('revokeFromCode revokes an existing grant and keeps what it holds', async () => {
        const code = codeRecord();
        const grant = grantRecord({ id: code.grantId, clientId: code.clientId, userId: code.userId, scope: code.scope, resource: code.resource, createdAt: T0 + 1 });
        await fresh.store.grants.create(grant);
        await fresh.store.grants.revokeFromCode(code, T0 + 40);
        assert.deepEqual(await fresh.store.grants.find(grant.id), { ...grant, revokedAt: T0 + 40 });
        assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 41)), undefined);
      });

      it('revokes every live grant of a user for a client and counts them', async () => {
        const userId = uniqueId('user');
        const clientId = uniqueId('client');
        const a = grantRecord({ userId, clientId });
        const b = grantRecord({ userId, clientId });
        const revoked = grantRecord({ userId, clientId, revokedAt: T0 + 1 });
        const otherClient = grantRecord({ userId });
        const otherUser = grantRecord({ clientId });
        for (const g of [a, b, revoked, otherClient, otherUser]) await fresh.store.grants.create(g);

        assert.equal(await fresh.store.grants.revokeForUserAndClient(userId, clientId, T0 + 50), 2);

        assert.equal((await fresh.store.grants.find(a.id))?.revokedAt, T0 + 50);
        assert.equal((await fresh.store.grants.find(b.id))?.revokedAt, T0 + 50);
        assert.equal((await fresh.store.grants.find(revoked.id))?.revokedAt, T0 + 1);
        assert.equal((await fresh.store.grants.find(otherClient.id))?.revokedAt, null);
        assert.equal((await fresh.store.grants.find(otherUser.id))?.revokedAt, null);
        assert.equal(await fresh.store.grants.revokeForUserAndClient(userId, clientId, T0 + 60), 0);
      });

      it("lists a user's grants by creation time, revoked ones included", async () => {
        const userId = uniqueId('user');
        const third = grantRecord({ userId, createdAt: T0 + 3 });
        const first = grantRecord({ userId, createdAt: T0 + 1, revokedAt: T0 + 2 });
        const second = grantRecord({ userId, createdAt: T0 + 2 });
        for (const g of [third, first, second, grantRecord()]) await fresh.store.grants.create(g);
        assert.deepEqual(await fresh.store.grants.listForUser(userId), [first, second, third]);
        assert.deepEqual(await fresh.store.grants.listForUser(uniqueId('nobody')), []);
      });
    });

    describe('refresh tokens', () => {
      const fresh = useFreshStore(dialect);

      async function liveGrant(overrides: Partial<GrantRecord> = {}) {
        const grant = grantRecord({ scope: ['read', 'write'], ...overrides });
        await fresh.store.grants.create(grant);
        return grant;
      }

      it('stores a grant with its refresh generation and expiry, or none', async () => {
        const grant = await liveGrant({ refreshGeneration: 3, refreshExpiresAt: T0 + 77 });
        assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
        const withoutRefresh = await liveGrant({ refreshGeneration: null, refreshExpiresAt: null });
        assert.deepEqual(await fresh.store.grants.find(withoutRefresh.id), withoutRefresh);
        assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(withoutRefresh, T0 + 1, { generation: 0 })), undefined);
      });

      it('rotates the current generation once, returning the grant at the next with a new expiry', async () => {
        const grant = await liveGrant();
        const rotated = await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 100));
        const expected = { ...grant, refreshGeneration: 1, refreshExpiresAt: T0 + 100 + 86_400 };
        assert.deepEqual(rotated, expected);
        assert.deepEqual(await fresh.store.grants.find(grant.id), expected);
        // The same generation again (a reuse) does not rotate; the next one does.
        assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 101, { generation: 0 })), undefined);
        assert.equal((await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 102, { generation: 1 })))?.refreshGeneration, 2);
      });

      it('does not rotate a generation ahead of the current one', async () => {
        const grant = await liveGrant();
        assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 1, { generation: 1 })), undefined);
        assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
      });

      it('does not rotate an expired token, and leaves it as it was', async () => {
        const grant = await liveGrant({ refreshExpiresAt: T0 + 1000 });
        assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 1000)), undefined);
        assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 5000)), undefined);
        assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
        // One second before expiry it still rotates.
        assert.equal((await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 999)))?.refreshGeneration, 1);
      });

      it('does not rotate for another client, and does not burn the token', async () => {
        const grant = await liveGrant();
        assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 10, { clientId: uniqueId('thief') })), undefined);
        assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
        assert.equal((await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 11)))?.refreshGeneration, 1);
      });

      it('rotates only for the grant\'s own resource when one is named', async () => {
        const grant = await liveGrant();
        assert.equal(await fresh.store.grants.rotateRefreshToken({ ...rotationOf(grant, T0 + 10), resource: 'https://other.example.com/mcp' }), undefined);
        assert.deepEqual(await fresh.store.grants.find(grant.id), grant);
        assert.equal((await fresh.store.grants.rotateRefreshToken({ ...rotationOf(grant, T0 + 11), resource: grant.resource }))?.refreshGeneration, 1);
      });

      it('does not rotate once the grant is revoked, now or later', async () => {
        const grant = await liveGrant();
        await fresh.store.grants.revoke(grant.id, T0 + 5);
        assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 10)), undefined);
        assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 11)), undefined);
        assert.equal((await fresh.store.grants.find(grant.id))?.refreshGeneration, 0);
      });

      it('does not rotate for a grant that does not exist', async () => {
        assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grantRecord(), T0 + 10)), undefined);
      });

      it('rotates exactly once among 20 concurrent rotations of one generation', async () => {
        const grant = await liveGrant();
        const results = await Promise.all(Array.from({ length: 20 }, () => fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 100))));
        assert.equal(results.filter((r) => r !== undefined).length, 1);
        assert.equal((await fresh.store.grants.find(grant.id))?.refreshGeneration, 1);
      });

      it('rotates exactly once among 20 concurrent rotations across two connections', async () => {
        const other = await fresh.openAnother();
        for (let round = 0; round < 5; round++) {
          const grant = await liveGrant();
          const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? fresh.store : other).grants.rotateRefreshToken(rotationOf(grant, T0 + 100))));
          assert.equal(results.filter((r) => r !== undefined).length, 1, `round ${round}`);
          assert.equal((await fresh.store.grants.find(grant.id))?.refreshGeneration, 1, `round ${round}`);
        }
      });

      it('rotates each grant exactly once when two processes race', async () => {
        const clientId = uniqueId('client');
        const grants = Array.from({ length: 50 }, () => grantRecord({ clientId }));
        for (const g of grants) await fresh.store.grants.create(g);
        const grantIds = grants.map((g) => g.id);
        const racer = startRacer(fresh.database.url, { kind: 'rotate-refresh-tokens', grantIds, clientId });
        await racer.ready;
        racer.go();
        const mine: string[] = [];
        for (const grant of grants) mine.push((await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 1))) === undefined ? 'lost' : 'rotated');
        const theirs = await racer.done;
        assert.equal(theirs.ok, true, theirs.error);
        grantIds.forEach((_, i) => assert.deepEqual([mine[i], theirs.outcomes[i]].sort(), ['lost', 'rotated'], `grant ${i}`));
        for (const id of grantIds) assert.equal((await fresh.store.grants.find(id))?.refreshGeneration, 1);
      });
    });

    describe('access tokens', () => {
      const fresh = useFreshStore(dialect);

      it('has no record of an access token that was never revoked', async () => {
        assert.equal(await fresh.store.grants.findAccessToken(uniqueId('jti')), undefined);
      });

      it('records a revoked access token once; a later revoke keeps the first time', async () => {
        const token = accessTokenRecord(grantRecord());
        await fresh.store.grants.revokeAccessToken(token, T0 + 10);
        assert.deepEqual(await fresh.store.grants.findAccessToken(token.jti), { ...token, revokedAt: T0 + 10 });
        await fresh.store.grants.revokeAccessToken(token, T0 + 20);
        assert.equal((await fresh.store.grants.findAccessToken(token.jti))?.revokedAt, T0 + 10);
      });
    });

    describe('sessions', () => {
      const fresh = useFreshStore(dialect);

      it('finds a session until it expires', async () => {
        const session = sessionRecord({ expiresAt: T0 + 3600 });
        await fresh.store.sessions.create(session);
        assert.deepEqual(await fresh.store.sessions.find(session.idHash, T0), session);
        assert.deepEqual(await fresh.store.sessions.find(session.idHash, T0 + 3599), session);
        assert.equal(await fresh.store.sessions.find(session.idHash, T0 + 3600), undefined);
        assert.equal(await fresh.store.sessions.find(session.idHash, T0 + 9999), undefined);
      });

      it('finds nothing for an unknown session', async () => {
        assert.equal(await fresh.store.sessions.find(randomHash(), T0), undefined);
      });

      it('removes a session and only that one', async () => {
        const session = sessionRecord();
        const other = sessionRecord({ userId: session.userId });
        await fresh.store.sessions.create(session);
        await fresh.store.sessions.create(other);
        await fresh.store.sessions.remove(session.idHash);
        assert.equal(await fresh.store.sessions.find(session.idHash, T0), undefined);
        assert.deepEqual(await fresh.store.sessions.find(other.idHash, T0), other);
        await fresh.store.sessions.remove(randomHash());
      });
    });

    describe('consents', () => {
      const fresh = useFreshStore(dialect);

      it('records a consent and adds later scopes to it (union)', async () => {
        const userId = uniqueId('user');
        const clientId = uniqueId('client');
        assert.equal(await fresh.store.consents.find(userId, clientId), undefined);
        await fresh.store.consents.grant(userId, clientId, ['write', 'read'], T0);
        assert.deepEqual(await fresh.store.consents.find(userId, clientId), { userId, clientId, scope: ['read', 'write'], createdAt: T0, updatedAt: T0 });
        await fresh.store.consents.grant(userId, clientId, ['admin', 'read'], T0 + 10);
        assert.deepEqual(await fresh.store.consents.find(userId, clientId), { userId, clientId, scope: ['admin', 'read', 'write'], createdAt: T0, updatedAt: T0 + 10 });
        await fresh.store.consents.grant(userId, clientId, [], T0 + 20);
        assert.deepEqual((await fresh.store.consents.find(userId, clientId))?.scope, ['admin', 'read', 'write']);
      });

      it("lists a user's consents by client id, and no one else's", async () => {
        const userId = uniqueId('user');
        const [a, b, c] = ['a', 'b', 'c'].map((p) => `${p}-${uniqueId('client')}`) as [string, string, string];
        await fresh.store.consents.grant(userId, c, ['read'], T0);
        await fresh.store.consents.grant(userId, a, ['read'], T0);
        await fresh.store.consents.grant(userId, b, ['write'], T0);
        await fresh.store.consents.grant(uniqueId('other'), a, ['read'], T0);
        const listed = await fresh.store.consents.listForUser(userId);
        assert.deepEqual(
          listed.map((r) => [r.clientId, r.scope]),
          [
            [a, ['read']],
            [b, ['write']],
            [c, ['read']],
          ],
        );
        assert.ok(listed.every((r) => r.userId === userId));
        assert.deepEqual(await fresh.store.consents.listForUser(uniqueId('nobody')), []);
      });

      it("revokes a consent and the user's grants for that client only", async () => {
        const userId = uniqueId('user');
        const clientId = uniqueId('client');
        const otherClientId = uniqueId('client');
        await fresh.store.consents.grant(userId, clientId, ['read'], T0);
        await fresh.store.consents.grant(userId, otherClientId, ['read'], T0);
        await fresh.store.consents.grant(uniqueId('other'), clientId, ['read'], T0);
        const grant = grantRecord({ userId, clientId });
        const otherClientGrant = grantRecord({ userId, clientId: otherClientId });
        const otherUserGrant = grantRecord({ clientId });
        for (const g of [grant, otherClientGrant, otherUserGrant]) await fresh.store.grants.create(g);

        assert.equal(await fresh.store.consents.revoke(userId, clientId, T0 + 70), true);

        assert.equal(await fresh.store.consents.find(userId, clientId), undefined);
        assert.notEqual(await fresh.store.consents.find(userId, otherClientId), undefined);
        assert.equal((await fresh.store.grants.find(grant.id))?.revokedAt, T0 + 70);
        assert.equal((await fresh.store.grants.find(otherClientGrant.id))?.revokedAt, null);
        assert.equal((await fresh.store.grants.find(otherUserGrant.id))?.revokedAt, null);
        assert.equal(await fresh.store.consents.revoke(userId, clientId, T0 + 80), false);
      });

      it('keeps every scope when grants race with another process', async () => {
        const userId = uniqueId('user');
        const clientId = uniqueId('client');
        const mine = Array.from({ length: 100 }, (_, i) => `parent${i}`);
        const theirs = Array.from({ length: 100 }, (_, i) => `child${i}`);
        const racer = startRacer(fresh.database.url, { kind: 'grant-consents', userId, clientId, scopes: theirs });
        await racer.ready;
        racer.go();
        const errors = await runAll(mine.map((scope) => () => fresh.store.consents.grant(userId, clientId, [scope], T0)));
        const theirResult = await racer.done;
        assert.deepEqual(errors, []);
        assert.equal(theirResult.ok, true, theirResult.error);
        assert.deepEqual((await fresh.store.consents.find(userId, clientId))?.scope, [...mine, ...theirs].sort());
      });

      it('revokes grants even when no consent was stored', async () => {
        const grant = grantRecord();
        await fresh.store.grants.create(grant);
        assert.equal(await fresh.store.consents.revoke(grant.userId, grant.clientId, T0 + 5), false);
        assert.equal((await fresh.store.grants.find(grant.id))?.revokedAt, T0 + 5);
      });
    });

    describe('signing keys', () => {
      const fresh = useFreshStore(dialect);

      it('publishes live keys and keys retired after the cut-off, newest first', async () => {
        const { signingKeys } = fresh.store;
        const oldest = signingKeyRecord({ kid: 'k-oldest', createdAt: T0 + 100 });
        const middle = signingKeyRecord({ kid: 'k-middle', createdAt: T0 + 200 });
        const current = signingKeyRecord({ kid: 'k-current', createdAt: T0 + 300 });
        const longGone = signingKeyRecord({ kid: 'k-long-gone', createdAt: T0 + 10, retiredAt: T0 + 500 });
        for (const k of [middle, longGone, current, oldest]) await signingKeys.add(k);

        assert.deepEqual(await signingKeys.listPublishable(T0 + 499), [current, middle, oldest, longGone]);
        assert.deepEqual(await signingKeys.listPublishable(T0 + 500), [current, middle, oldest]);

        await signingKeys.retireAllExcept(current.kid, T0 + 1000);
        const retired = { ...middle, retiredAt: T0 + 1000 };
        const retiredOldest = { ...oldest, retiredAt: T0 + 1000 };
        // Retired keys stay published while their tokens may be live; an already-retired key keeps its time.
        assert.deepEqual(await signingKeys.listPublishable(T0 + 999), [current, retired, retiredOldest]);
        assert.deepEqual(await signingKeys.listPublishable(T0 + 1000), [current]);
        assert.deepEqual(await signingKeys.listPublishable(T0 + 400), [current, retired, retiredOldest, longGone]);

        // Retiring again later does not move the retirement time.
        await signingKeys.retireAllExcept(current.kid, T0 + 2000);
        assert.deepEqual(await signingKeys.listPublishable(T0 + 1000), [current]);
      });

      it('refuses a duplicate kid', async () => {
        const key = signingKeyRecord();
        await fresh.store.signingKeys.add(key);
        await assert.rejects(fresh.store.signingKeys.add({ ...key, publicJwk: '{}' }));
      });
    });

    describe('federation', () => {
      const fresh = useFreshStore(dialect);
      const login = (overrides: Partial<{ stateHash: string; expiresAt: number }> = {}) => ({
        stateHash: randomHash(),
        providerId: 'corp',
        sealed: 'v1.sealed',
        createdAt: T0,
        expiresAt: T0 + 600,
        ...overrides,
      });
      const tokens = (grantId: string, overrides: Partial<{ createdAt: number }> = {}) => ({
        grantId,
        providerId: 'corp',
        userId: uniqueId('user'),
        sealed: 'v1.tokens',
        accessExpiresAt: T0 + 3600,
        version: 0,
        revokeAttempts: 0,
        createdAt: T0,
        updatedAt: T0,
        ...overrides,
      });

      it('hands an upstream sign-in attempt to exactly one of concurrent callbacks, and none once expired', async () => {
        const attempt = login();
        await fresh.store.federation.createLogin(attempt);
        const takes = await Promise.all(Array.from({ length: 10 }, () => fresh.store.federation.takeLogin(attempt.stateHash, T0 + 1)));
        assert.equal(takes.filter((t) => t !== undefined).length, 1);
        assert.deepEqual(takes.find((t) => t !== undefined), attempt);
        const late = login();
        await fresh.store.federation.createLogin(late);
        assert.equal(await fresh.store.federation.takeLogin(late.stateHash, T0 + 600), undefined);
        assert.equal(await fresh.store.federation.takeLogin(late.stateHash, T0), undefined, 'gone even after a refused take');
      });

      it('links an upstream account to one user, also when its first sign-ins race', async () => {
        const subject = uniqueId('subject');
        const identity = { providerId: 'corp', subject, email: 'a@example.com', displayName: 'A' };
        const results = await Promise.all(
          Array.from({ length: 5 }, () => fresh.store.federation.signIn(identity, userRecord({ username: `corp:${subject}` }), T0)),
        );
        const userIds = new Set(results.map((r) => r.userId));
        assert.equal(userIds.size, 1, 'one user for the account');
        assert.equal(results.filter((r) => r.created).length, 1);
        const [userId] = userIds;
        const again = await fresh.store.federation.signIn({ ...identity, email: 'new@example.com' }, userRecord(), T0 + 5);
        assert.deepEqual(again, { userId, created: false });
        const linked = await fresh.store.federation.findIdentityOfUser(userId!);
        assert.equal(linked?.email, 'new@example.com');
        assert.equal(linked?.lastLoginAt, T0 + 5);
        // Removing the user unlinks the account.
        assert.ok(await fresh.store.users.remove(`corp:${subject}`, T0 + 6));
        assert.equal(await fresh.store.federation.findIdentityOfUser(userId!), undefined);
      });

      it('stores refreshed upstream tokens only over the version that was read (compare-and-set)', async () => {
        const grant = grantRecord();
        await fresh.store.grants.create(grant);
        await fresh.store.federation.saveUpstreamTokens(tokens(grant.id));
        const outcomes = await Promise.all([
          fresh.store.federation.replaceUpstreamTokens(grant.id, 0, 'v1.first', T0 + 7200, T0 + 1),
          fresh.store.federation.replaceUpstreamTokens(grant.id, 0, 'v1.second', T0 + 7200, T0 + 1),
        ]);
        assert.deepEqual(outcomes.sort(), [false, true]);
        const row = await fresh.store.federation.findUpstreamTokens(grant.id);
        assert.equal(row?.version, 1);
        assert.ok(row?.sealed === 'v1.first' || row?.sealed === 'v1.second');
      });

      it('lists upstream tokens of revoked grants and of sign-ins no grant claimed, and counts revoke attempts', async () => {
        const live = grantRecord();
        const revoked = grantRecord();
        for (const g of [live, revoked]) await fresh.store.grants.create(g);
        await fresh.store.grants.revoke(revoked.id, T0 + 10);
        const orphanOld = uniqueId('grant');
        const orphanNew = uniqueId('grant');
        await fresh.store.federation.saveUpstreamTokens(tokens(live.id));
        await fresh.store.federation.saveUpstreamTokens(tokens(revoked.id));
        await fresh.store.federation.saveUpstreamTokens(tokens(orphanOld, { createdAt: T0 }));
        await fresh.store.federation.saveUpstreamTokens(tokens(orphanNew, { createdAt: T0 + 1000 }));
        const ended = (await fresh.store.federation.listEndedUpstreamTokens(T0 + 500, 100)).map((r) => r.grantId).sort();
        assert.deepEqual(ended, [orphanOld, revoked.id].sort());
        assert.equal(await fresh.store.federation.noteRevokeAttempt(revoked.id), 1);
        assert.equal(await fresh.store.federation.noteRevokeAttempt(revoked.id), 2);
        await fresh.store.federation.deleteUpstreamTokens(revoked.id);
        assert.equal(await fresh.store.federation.findUpstreamTokens(revoked.id), undefined);
      });

      it('sweeps expired sign-in attempts', async () => {
        const expired = login({ expiresAt: T0 + 10 });
        await fresh.store.federation.createLogin(expired);
        assert.ok((await fresh.store.sweep(T0 + 11)) >= 1);
        assert.equal(await fresh.store.federation.takeLogin(expired.stateHash, T0), undefined);
      });
    });

    describe('sweep', () => {
      const fresh = useFreshStore(dialect);

      it('deletes expired rows, keeps live ones, and keeps codes for 600 s after expiry', async () => {
        const { store } = fresh;
        const now = T0 + 10_000;
        const grant = grantRecord();
        await store.grants.create(grant);

        const expiredCode = codeRecord({ expiresAt: now - 601 });
        const graceCode = codeRecord({ expiresAt: now - 599 });
        const liveCode = codeRecord({ expiresAt: now + 60 });
        const expiredPending = pendingAuthorizationRecord({ expiresAt: now - 1 });
        const livePending = pendingAuthorizationRecord({ expiresAt: now + 600 });
        const expiredSession = sessionRecord({ expiresAt: now - 1 });
        const liveSession = sessionRecord({ expiresAt: now + 3600 });
        const expiredAccess = accessTokenRecord(grant, { expiresAt: now - 1, revokedAt: now - 1 });
        const liveAccess = accessTokenRecord(grant, { expiresAt: now + 3600, revokedAt: now - 1 });
        const revokedLiveAccess = accessTokenRecord(grant, { expiresAt: now + 3600, revokedAt: now - 5 });

        for (const c of [expiredCode, graceCode, liveCode]) await store.codes.create(c);
        for (const p of [expiredPending, livePending]) await store.pendingAuthorizations.create(p);
        for (const s of [expiredSession, liveSession]) await store.sessions.create(s);
        for (const a of [expiredAccess, liveAccess, revokedLiveAccess]) await store.grants.revokeAccessToken(a, a.revokedAt ?? now - 1);
        const key = signingKeyRecord({ retiredAt: T0 });
        await store.signingKeys.add(key);

        assert.equal(await store.sweep(now), 4);
        assert.equal(await store.sweep(now), 0);

        // Deleted (looked up with a clock from before they expired, so only absence can hide them).
        assert.equal((await store.codes.consume(expiredCode.codeHash, T0)).outcome, 'unknown');
        assert.equal(await store.pendingAuthorizations.find(expiredPending.idHash, T0), undefined);
        assert.equal(await store.sessions.find(expiredSession.idHash, T0), undefined);
        assert.equal(await store.grants.findAccessToken(expiredAccess.jti), undefined);

        // Kept.
        assert.equal((await store.codes.consume(graceCode.codeHash, now)).outcome, 'redeemed');
        assert.equal((await store.codes.consume(liveCode.codeHash, now)).outcome, 'redeemed');
        assert.deepEqual(await store.pendingAuthorizations.find(livePending.idHash, now), livePending);
        assert.deepEqual(await store.sessions.find(liveSession.idHash, now), liveSession);
        assert.deepEqual(await store.grants.findAccessToken(liveAccess.jti), liveAccess);
        assert.deepEqual(await store.grants.findAccessToken(revokedLiveAccess.jti), revokedLiveAccess);
        assert.deepEqual(await store.grants.find(grant.id), grant);
        assert.deepEqual(await store.signingKeys.listPublishable(0), [key]);

        // The grace code goes once it is more than 600 s past expiry (at now + 2); nothing else is due yet.
        assert.equal(await store.sweep(now + 1), 0);
        assert.equal(await store.sweep(now + 2), 1);
        assert.equal((await store.codes.consume(graceCode.codeHash, now + 2)).outcome, 'unknown');
        assert.equal((await store.codes.consume(liveCode.codeHash, now + 2)).outcome, 'replayed');
      });
    });
  });
}
