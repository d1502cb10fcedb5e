/**
 * `portcullis grants list` and `grants revoke` (the real CLI in a child process) against the
 * database of a running authorization server, on SQLite and PostgreSQL: a grant made by a real
 * authorization-code flow shows up as it is, and revoking it ends its refresh token and access
 * tokens on the running server at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  addStaticClient,
  assertOAuthError,
  assertTokens,
  discover,
  isActive,
  obtainCode,
  redeemCode,
  refreshTokens,
  registerPublicClient,
  type ServerMetadata,
  type StaticClient,
  type TokenSet,
} from '../../support/authorization-flow.js';
import { assertOneLineFailure, portcullis } from '../../support/cli-commands.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { DIALECTS, postgresSkipReason } from '../../support/stores.js';

const ALICE = { username: 'alice', password: 'alice password 1234' };
const SETTINGS = { scopes: { 'notes:read': 'Read notes', 'notes:write': 'Change notes' }, defaultScopes: ['notes:read'] };

interface ListedGrant {
  id: string;
  status: string;
  user_id: string;
  username: string | null;
  user: string | null;
  client_id: string;
  client_name: string | null;
  scope: string;
  resource: string;
  obtained_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

for (const dialect of DIALECTS) {
  const skip = dialect === 'postgres' ? await postgresSkipReason() : false;

  describe(`portcullis grants: ${dialect}`, { skip }, () => {
    let server: TestServer;
    let as: ServerMetadata;
    let db: string;
    let clientId: string;
    let resourceServer: StaticClient;
    let tokens: TokenSet;
    let grantId: string;
    let usedAt: number;

    before(async () => {
      server = await startTestServer({ dialect, settings: SETTINGS });
      db = server.database.url;
      as = await discover(server.url);
      await server.addUser(ALICE.username, ALICE.password);
      resourceServer = await addStaticClient(server.store);
      clientId = await registerPublicClient(as, { client_name: 'Notes desktop' });
      const obtained = await obtainCode(as, clientId, ALICE, { scope: 'notes:read notes:write' });
      const first = assertTokens(await redeemCode(as, { clientId, code: obtained.code, verifier: obtained.verifier }));
      usedAt = Math.floor(Date.now() / 1000);
      tokens = assertTokens(await refreshTokens(as, { clientId, refreshToken: first.refresh_token }));
    });
    after(() => server?.close());

    async function listGrants(args: string[] = []): Promise<ListedGrant[]> {
      const run = await portcullis(['grants', 'list', '--db', db, '--json', ...args]);
      assert.equal(run.code, 0, run.stderr);
      return JSON.parse(run.stdout) as ListedGrant[];
    }

    it('lists the grant a real flow made: user, client, scopes, resource, created, last used, obtained by password', async () => {
      const [grant, ...others] = await listGrants();
      assert.equal(others.length, 0);
      assert.ok(grant);
      grantId = grant.id;
      assert.equal(grant.status, 'active');
      assert.equal(grant.username, ALICE.username);
      assert.equal(grant.user, ALICE.username);
      assert.equal(grant.client_id, clientId);
      assert.equal(grant.client_name, 'Notes desktop');
      assert.equal(grant.scope, tokens.scope);
      assert.deepEqual(grant.scope.split(' ').sort(), ['notes:read', 'notes:write']);
      assert.equal(grant.resource, `${server.url}/mcp`);
      assert.equal(grant.obtained_by, 'password');
      assert.equal(grant.revoked_at, null);
      // The refresh was the last use: at or after the redemption, not before it.
      const lastUsed = Date.parse(grant.last_used_at ?? '') / 1000;
      assert.ok(lastUsed >= usedAt - 1 && lastUsed <= Date.now() / 1000, `last used ${grant.last_used_at}`);
      assert.ok(Date.parse(grant.created_at) / 1000 <= lastUsed);
      if (dialect !== 'sqlite') return;

      // Each CLI run costs a process start: the text form and the errors are checked on one dialect.
      const [text, unknownGrant] = await Promise.all([
        portcullis(['grants', 'list', '--db', db, '--user', ALICE.username]),
        portcullis(['grants', 'revoke', 'no-such-grant', '--db', db]),
      ]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^ID +STATUS +USER +CLIENT +SCOPE +RESOURCE +CREATED +LAST USED +OBTAINED BY$/m);
      assert.match(text.stdout, new RegExp(`${grantId} +active +alice +Notes desktop \\(${clientId}\\)`));
      assert.doesNotMatch(text.stdout + text.stderr, new RegExp(tokens.refresh_token.slice(-20)), 'no token in the listing');
      assertOneLineFailure(unknownGrant, /^portcullis: no grant no-such-grant; see portcullis grants list$/);
      assert.equal((await server.store.grants.find(grantId))?.revokedAt, null, 'an unknown id changes nothing');
    });

    it('revokes the grant at once: its refresh token gets invalid_grant, its access token is inactive, and the event is recorded', async () => {
      assert.equal(await isActive(as, resourceServer, tokens.access_token), true);
      const run = await portcullis(['grants', 'revoke', grantId, '--db', db]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^revoked grant ${grantId}`));
      assert.match(run.stdout, /tokenCacheSeconds/);

      assertOAuthError(await refreshTokens(as, { clientId, refreshToken: tokens.refresh_token }), 'invalid_grant');
      assert.equal(await isActive(as, resourceServer, tokens.access_token), false);

      const events = await server.store.securityEvents.list({ type: 'grant_revoked' });
      assert.equal(events.length, 1);
      assert.equal(events[0]?.outcome, 'revoked');
      assert.equal(events[0]?.clientId, clientId);
      assert.equal(events[0]?.detail['grant_id'], grantId);
      if (dialect !== 'sqlite') return;

      const [all, again] = await Promise.all([listGrants(['--all']), portcullis(['grants', 'revoke', grantId, '--db', db, '--json'])]);
      assert.equal(all[0]?.status, 'revoked');
      assert.ok(all[0]?.revoked_at);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).revoked, false);
      assert.equal((await server.store.securityEvents.list({ type: 'grant_revoked' })).length, 1, 'nothing recorded for a grant already revoked');
    });

    // An existing command's new event: one dialect is enough.
    if (dialect === 'sqlite')
      it('records the consent revoked by consents revoke', async () => {
        const run = await portcullis(['consents', 'revoke', ALICE.username, clientId, '--db', db]);
        assert.equal(run.code, 0, run.stderr);
        const events = await server.store.securityEvents.list({ type: 'consent_revoked' });
        assert.deepEqual(
          events.map((e) => [e.clientId, e.outcome, e.detail['by']]),
          [[clientId, 'revoked', 'cli']],
        );
      });
  });
}
