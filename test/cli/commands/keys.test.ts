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

  it('says when the new key signs: after every instance publishes it, or at once with --now; each rotation is a security event', async () => {
    const started = Date.now();
    const later = JSON.parse((await portcullis(['keys', 'rotate', '--db', db, '--json'])).stdout) as { signs_from: string; immediately: boolean };
    assert.equal(later.immediately, false);
    const delay = Date.parse(later.signs_from) - started;
    assert.ok(delay >= 119_000 && delay <= 150_000, `signs 120 s after the command ran by default, not ${delay} ms after it started`);
    const now = JSON.parse((await portcullis(['keys', 'rotate', '--now', '--db', db, '--json'])).stdout) as {
      kid: string;
      published: string[];
      immediately: boolean;
    };
    assert.equal(now.immediately, true);
    assert.ok(now.published.includes(now.kid));
    const events = JSON.parse((await portcullis(['events', '--db', db, '--type', 'key_rotated', '--json'])).stdout) as { type: string }[];
    assert.equal(events.length, 4);
  });
});
