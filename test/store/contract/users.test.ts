/**
 * The storage contract (src/store/types.ts) on every dialect. Users (src/store/user-store.ts): exact
 * usernames, unique ids and names, password changes that end sessions, and removal of everything a
 * user holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UniqueViolation } from '../../../src/store/index.js';
import { startRacer } from '../../support/store-racer.js';
import { clientRecord, codeRecord, grantRecord, sessionRecord, T0, uniqueId, userRecord } from '../../support/store-records.js';
import { describeOnEveryDialect, runAll, useFreshStore } from './run-contract.js';

const _count = <T extends string>(outcomes: readonly { outcome: T }[], outcome: T) => outcomes.filter((o) => o.outcome === outcome).length;

await describeOnEveryDialect('store contract', (dialect) => {
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
      assert.deepEqual(
        names,
        [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    });

    it("sets a new password hash, ending that user's sessions only", async () => {
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
});
