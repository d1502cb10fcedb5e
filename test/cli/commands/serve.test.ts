import assert from 'node:assert/strict';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assertOneLineFailure,
  freshWorkingDirectories,
  makeScratchFolder,
  NO_SECRET,
  occupyPort,
  portcullis,
  startServing,
  tree,
} from '../../support/cli-commands.js';
import { runCli } from '../../support/cli-process.js';

describe('portcullis CLI', () => {
  let dir: string;
  let db: string;
  before(() => ({ dir, db } = makeScratchFolder()));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves: creates a private master secret on first start and publishes metadata', async () => {
    const fresh = join(dir, 'fresh');
    const serving = await startServing<{ listening: string; issuer: string; metadata: string }>([
      'serve',
      '--port',
      '0',
      '--db',
      `sqlite:${join(fresh, 'portcullis.db')}`,
    ]);
    try {
      const { summary } = serving;
      const stderr = serving.stderr();
      assert.equal(summary.issuer, summary.listening);
      const metadata = (await (await fetch(summary.metadata)).json()) as { issuer: string; code_challenge_methods_supported: string[] };
      assert.equal(metadata.issuer, summary.issuer);
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
      assert.match(stderr, /created a master secret/);
      assert.equal(statSync(join(fresh, 'portcullis.secret')).mode & 0o777, 0o600);
      for (const line of stderr.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), 'logs are JSON lines');
    } finally {
      serving.stop();
    }
  });

  it('serve --upstream refuses a gateway scope the server does not offer, saying what to do', async () => {
    const config = join(dir, 'bad-gateway.json');
    writeFileSync(config, JSON.stringify({ gateway: { scopes: { tools: { delete_note: ['notes:write'] } } } }));
    const run = await portcullis(['serve', '--port', '0', '--db', db, '--upstream', 'http://127.0.0.1:9/mcp', '--config', config]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /notes:write.*not in scopes/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    const noUpstream = await portcullis(['serve', '--port', '0', '--db', db, '--resource', 'http://127.0.0.1:1/mcp']);
    assert.equal(noUpstream.code, 1);
    assert.match(noUpstream.stderr, /--upstream/);
  });
});

/**
 * serve (and demo, which shares its listening check) refuses what it cannot run with in one line,
 * before it creates a database, a folder or a secret; what every command refuses is in
 * test/cli/main.test.ts.
 */
describe('commands that fail create nothing and say what to do', () => {
  /** A fresh, empty working directory for one run. */
  const freshDir = freshWorkingDirectories();

  it('serve refuses a config file with an unknown key before creating a database or a secret', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'portcullis.json'), JSON.stringify({ port: 0, bogus: true }));
    const run = await runCli(['serve', '--config', 'portcullis.json'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(run, /unknown key "bogus".*docs\/configuration\.md/);
    assert.deepEqual(tree(dir), ['portcullis.json']);
  });

  it('serve refuses an http issuer off loopback and a gateway scope the server lacks before creating anything', async () => {
    const dir = freshDir();
    const issuer = await runCli(['serve', '--port', '0', '--issuer', 'http://auth.example.com'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(issuer, /use https/);
    writeFileSync(join(dir, 'gateway.json'), JSON.stringify({ gateway: { scopes: { tools: { delete_note: ['notes:write'] } } } }));
    const scope = await runCli(['serve', '--port', '0', '--upstream', 'http://127.0.0.1:9/mcp', '--config', 'gateway.json'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(scope, /notes:write.*not in scopes/);
    const everywhere = await runCli(['serve', '--port', '0', '--host', '0.0.0.0'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(everywhere, /0\.0\.0\.0 needs --issuer/);
    assert.deepEqual(tree(dir), ['gateway.json']);
  });

  it('names a config key as the file spells it, not as the flag', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'port.json'), JSON.stringify({ port: 'abc' }));
    const port = await runCli(['serve', '--config', 'port.json'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(port, /^portcullis: "port" in port\.json must be a whole number from 0 to 65535/);
    writeFileSync(join(dir, 'db.json'), JSON.stringify({ db: 'data/x.db' }));
    const db = await runCli(['serve', '--config', 'db.json'], NO_SECRET, '', { cwd: dir });
    assertOneLineFailure(db, /^portcullis: "db" in db\.json .*write sqlite:data\/x\.db/);
    assert.deepEqual(tree(dir), ['db.json', 'port.json']);
  });

  it('a port in use names the port and --port, before anything is created', async () => {
    const taken = await occupyPort();
    try {
      const dir = freshDir();
      const serve = await runCli(['serve', '--port', String(taken.port)], NO_SECRET, '', { cwd: dir });
      assertOneLineFailure(serve, new RegExp(`port ${taken.port} on 127\\.0\\.0\\.1 is in use.*choose another with --port`));
      const demo = await runCli(['demo', '--port', String(taken.port)], NO_SECRET, '', { cwd: dir });
      assertOneLineFailure(demo, new RegExp(`port ${taken.port} .* in use.*npm start -- --port`));
      writeFileSync(join(dir, 'port.json'), JSON.stringify({ port: taken.port }));
      const fromFile = await runCli(['serve', '--config', 'port.json'], NO_SECRET, '', { cwd: dir });
      assertOneLineFailure(fromFile, /in use.*choose another with "port" in port\.json/);
      assert.deepEqual(tree(dir), ['port.json']);
    } finally {
      taken.server.close();
    }
  });
});
