import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/index.js';
import {
  addStaticClient,
  assertOAuthError,
  assertTokens,
  discover,
  isActive,
  redeemCode,
  refreshTokens,
  type ServerMetadata,
  type StaticClient,
} from '../support/authorization-flow.js';
import { orphanRows, sqliteIntegrity, storedGrants } from '../support/database-consistency.js';
import { addUserToDatabase, startServeProcess } from '../support/serve-process.js';
import { createTestDatabase, DIALECTS, postgresSkipReason } from '../support/stores.js';
import { type KnownFamily, prepareLoadClients, runTokenFamilyLoad } from '../support/token-family-load.js';

/**
 * `kill -9` of a `portcullis serve` under load, then a restart on the same database and port. What
 * the code guarantees, and what is asserted here exactly:
 * - An answered request is durable: the server answers only after its statements committed (the
 *   code's consume, the grant, the rotation's UPDATE; SQLite WAL with synchronous=NORMAL survives
 *   a process crash). So every access token a client received verifies, and every family's last
 *   received refresh token is its grant's current generation and rotates once.
 * - An unanswered request leaves one of two states, never a third. A rotation either did not
 *   commit (the client's token is still current and rotates) or did (the grant is one generation
 *   ahead, the client's token is spent, and presenting it is a reuse that revokes the family, as
 *   designed: that client must sign in again). A code redemption either did not consume the code
 *   (it still redeems) or did (it is spent; presenting it again is a replay, which revokes its
 *   grant). A grant no client knows of is at generation 0, from such a redemption.
 * - Nothing is spent twice: after the restart an older refresh generation and an answered code are
 *   refused with invalid_grant and revoke their family.
 * - The database is consistent: no row points at a missing user, client or grant, and SQLite's
 *   integrity check is ok.
 */

const LOGIN = { username: 'grace', password: 'grace password 1234' };
const CLIENTS = 8;
const LOAD_MS = 1500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Access tokens that introspect as inactive, checked 16 at a time. */
async function inactiveTokens(as: ServerMetadata, rs: StaticClient, tokens: readonly string[]): Promise<number> {
  let inactive = 0;
  for (let i = 0; i < tokens.length; i += 16) {
    const active = await Promise.all(tokens.slice(i, i + 16).map((token) => isActive(as, rs, token)));
    inactive += active.filter((a) => !a).length;
  }
  return inactive;
}

