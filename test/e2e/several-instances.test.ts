/**
 * Several instances, one service (issue 15): two `portcullis serve` processes on one PostgreSQL
 * behind a round-robin proxy, so consecutive requests of one client land on different instances.
 * A whole flow works across them; of racing redemptions of one code and racing rotations of one
 * refresh token exactly one wins, whichever instances they reach; the login limit trips at the
 * count one instance would; a key rotation is published by both before either signs with it;
 * and a revoked token stops working at the gateway of the other instance within its cache bound.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { type RoundRobinProxy, startRoundRobinProxy } from '../../bench/support/round-robin-proxy.js';
import { type RunningNotesServer, startNotesServer } from '../../src/example/notes-server.js';
import {
  assertOAuthError,
  assertTokens,
  discover,
  obtainCode,
  redeemCode,
  refreshTokens,
  registerPublicClient,
  type ServerMetadata,
  tokenRequest,
} from '../support/authorization-flow.js';
import { FormBrowser } from '../support/browser.js';
import { portcullis } from '../support/cli-commands.js';
import { freePort } from '../support/gateway.js';
import { addUserToDatabase, type ServeProcess, startServeProcess } from '../support/serve-process.js';
import { TEST_SECRET } from '../support/server.js';
import { createPostgresDatabase, postgresSkipReason, type TestDatabase } from '../support/stores.js';

const PASSWORD = 'several instances password';
const LOGIN = { username: 'erin', password: PASSWORD };
const RELOAD_SECONDS = 1;
const TOKEN_CACHE_SECONDS = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A JSON-RPC `initialize` sent to one instance's MCP endpoint, under the public host (the gateway
 * answers only to the host of its resource, against DNS rebinding): the gateway's status.
 */
