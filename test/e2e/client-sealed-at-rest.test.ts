/**
 * Nothing secret is readable in the client store's files (docs/design.md invariant 7): after a login,
 * a refresh and a pending login, the bytes of the SQLite database and its WAL hold no access
 * token, refresh token, PKCE verifier or `state`, only their sealed forms and the state's hash;
 * and the verifier of a finished login is gone from the store.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { openPending } from '../../src/client/sealed-values.js';
import { hashSecret } from '../../src/core/secrets.js';
import { TestClock } from '../support/clock.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type ClientStoreHandle, clientKeyring, loginWithPages, newProvider, openClientStore } from '../support/mcp-client.js';
import { openTokensForTest } from '../support/mcp-client-secrets.js';

const login = { username: 'fay', password: 'fay password 123' };

describe('the client store keeps no secret in plaintext', () => {
  let stack: TestGateway;
  let client: ClientStoreHandle;
  before(async () => {
    stack = await startTestGateway();
    await stack.addUser(login.username, login.password);
    client = await openClientStore('sqlite');
  });
  after(async () => {
    await client?.close();
    await stack?.close();
  });

  it('holds tokens, verifier and state only sealed or hashed', async () => {
    const path = client.database.url.slice('sqlite:'.length);
    const clock = new TestClock();
    const { oauth } = newProvider({ store: client.store.mcpClient, userId: 'fay', serverUrl: stack.mcpUrl, clock });
    await loginWithPages(oauth, stack.issuer, login);
    const readRaw = (sql: string) => {
      const db = new BetterSqlite3(path, { readonly: true });
      try {
        return db.prepare(sql).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    };
    assert.deepEqual(readRaw('SELECT state_hash FROM client_pending_logins'), [], 'the verifier is deleted after the exchange');
    const first = openTokensForTest((await client.store.mcpClient.findTokens('fay', stack.mcpUrl))!);
    clock.advance(600);
    await oauth.accessToken(); // refreshed: the new tokens are sealed too
    const second = openTokensForTest((await client.store.mcpClient.findTokens('fay', stack.mcpUrl))!);
    assert.notEqual(second.refresh_token, first.refresh_token);

    const started = await oauth.start({ scope: 'notes:write' });
    const [pending] = readRaw('SELECT state_hash, sealed FROM client_pending_logins') as { state_hash: string; sealed: string }[];
    assert.equal(pending?.state_hash, hashSecret(started.state));
    const { verifier } = openPending(clientKeyring(), pending.state_hash, pending.sealed);

    const files = [path, `${path}-wal`, `${path}-shm`].filter(existsSync);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    assert.ok(bytes.includes(hashSecret(started.state)), 'the files read are the store (the state hash is there)');
    const secrets: Record<string, string> = {
      'first access token': first.access_token,
      'first refresh token': first.refresh_token!,
      'access token': second.access_token,
      'refresh token': second.refresh_token!,
      'PKCE verifier': verifier,
      state: started.state,
    };
    for (const [name, secret] of Object.entries(secrets)) {
      assert.ok(!bytes.includes(Buffer.from(secret)), `${name} is readable in the store's files`);
      // Not even a long piece of a JWT (its payload names the user and audience; the signature is the secret part).
      const signature = secret.split('.').at(-1)!;
      assert.ok(!bytes.includes(Buffer.from(signature)), `part of the ${name} is readable`);
    }
  });
});
