import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { makeScratchFolder, portcullis } from '../../support/cli-commands.js';

describe('portcullis CLI', () => {
  let dir: string;
  let db: string;
  before(() => ({ dir, db } = makeScratchFolder()));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('pre-registers clients, printing a confidential secret once', async () => {
    const confidential = await portcullis(['clients', 'add', '--name', 'Resource server', '--db', db, '--json']);
    assert.equal(confidential.code, 0, confidential.stderr);
    const created = JSON.parse(confidential.stdout) as { client_id: string; client_secret: string };
    assert.ok(created.client_secret.length >= 43);

    const publicClient = await portcullis(['clients', 'add', '--public', '--redirect-uri', 'http://127.0.0.1:9999/cb', '--db', db, '--json']);
    assert.equal(publicClient.code, 0, publicClient.stderr);
    assert.equal(JSON.parse(publicClient.stdout).client_secret, undefined);

    const hostile = await portcullis(['clients', 'add', '--public', '--redirect-uri', 'javascript:alert(1)', '--db', db]);
    assert.equal(hostile.code, 1);
    assert.match(hostile.stderr, /forbidden scheme/);

    const list = await portcullis(['clients', 'list', '--db', db, '--json']);
    const listed = JSON.parse(list.stdout) as { client_id: string }[];
    assert.equal(listed.length, 2);
    assert.doesNotMatch(list.stdout, new RegExp(created.client_secret), 'the secret is never shown again');

    const removed = await portcullis(['clients', 'remove', created.client_id, '--db', db]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(JSON.parse((await portcullis(['clients', 'list', '--db', db, '--json'])).stdout).length, 1);
  });

  it('removes a client whose id begins with "-" when it is given after --', async () => {
    const dashed = await portcullis(['clients', 'add', '--client-id=-dashed', '--public', '--redirect-uri', 'http://127.0.0.1:9999/cb', '--db', db]);
    assert.equal(dashed.code, 0, dashed.stderr);
    const asOption = await portcullis(['clients', 'remove', '-dashed', '--db', db]);
    assert.equal(asOption.code, 1);
    assert.match(asOption.stderr, /unknown option '-dashed'/);
    const removed = await portcullis(['clients', 'remove', '--db', db, '--', '-dashed']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /removed client -dashed/);
  });
});