function mcpStatus(instance: ServeProcess, publicUrl: string, accessToken: string): Promise<number> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'several-instances', version: '1' } },
  });
  return new Promise((resolve, reject) => {
    const sent = request(
      `${instance.url}/mcp`,
      {
        method: 'POST',
        agent: false,
        headers: {
          Host: new URL(publicUrl).host,
          Authorization: `Bearer ${accessToken}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
      },
      (answer) => {
        answer.resume();
        answer.once('end', () => resolve(answer.statusCode ?? 0));
      },
    );
    sent.once('error', reject);
    sent.end(body);
  });
}

async function publishedKids(instance: ServeProcess): Promise<string[]> {
  const jwks = (await (await fetch(`${instance.url}/jwks.json`)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((k) => k.kid);
}

describe('two instances on one PostgreSQL behind a round-robin proxy', { skip: await postgresSkipReason() }, () => {
  let database: TestDatabase;
  let notes: RunningNotesServer;
  let proxy: RoundRobinProxy;
  let instances: ServeProcess[] = [];
  let as: ServerMetadata;
  let folder: string;
  let config: string;

  before(async () => {
    database = await createPostgresDatabase();
    notes = await startNotesServer({ port: 0, host: '127.0.0.1' });
    folder = mkdtempSync(join(tmpdir(), 'portcullis-instances-'));
    config = join(folder, 'portcullis.json');
    writeFileSync(
      config,
      JSON.stringify({
        signingKeys: { reloadSeconds: RELOAD_SECONDS },
        login: { maxFailuresPerUser: 3 },
        gateway: { tokenCacheSeconds: TOKEN_CACHE_SECONDS },
      }),
    );
    const ports = [await freePort(), await freePort()];
    proxy = await startRoundRobinProxy({ backends: ports.map((port) => `http://127.0.0.1:${port}`) });
    await addUserToDatabase(database.url, LOGIN.username, PASSWORD);
    // One after the other: the first makes the signing key the second then reads.
    for (const port of ports) {
      instances.push(await startServeProcess({ db: database.url, port, args: ['--issuer', proxy.url, '--upstream', notes.url, '--config', config] }));
    }
    as = await discover(proxy.url);
  });

  after(async () => {
    for (const instance of instances) instance.cli.child.kill('SIGKILL');
    await Promise.all(instances.map((instance) => instance.cli.exited));
    instances = [];
    await proxy?.close();
    await notes?.close();
    await database?.destroy();
    rmSync(folder, { recursive: true, force: true });
  });

  it('completes a flow whose requests alternate between the instances, and the token works at both gateways', async () => {
    const before = [...proxy.forwarded];
    const clientId = await registerPublicClient(as);
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    const tokens = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    const reached = proxy.forwarded.map((count, i) => count - before[i]!);
    assert.ok(
      reached.every((count) => count >= 2),
      `both instances took part: ${reached.join(', ')}`,
    );
    for (const instance of instances) assert.equal(await mcpStatus(instance, proxy.url, tokens.access_token), 200);
  });

  it('lets exactly one of eight racing redemptions of one code win, on whichever instance', async () => {
    const clientId = await registerPublicClient(as);
    const { code, verifier, redirectUri } = await obtainCode(as, clientId, LOGIN);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        tokenRequest(as, { grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier }),
      ),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400, 400, 400, 400, 400, 400, 400]);
    for (const refused of answers.filter((a) => a.status !== 200)) assertOAuthError(refused, 'invalid_grant');
  });

  it('lets exactly one of eight racing rotations of one refresh token win', async () => {
    const clientId = await registerPublicClient(as);
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    const tokens = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    const answers = await Promise.all(Array.from({ length: 8 }, () => refreshTokens(as, { clientId, refreshToken: tokens.refresh_token })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400, 400, 400, 400, 400, 400, 400]);
  });

  it('trips the login limit at the count one instance would, though the attempts alternate', async () => {
    const clientId = await registerPublicClient(as);
    const browser = new FormBrowser(proxy.url);
    const url = `${as.authorization_endpoint}?${new URLSearchParams({
      client_id: clientId,
      redirect_uri: 'http://127.0.0.1:53124/callback',
      response_type: 'code',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'limit',
    })}`;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const page = await browser.navigate(url);
      statuses.push(
        (await browser.submitForm({ html: await page.response.text(), url: page.url }, { username: 'mallory', password: 'guess' })).response.status,
      );
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
  });

  it('publishes a rotated key on both instances before either signs with it', async () => {
    const clientId = await registerPublicClient(as);
    const chains = await Promise.all(
      instances.map(async (instance) => {
        const issuerAs = { ...as, token_endpoint: `${instance.url}/token` };
        const { code, verifier } = await obtainCode(as, clientId, LOGIN);
        return { instance, as: issuerAs, refresh: assertTokens(await redeemCode(issuerAs, { clientId, code, verifier })).refresh_token };
      }),
    );
    const rotated = await portcullis(['keys', 'rotate', '--db', database.url, '--config', config, '--json'], { env: { PORTCULLIS_SECRET: TEST_SECRET } });
    assert.equal(rotated.code, 0, rotated.stderr);
    const { kid } = JSON.parse(rotated.stdout) as { kid: string };

    // For three reload periods, each instance issues tokens; every token's key is published by the other.
    const end = Date.now() + 3 * RELOAD_SECONDS * 1000 + 1500;
    const signedWith = new Set<string>();
    while (Date.now() < end) {
      for (const [i, chain] of chains.entries()) {
        const tokens = assertTokens(await refreshTokens(chain.as, { clientId, refreshToken: chain.refresh }));
        chain.refresh = tokens.refresh_token;
        const used = decodeProtectedHeader(tokens.access_token).kid!;
        signedWith.add(used);
        const other = instances[(i + 1) % instances.length]!;
        assert.ok((await publishedKids(other)).includes(used), `instance ${i} signed with ${used}, which the other instance does not publish`);
      }
      await sleep(100);
    }
    assert.equal(signedWith.size, 2, 'the old key signed first, then the new one');
    for (const chain of chains) {
      const tokens = assertTokens(await refreshTokens(chain.as, { clientId, refreshToken: chain.refresh }));
      assert.equal(decodeProtectedHeader(tokens.access_token).kid, kid, 'both sign with the new key in the end');
    }
  });

  it("stops honouring a token revoked at one instance at the other's gateway within its cache bound", async () => {
    const clientId = await registerPublicClient(as);
    const { code, verifier } = await obtainCode(as, clientId, LOGIN);
    const tokens = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    const [first, second] = instances as [ServeProcess, ServeProcess];
    // The second instance's gateway has verified and cached the token.
    assert.equal(await mcpStatus(second, proxy.url, tokens.access_token), 200);

    const revoked = await fetch(`${first.url}/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token, client_id: clientId }),
    });
    assert.equal(revoked.status, 200);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < (TOKEN_CACHE_SECONDS + 3) * 1000) {
      status = await mcpStatus(second, proxy.url, tokens.access_token);
      if (status === 200) await sleep(100);
    }
    const took = Date.now() - revokedAt;
    assert.equal(status, 401);
    assert.ok(took <= TOKEN_CACHE_SECONDS * 1000 + 500, `refused after ${took} ms; the bound is ${TOKEN_CACHE_SECONDS} s`);
  });
});
