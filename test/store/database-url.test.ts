import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDatabaseUrl } from '../../src/store/index.js';

describe('parseDatabaseUrl (--db)', () => {
  it('reads sqlite:PATH', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:./portcullis.db'), { dialect: 'sqlite', path: './portcullis.db' });
    assert.deepEqual(parseDatabaseUrl('sqlite:/var/lib/portcullis/db.sqlite'), { dialect: 'sqlite', path: '/var/lib/portcullis/db.sqlite' });
    assert.deepEqual(parseDatabaseUrl('sqlite::memory:'), { dialect: 'sqlite', path: ':memory:' });
  });

  it('reads postgres:// and postgresql:// URLs unchanged', () => {
    for (const url of ['postgres://user:pw@db.example.com:5432/portcullis', 'postgresql://127.0.0.1/portcullis?sslmode=require']) {
      assert.deepEqual(parseDatabaseUrl(url), { dialect: 'postgres', url });
    }
  });

  it('refuses an empty sqlite path', () => {
    assert.throws(() => parseDatabaseUrl('sqlite:'), /needs a path/);
  });

  it('refuses other schemes without echoing credentials', () => {
    assert.throws(
      () => parseDatabaseUrl('mysql://root:hunter2@db/portcullis'),
      (error: Error) => {
        assert.match(error.message, /sqlite:PATH or a postgres:\/\/ URL/);
        assert.ok(!error.message.includes('hunter2'));
        return true;
      },
    );
    assert.throws(() => parseDatabaseUrl('./portcullis.db'));
    assert.throws(() => parseDatabaseUrl(''));
  });

  it('suggests sqlite:PATH for a bare path, and names the setting as it was given', () => {
    assert.throws(() => parseDatabaseUrl('data/x.db'), /^Error: --db .*write sqlite:data\/x\.db$/);
    assert.throws(() => parseDatabaseUrl('x.db', '"db" in portcullis.json'), /^Error: "db" in portcullis\.json .*write sqlite:x\.db$/);
  });
});
