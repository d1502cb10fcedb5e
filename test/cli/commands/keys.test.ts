import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../../src/store/index.js';
import { makeScratchFolder, portcullis } from '../../support/cli-commands.js';

describe('portcullis CLI', () => {
  let dir: string;
  let db: string;
  before(async () => {
    ({ dir, db } = makeScratchFolder());
    // keys rotate never creates a database (src/cli/with-store.ts): make the one it rotates in.
    await (await openStore(db)).close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rotates signing keys, keeping the old public key published', async () => {
    const first = JSON.parse((await portcullis(['keys', 'rotate', '--db', db, '--json'])).stdout) as { kid: string; published: string[] };
    const second = JSON.parse((await portcullis(['keys', 'rotate', '--db', db, '--json'])).stdout) as { kid: string; published: string[] };
    assert.notEqual(first.kid, second.kid);
    assert.ok(second.published.includes(first.kid) && second.published.includes(second.kid));
  });
});
