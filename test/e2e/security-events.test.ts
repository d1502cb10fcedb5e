/**
 * The security event trail (issue 15): attacks and account changes met over real HTTP are each
 * recorded once in the database, with who, which client, from where and what was done, and never
 * a secret; `portcullis events` shows them and filters them; old events are swept.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/server/logger.js';
import type { SecurityEventRecord } from '../../src/store/index.js';
import {
  assertOAuthError,
  assertTokens,
  discover,
  obtainCode,
  redeemCode,
  refreshTokens,
  registerPublicClient,
  type ServerMetadata,
  tokenRequest,
} from '../support/authorization-flow.js';
import { FormBrowser } from '../support/browser.js';
import { portcullis } from '../support/cli-commands.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { DIALECTS, postgresSkipReason } from '../support/stores.js';

const PASSWORD = 'events test password 123';

for (const dialect of DIALECTS) {
  describe(`the security event trail on ${dialect}`, { skip: dialect === 'postgres' ? await postgresSkipReason() : false }, () => {
    const lines: Record<string, unknown>[] = [];
    let server: TestServer;
    let as: ServerMetadata;
    let userId: string;
    const secrets: string[] = [PASSWORD];

    before(async () => {
      const sink = new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      });
      server = await startTestServer({ dialect, logger: createLogger({ destination: sink }), settings: { login: { maxFailuresPerUser: 2 } } });
      userId = await server.addUser('dana', PASSWORD);
      as = await discover(server.url);
    });
    after(() => server.close());

    const events = (type: SecurityEventRecord['type']) => server.store.securityEvents.list({ type });

    it('records a registration, a consent, a code replay with what it revoked, a refresh reuse and a PKCE failure', async () => {
      const clientId = await registerPublicClient(as);
      const [registered] = await server.store.securityEvents.list({ type: 'client_registered', clientId });
      assert.equal(registered?.address, '127.0.0.1');

      const obtained = await obtainCode(as, clientId, { username: 'dana', password: PASSWORD });
      const tokens = assertTokens(await redeemCode(as, { clientId, code: obtained.code, verifier: obtained.verifier }));
      secrets.push(obtained.code, obtained.verifier, tokens.access_token, tokens.refresh_token);
      const [consent] = await events('consent_granted');
      assert.equal(consent?.userId, userId);
      assert.equal(consent?.clientId, clientId);

      assertOAuthError(await redeemCode(as, { clientId, code: obtained.code, verifier: obtained.verifier }), 'invalid_grant');
      const replays = await events('code_replayed');
      assert.equal(replays.length, 1, 'one replay, one event');
      assert.equal(replays[0]?.outcome, 'revoked');
      assert.equal(replays[0]?.detail['families_revoked'], 1);
      assert.equal(replays[0]?.userId, userId);

      // A second grant: rotate once, then present the spent token.
      const again = await obtainCode(as, clientId, { username: 'dana', password: PASSWORD }, { browser: obtained.browser });
      const first = assertTokens(await redeemCode(as, { clientId, code: again.code, verifier: again.verifier }));
      assertTokens(await refreshTokens(as, { clientId, refreshToken: first.refresh_token }));
      assertOAuthError(await refreshTokens(as, { clientId, refreshToken: first.refresh_token }), 'invalid_grant');
      const [reuse] = await events('refresh_reused');
      assert.equal(reuse?.clientId, clientId);
      assert.equal(reuse?.outcome, 'revoked');

      const third = await obtainCode(as, clientId, { username: 'dana', password: PASSWORD }, { browser: obtained.browser });
      secrets.push(third.code);
      const wrong = await tokenRequest(as, {
        grant_type: 'authorization_code',
        code: third.code,
        redirect_uri: third.redirectUri,
        client_id: clientId,
        code_verifier: 'x'.repeat(43),
      });
      assertOAuthError(wrong, 'invalid_grant');
      const [pkce] = await events('pkce_failed');
      assert.equal(pkce?.clientId, clientId);
      assert.equal(pkce?.userId, userId);
    });

    it('records failed logins and the lockout, without the name typed, and logs each as one line', async () => {
      const browser = new FormBrowser(server.url);
      const clientId = await registerPublicClient(as);
      const url = `${as.authorization_endpoint}?${new URLSearchParams({
        client_id: clientId,
        redirect_uri: 'http://127.0.0.1:53124/callback',
        response_type: 'code',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
        state: 's',
      })}`;
      const typedAsName = 'my-secret-password-typed-in-the-name-field';
      secrets.push(typedAsName);
      const statuses: number[] = [];
      for (const username of ['dana', 'dana', 'dana', typedAsName]) {
        const page = await browser.navigate(url);
        const answer = await browser.submitForm({ html: await page.response.text(), url: page.url }, { username, password: 'wrong' });
        statuses.push(answer.response.status);
      }
      assert.deepEqual(statuses, [401, 401, 429, 401]);
      const failed = await events('login_failed');
      assert.equal(failed.length, 3);
      assert.deepEqual(failed.map((e) => e.detail['known_user']).sort(), [false, true, true]);
      assert.ok(failed.every((e) => e.address === '127.0.0.1'));
      const [locked] = await events('login_locked');
      assert.equal(locked?.userId, userId);
      assert.equal(locked?.outcome, 'refused');
      assert.equal(lines.filter((l) => l['event'] === 'login_locked' && l['security'] === true).length, 1, 'one log line for the event');
    });

    it('never holds a secret in the database or the logs', async () => {
      const stored = JSON.stringify(await server.store.securityEvents.list({}));
      const logged = JSON.stringify(lines);
      for (const secret of secrets) {
        assert.ok(!stored.includes(secret), 'no secret in a stored event');
        assert.ok(!logged.includes(secret), 'no secret in the logs');
      }
    });

    it('is shown and filtered by `portcullis events`', async () => {
      const db = server.database.url;
      const all = JSON.parse((await portcullis(['events', '--db', db, '--json'])).stdout) as { type: string; username: string | null }[];
      assert.ok(all.length >= 8);
      const replays = JSON.parse((await portcullis(['events', '--db', db, '--type', 'code_replayed', '--json'])).stdout) as {
        type: string;
        username: string;
      }[];
      assert.deepEqual(
        replays.map((e) => [e.type, e.username]),
        [['code_replayed', 'dana']],
      );
      const dana = JSON.parse((await portcullis(['events', '--db', db, '--user', 'dana', '--since', '1h', '--json'])).stdout) as { username: string }[];
      assert.ok(dana.length >= 4 && dana.every((e) => e.username === 'dana'));
      const human = await portcullis(['events', '--db', db, '--type', 'login_locked']);
      assert.equal(human.code, 0);
      assert.match(human.stdout, /TIME\s+TYPE\s+OUTCOME\s+USER/);
      assert.match(human.stdout, /login_locked\s+refused\s+dana/);

      const bad = await portcullis(['events', '--db', db, '--type', 'nonsense']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /--type must be one of/);
      const badSince = await portcullis(['events', '--db', db, '--since', 'yesterday']);
      assert.equal(badSince.code, 1);
      assert.match(badSince.stderr, /--since takes a duration/);
    });
  });
}

describe('old security events', () => {
  it('are swept after the retention period, newer ones kept', async () => {
    const server = await startTestServer({ settings: { securityEvents: { retentionDays: 1 } } });
    try {
      const now = Math.floor(Date.now() / 1000);
      const base = { userId: null, clientId: null, address: null, outcome: 'refused', detail: {} } as const;
      await server.store.securityEvents.add({ ...base, type: 'login_failed', at: now - 2 * 86_400 });
      await server.store.securityEvents.add({ ...base, type: 'login_failed', at: now - 3600 });
      await server.server.sweepNow();
      const left = await server.store.securityEvents.list({});
      assert.deepEqual(
        left.map((e) => e.at),
        [now - 3600],
      );
    } finally {
      await server.close();
    }
  });
});
