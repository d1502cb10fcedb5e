/**
 * SQLite: a clients row whose JSON columns or closed values are not of the shape the store writes
 * (corrupted, or written by something else) is as good as no client: `find` gives undefined and
 * `list` leaves it out. (The contract both dialects meet is in contract/clients.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { clientRecord } from '../support/store-records.js';
import { sqliteStoreForSuite } from '../support/suite-store.js';

const tampered: [column: string, value: string][] = [
  ['redirect_uris', 'not json'],
  ['redirect_uris', '"http://127.0.0.1/cb"'],
  ['grant_types', '{"0":"authorization_code"}'],
  ['metadata', '[]'],
  ['metadata', 'null'],
  ['token_endpoint_auth_method', 'private_key_jwt'],
  ['source', 'imported'],
];

describe('client store rows of another shape', () => {
  const suite = sqliteStoreForSuite();

  it('refuses each as an unknown client, and lists only the readable ones', async () => {
    const { store, database } = suite;
    const readable = clientRecord();
    await store.clients.create(readable);
    const sqlite = new BetterSqlite3(database.url.slice('sqlite:'.length));
    try {
      for (const [column, value] of tampered) {
        const client = clientRecord();
        await store.clients.create(client);
        assert.deepEqual(await store.clients.find(client.clientId), client);
        sqlite.prepare(`UPDATE clients SET ${column} = ? WHERE client_id = ?`).run(value, client.clientId);
        assert.equal(await store.clients.find(client.clientId), undefined, `${column} = ${value}`);
      }
    } finally {
      sqlite.close();
    }
    assert.deepEqual(await store.clients.list(), [readable]);
  });
});