for (const dialect of DIALECTS) {
  describe(`serve: SIGKILL under load, then restart (${dialect})`, async () => {
    const skip = dialect === 'postgres' ? await postgresSkipReason() : false;

    it('keeps every answered token, spends nothing twice and leaves the database consistent', { skip, timeout: 120_000 }, async (t) => {
      const database = await createTestDatabase(dialect);
      t.after(() => database.destroy());
      await addUserToDatabase(database.url, LOGIN.username, LOGIN.password);
      const setup = await openStore(database.url);
      const rs = await addStaticClient(setup);
      await setup.close();

      const first = await startServeProcess({ db: database.url });
      t.after(() => first.cli.child.kill('SIGKILL'));
      const resource = `${first.url}/mcp`;
      let as = await discover(first.url);
      const clients = await prepareLoadClients(as, LOGIN, resource, CLIENTS);
      let stopped = false;
      const load = runTokenFamilyLoad(as, clients, resource, { stopped: () => stopped });
      await sleep(LOAD_MS);
      // Killed while several token requests are in flight (the load keeps some most of the time).
      for (let i = 0; i < 2000 && load.record.tokenRequestsInFlight < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      stopped = true;
      first.cli.child.kill('SIGKILL');
      await load.done;
      assert.equal((await first.cli.exited).code, null, 'killed, not exited');

      const { record } = load;
      const families = [...record.families.values()];
      assert.deepEqual(record.unexpected, [], 'every answer before the kill was tokens');
      assert.ok(record.flows >= 10 && record.rotations >= 10, `load: ${record.flows} flows, ${record.rotations} rotations`);
      const unansweredCodes = record.codes.filter((code) => !code.answered);
      const unansweredRotations = families.filter((family) => family.rotationUnanswered);
      assert.ok(unansweredCodes.length + unansweredRotations.length >= 1, 'requests were in flight at the kill');
      t.diagnostic(
        `${record.flows} flows, ${record.rotations} rotations; at the kill ${unansweredCodes.length} redemptions and ${unansweredRotations.length} rotations unanswered`,
      );

      const second = await startServeProcess({ db: database.url, port: first.port });
      t.after(() => second.cli.child.kill('SIGKILL'));
      as = await discover(second.url);

      // The database as the kill left it: each family exactly where its client's answers put it.
      const grants = await storedGrants(database.url);
      for (const family of families) {
        const grant = grants.get(family.grantId);
        assert.ok(grant !== undefined && !grant.revoked, 'an answered redemption has a live grant');
        const allowed = family.rotationUnanswered ? [family.generation, family.generation + 1] : [family.generation];
        assert.ok(allowed.includes(grant.generation ?? -1), `grant at generation ${grant.generation}, its client last got ${family.generation}`);
      }
      const unknown = [...grants.values()].filter((grant) => !record.families.has(grant.id));
      assert.ok(unknown.length <= unansweredCodes.length, 'a grant no client knows of comes from an unanswered redemption');
      for (const grant of unknown) assert.equal(grant.generation, 0);

      const accessTokens = families.flatMap((family) => family.accessTokens);
      assert.equal(await inactiveTokens(as, rs, accessTokens), 0, `every one of ${accessTokens.length} access tokens received verifies`);

      // The last refresh token of each family rotates once; if the lost answer's rotation had
      // committed, it is spent, and presenting it revokes the family (reuse detection).
      const live: KnownFamily[] = [];
      for (const family of families) {
        const answer = await refreshTokens(as, { clientId: family.clientId, refreshToken: family.refreshTokens.at(-1)! });
        if (grants.get(family.grantId)?.generation === family.generation) {
          family.refreshTokens.push(assertTokens(answer).refresh_token);
          live.push(family);
        } else {
          assertOAuthError(answer, 'invalid_grant');
          assert.equal(await inactiveTokens(as, rs, family.accessTokens), family.accessTokens.length, 'the family was revoked');
        }
      }
      assert.ok(live.length >= 4, `${live.length} live families`);

      // No refresh token is spent twice: an older generation is a reuse and ends its family.
      const reused = live.filter((family) => family.refreshTokens.length >= 3).slice(0, 3);
      assert.ok(reused.length >= 1, 'a family that rotated');
      for (const family of reused) {
        assertOAuthError(await refreshTokens(as, { clientId: family.clientId, refreshToken: family.refreshTokens[0]! }), 'invalid_grant');
        assertOAuthError(await refreshTokens(as, { clientId: family.clientId, refreshToken: family.refreshTokens.at(-1)! }), 'invalid_grant');
        assert.equal(await inactiveTokens(as, rs, family.accessTokens), family.accessTokens.length);
      }

      // No code is spent twice: an answered code presented again is a replay and ends its grant.
      const replayed = record.codes.filter((code) => code.answered && live.some((f) => f.grantId === code.grantId && !reused.includes(f))).slice(0, 3);
      assert.ok(replayed.length >= 1, 'an answered code to replay');
      for (const code of replayed) {
        assertOAuthError(await redeemCode(as, { clientId: code.clientId, code: code.code, verifier: code.verifier, resource }), 'invalid_grant');
        const family = record.families.get(code.grantId!)!;
        assertOAuthError(await refreshTokens(as, { clientId: family.clientId, refreshToken: family.refreshTokens.at(-1)! }), 'invalid_grant');
      }
      // An unanswered redemption: either the code was never consumed and redeems now, or it was
      // and this is a replay; once more, it is refused either way.
      for (const code of unansweredCodes) {
        const answer = await redeemCode(as, { clientId: code.clientId, code: code.code, verifier: code.verifier, resource });
        if (answer.status !== 200) assertOAuthError(answer, 'invalid_grant');
        assertOAuthError(await redeemCode(as, { clientId: code.clientId, code: code.code, verifier: code.verifier, resource }), 'invalid_grant');
      }

      assert.deepEqual(await orphanRows(database.url), {}, 'no row points at a missing user, client or grant');
      if (dialect === 'sqlite') assert.deepEqual(await sqliteIntegrity(database.url), ['ok']);

      second.cli.child.kill('SIGTERM');
      assert.equal((await second.cli.exited).code, 0);
    });
  });
}
