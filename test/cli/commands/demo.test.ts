import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyPassword } from '../../../src/server/browser/password-hash.js';
import { openStore } from '../../../src/store/index.js';
import { makeScratchFolder, startServing } from '../../support/cli-commands.js';

describe('portcullis CLI', () => {
  let dir: string;
  before(() => ({ dir } = makeScratchFolder()));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('demo: protects the example server, prints the demo password once, and answers 401 with the metadata URL', async () => {
    const demoDir = join(dir, 'demo');
    const serving = await startServing<{ mcp: string; issuer: string; demoUser: { username: string; password: string } }>([
      'demo',
      '--port',
      '0',
      '--db',
      `sqlite:${join(demoDir, 'portcullis.db')}`,
    ]);
    try {
      const { summary } = serving;
      assert.equal(summary.mcp, `${summary.issuer}/mcp`);
      assert.equal(summary.demoUser.username, 'demo');
      assert.ok(summary.demoUser.password.length >= 12);
      const unauthenticated = await fetch(summary.mcp, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      });
      assert.equal(unauthenticated.status, 401);
      assert.match(
        unauthenticated.headers.get('www-authenticate') ?? '',
        /resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp", scope="notes:read notes:write"/,
      );
      const store = await openStore(`sqlite:${join(demoDir, 'portcullis.db')}`);
      try {
        assert.equal(await verifyPassword(summary.demoUser.password, (await store.users.findByUsername('demo'))!.passwordHash), true);
      } finally {
        await store.close();
      }
      assert.doesNotMatch(serving.stderr(), new RegExp(summary.demoUser.password), 'the password is not logged');
    } finally {
      serving.stop();
    }
  });
});
