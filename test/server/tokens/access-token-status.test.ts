/** isAccessTokenLive: an access token is live unless it or its grant was revoked. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { ServerContext } from '../../../src/server/context.js';
import { newAccessTokenId } from '../../../src/server/tokens/access-token-id.js';
import { isAccessTokenLive } from '../../../src/server/tokens/access-token-status.js';
import type { Store } from '../../../src/store/index.js';
import { accessTokenRecord, grantRecord, T0, uniqueId } from '../../support/store-records.js';
import { createSqliteDatabase, type TestDatabase } from '../../support/stores.js';

describe('isAccessTokenLive', () => {
  let database: TestDatabase;
  let store: Store;
  let ctx: ServerContext;
  before(async () => {
    database = createSqliteDatabase();
    store = await database.open();
    ctx = { store } as ServerContext;
  });
  after(async () => {
    await store.close();
    await database.destroy();
  });

  async function liveGrant() {
    const grant = grantRecord();
    await store.grants.create(grant);
    return grant;
  }

  it('is live while the grant its jti names is', async () => {
    const grant = await liveGrant();
    const jti = newAccessTokenId(grant.id);
    assert.equal(await isAccessTokenLive(ctx, jti), true);
    await store.grants.revoke(grant.id, T0 + 1);
    assert.equal(await isAccessTokenLive(ctx, jti), false);
  });

  it('is not live once revoked itself, while its grant stays live', async () => {
    const grant = await liveGrant();
    const revoked = newAccessTokenId(grant.id);
    const other = newAccessTokenId(grant.id);
    await store.grants.revokeAccessToken(accessTokenRecord(grant, { jti: revoked }), T0 + 1);
    assert.equal(await isAccessTokenLive(ctx, revoked), false);
    assert.equal(await isAccessTokenLive(ctx, other), true);
  });

  it('is not live for a grant that does not exist, or a jti that names none', async () => {
    assert.equal(await isAccessTokenLive(ctx, newAccessTokenId(uniqueId('grant'))), false);
    for (const jti of ['', '.', 'no-grant-here', '.abc', 'a b.c', `${'/'}.x`]) assert.equal(await isAccessTokenLive(ctx, jti), false, jti);
  });

  it('follows the record of a token issued before jtis named their grant', async () => {
    const grant = await liveGrant();
    const legacy = accessTokenRecord(grant);
    // Written as releases before it did, at issuance (the store no longer writes such rows).
    const sqlite = new BetterSqlite3(database.url.slice('sqlite:'.length));
    sqlite
      .prepare('INSERT INTO access_tokens (jti, grant_id, client_id, expires_at, revoked_at) VALUES (?, ?, ?, ?, NULL)')
      .run(legacy.jti, grant.id, grant.clientId, legacy.expiresAt);
    sqlite.close();
    assert.equal(await isAccessTokenLive(ctx, legacy.jti), true);
    await store.grants.revokeAccessToken({ ...legacy, grantId: '' }, T0 + 1);
    assert.equal(await isAccessTokenLive(ctx, legacy.jti), false);
    assert.equal((await store.grants.findAccessToken(legacy.jti))?.grantId, grant.id, 'the revocation keeps the recorded grant');
  });
});
