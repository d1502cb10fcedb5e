import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../support/cli-process.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';

// logout (and tokens) after a login, and logout's revocation, are in the session of login.test.ts.
describe('portcullis tokens and logout before any login', () => {
  let gateway: TestGateway;
  let dir: string;

  before(async () => {
    gateway = await startTestGateway();
    dir = mkdtempSync(join(tmpdir(), 'portcullis-logout-'));
  });
  after(async () => {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tokens and logout before any login answer without creating the client database or its secret', async () => {
    const home = join(dir, 'untouched-home');
    const fresh = { PORTCULLIS_HOME: home, PORTCULLIS_SECRET: '', BROWSER: '' };
    const tokens = await runCli(['tokens', '--json'], fresh);
    assert.equal(tokens.code, 0, tokens.stderr);
    assert.deepEqual(JSON.parse(tokens.stdout), []);
    const logout = await runCli(['logout', gateway.mcpUrl], fresh);
    assert.equal(logout.code, 1);
    assert.match(logout.stderr, /not logged in to/);
    assert.equal(existsSync(home), false, `${home} was not created`);
  });
});
