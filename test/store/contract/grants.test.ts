/**
 * The storage contract (src/store/types.ts) on every dialect. Grants (src/store/grant-store.ts):
 * idempotent create, revocation that keeps the first time, revocation from a replayed code, the
 * last use, the listing of `portcullis grants list`, and the clients `portcullis clients prune` finds unused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientRecord, codeRecord, grantRecord, pendingAuthorizationRecord, rotationOf, T0, uniqueId, userRecord } from '../../support/store-records.js';
import { describeOnEveryDialect, useFreshStore } from './run-contract.js';

await describeOnEveryDialect('store contract', (dialect) => {
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
        lastUsedAt: null,
      });
      // The redemption that lost the race now stores its grant: it must stay revoked.
      await fresh.store.grants.create(grantRecord({ id: code.grantId, clientId: code.clientId, userId: code.userId, createdAt: T0 + 31, revokedAt: null }));
      assert.equal((await fresh.store.grants.find(code.grantId))?.revokedAt, T0 + 30);
    });

    it('revokeFromCode revokes an existing grant and keeps what it holds', async () => {
      const code = codeRecord();
      const grant = grantRecord({
        id: code.grantId,
        clientId: code.clientId,
        userId: code.userId,
        scope: code.scope,
        resource: code.resource,
        createdAt: T0 + 1,
      });
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

    it('records the last use: as created, then at each rotation, and not at a refused one', async () => {
      const grant = grantRecord({ createdAt: T0, lastUsedAt: T0 });
      await fresh.store.grants.create(grant);
      assert.equal((await fresh.store.grants.find(grant.id))?.lastUsedAt, T0);
      assert.equal((await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 70)))?.lastUsedAt, T0 + 70);
      assert.equal(await fresh.store.grants.rotateRefreshToken(rotationOf(grant, T0 + 80, { generation: 0 })), undefined);
      assert.equal((await fresh.store.grants.find(grant.id))?.lastUsedAt, T0 + 70);
    });
  });

  describe('grants listed for `portcullis grants list`', () => {
    const fresh = useFreshStore(dialect);

    it('shows each grant with its user, client and how it was obtained; live ones unless revoked ones are asked for', async () => {
      const local = userRecord();
      await fresh.store.users.create(local);
      const client = clientRecord({ clientName: 'Notes app' });
      await fresh.store.clients.create(client);
      const subject = uniqueId('sub');
      const { userId: federatedId } = await fresh.store.federation.signIn(
        { providerId: 'corp', subject, email: 'ada@corp.example', displayName: 'Ada' },
        userRecord({ username: `corp:${subject}`, passwordHash: '!federated' }),
        T0,
      );
      const metadataClientId = 'https://app.example.com/client.json';

      const byPassword = grantRecord({ userId: local.id, clientId: client.clientId, scope: ['notes:read'], createdAt: T0 + 1, lastUsedAt: T0 + 5 });
      const federated = grantRecord({ userId: federatedId, clientId: metadataClientId, createdAt: T0 + 2, lastUsedAt: T0 + 2 });
      const revoked = grantRecord({ userId: local.id, clientId: client.clientId, createdAt: T0 + 3, revokedAt: T0 + 4 });
      const ofRemovedUser = grantRecord({ clientId: client.clientId, createdAt: T0 + 4, revokedAt: T0 + 4 });
      for (const g of [revoked, federated, byPassword, ofRemovedUser]) await fresh.store.grants.create(g);
      // Upstream tokens name the provider of the sign-in that made the grant, even for a user with no identity row.
      const viaTokens = grantRecord({ userId: local.id, clientId: client.clientId, createdAt: T0 + 5 });
      await fresh.store.grants.create(viaTokens);
      await fresh.store.federation.saveUpstreamTokens({
        grantId: viaTokens.id,
        providerId: 'github',
        userId: local.id,
        sealed: 'v1.k.iv.body.tag',
        accessExpiresAt: null,
        version: 0,
        revokeAttempts: 0,
        createdAt: T0 + 5,
        updatedAt: T0 + 5,
      });

      const live = await fresh.store.grants.list();
      assert.deepEqual(
        live.map((l) => l.grant.id),
        [byPassword.id, federated.id, viaTokens.id],
      );
      assert.deepEqual(live[0], {
        grant: byPassword,
        user: { username: local.username, federatedName: null },
        clientName: 'Notes app',
        obtainedBy: 'password',
      });
      assert.deepEqual(live[1], {
        grant: federated,
        user: { username: `corp:${subject}`, federatedName: 'ada@corp.example' },
        clientName: null,
        obtainedBy: 'upstream:corp',
      });
      assert.equal(live[2]?.obtainedBy, 'upstream:github');

      const all = await fresh.store.grants.list({ includeRevoked: true });
      assert.deepEqual(
        all.map((l) => l.grant.id),
        [byPassword.id, federated.id, revoked.id, ofRemovedUser.id, viaTokens.id],
      );
      assert.deepEqual(all[3], { grant: ofRemovedUser, user: null, clientName: 'Notes app', obtainedBy: 'unknown' });

      assert.deepEqual(
        (await fresh.store.grants.list({ userId: local.id, includeRevoked: true })).map((l) => l.grant.id),
        [byPassword.id, revoked.id, viaTokens.id],
      );
      assert.deepEqual(
        (await fresh.store.grants.list({ clientId: metadataClientId })).map((l) => l.grant.id),
        [federated.id],
      );
      assert.deepEqual(await fresh.store.grants.list({ userId: local.id, clientId: metadataClientId }), []);
    });
  });

  describe('clients nobody used, for `portcullis clients prune`', () => {
    const fresh = useFreshStore(dialect);
    const since = T0 + 1000;
    const now = T0 + 2000;

    async function dynamicClient(overrides: Parameters<typeof clientRecord>[0] = {}) {
      const client = clientRecord({ source: 'dynamic', createdAt: T0, ...overrides });
      await fresh.store.clients.create(client);
      return client;
    }

    it('lists dynamic clients registered before the cut-off with no use since, and nothing else', async () => {
      const neverUsed = await dynamicClient();
      const idleGrant = await dynamicClient();
      await fresh.store.grants.create(grantRecord({ clientId: idleGrant.clientId, createdAt: T0 + 1, lastUsedAt: T0 + 999 }));
      const usedRecently = await dynamicClient();
      await fresh.store.grants.create(grantRecord({ clientId: usedRecently.clientId, createdAt: T0 + 1, lastUsedAt: since }));
      const grantedRecently = await dynamicClient();
      await fresh.store.grants.create(grantRecord({ clientId: grantedRecently.clientId, createdAt: since + 1, lastUsedAt: null, revokedAt: since + 2 }));
      const usedBeforeRecording = await dynamicClient();
      await fresh.store.grants.create(grantRecord({ clientId: usedBeforeRecording.clientId, createdAt: T0 + 1, lastUsedAt: null, refreshExpiresAt: now + 1 }));
      const expiredUnrecorded = await dynamicClient();
      await fresh.store.grants.create(grantRecord({ clientId: expiredUnrecorded.clientId, createdAt: T0 + 1, lastUsedAt: null, refreshExpiresAt: now }));
      const codeIssued = await dynamicClient();
      await fresh.store.codes.create(codeRecord({ clientId: codeIssued.clientId, createdAt: since + 5, expiresAt: since + 65 }));
      const authorizing = await dynamicClient();
      await fresh.store.pendingAuthorizations.create(
        pendingAuthorizationRecord({ clientId: authorizing.clientId, createdAt: since + 5, expiresAt: since + 605 }),
      );
      await dynamicClient({ createdAt: since });
      await fresh.store.clients.create(clientRecord({ source: 'static', createdAt: T0 }));

      assert.deepEqual(
        (await fresh.store.clients.listUnused(since, now)).map((c) => c.clientId).sort(),
        [neverUsed.clientId, idleGrant.clientId, expiredUnrecorded.clientId].sort(),
      );
    });
  });
});
