import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../../src/store/index.js';
import { makeScratchFolder, portcullis } from '../../support/cli-commands.js';
import { clientRecord, grantRecord } from '../../support/store-records.js';

describe('portcullis CLI', () => {
  let dir: string;
  let db: string;
  before(() => ({ dir, db } = makeScratchFolder()));
  after(() => rmSync(dir, { recursive: true, force: true }));

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
    const store = await openStore(db);
    try {
      const events = await store.securityEvents.list({ type: 'client_removed' });
      assert.deepEqual(
        events.map((e) => [e.clientId, e.outcome]),
        [[created.client_id, 'removed']],
      );
    } finally {
      await store.close();
    }
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
});

describe('portcullis clients prune', () => {
  let dir: string;
  let db: string;
  before(() => ({ dir, db } = makeScratchFolder()));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('removes a dynamic client unused for the period, keeps a static one and a recently used one, and revokes what it held', async () => {
    const now = Math.floor(Date.now() / 1000);
    const day = 86_400;
    const idle = clientRecord({ source: 'dynamic', createdAt: now - 40 * day, clientName: 'Abandoned' });
    const idleGrant = grantRecord({ clientId: idle.clientId, createdAt: now - 39 * day, lastUsedAt: now - 35 * day, refreshExpiresAt: now + day });
    const staticClient = clientRecord({ source: 'static', createdAt: now - 40 * day });
    const recentlyUsed = clientRecord({ source: 'dynamic', createdAt: now - 40 * day });
    const recentGrant = grantRecord({ clientId: recentlyUsed.clientId, createdAt: now - 39 * day, lastUsedAt: now - day, refreshExpiresAt: now + day });
    const young = clientRecord({ source: 'dynamic', createdAt: now - day });
    const store = await openStore(db);
    try {
      for (const client of [idle, staticClient, recentlyUsed, young]) await store.clients.create(client);
      for (const grant of [idleGrant, recentGrant]) await store.grants.create(grant);
    } finally {
      await store.close();
    }

    const dryRun = await portcullis(['clients', 'prune', '--unused-for', '30d', '--dry-run', '--db', db, '--json']);
    assert.equal(dryRun.code, 0, dryRun.stderr);
    assert.deepEqual(
      JSON.parse(dryRun.stdout).would_remove.map((c: { client_id: string }) => c.client_id),
      [idle.clientId],
    );
    const pruned = await portcullis(['clients', 'prune', '--unused-for', '30d', '--db', db]);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /^removed 1 dynamically registered client unused for 30d/);
    assert.match(pruned.stdout, new RegExp(`${idle.clientId} +Abandoned`));

    const after = await openStore(db);
    try {
      assert.deepEqual((await after.clients.list()).map((c) => c.clientId).sort(), [staticClient.clientId, recentlyUsed.clientId, young.clientId].sort());
      assert.ok((await after.grants.find(idleGrant.id))?.revokedAt, "the pruned client's grant is revoked");
      assert.equal((await after.grants.find(recentGrant.id))?.revokedAt, null);
      const events = await after.securityEvents.list({ type: 'client_removed' });
      assert.deepEqual(
        events.map((e) => [e.clientId, e.outcome]),
        [[idle.clientId, 'removed']],
      );
    } finally {
      await after.close();
    }

    const badDuration = await portcullis(['clients', 'prune', '--unused-for', '30', '--db', db]);
    assert.equal(badDuration.code, 1);
    assert.match(badDuration.stderr, /--unused-for takes a duration such as 30d/);
  });
});
