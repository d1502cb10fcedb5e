/**
 * The storage contract (src/store/types.ts) on every dialect. Authorization codes
 * (src/store/authorization-code-store.ts): one atomic consume, so exactly one redemption wins, also
 * across connections and processes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRacer } from '../../support/store-racer.js';
import { codeRecord, randomHash, T0 } from '../../support/store-records.js';
import { assertRedeemed, describeOnEveryDialect, useFreshStore } from './run-contract.js';

const count = <T extends string>(outcomes: readonly { outcome: T }[], outcome: T) => outcomes.filter((o) => o.outcome === outcome).length;

await describeOnEveryDialect('store contract', (dialect) => {
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
      for (const i of hashes.keys()) assert.deepEqual([mine[i], theirs.outcomes[i]].sort(), ['redeemed', 'replayed'], `code ${i}`);
    });
  });
});
