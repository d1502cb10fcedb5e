import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { randomSecret } from '../../src/core/secrets.js';
import { type RunningNotesServer, startNotesServer } from '../../src/example/notes-server.js';
import { hashPassword } from '../../src/server/browser/password-hash.js';
import { type MetricsStack, sampleValue, scrape, startMetricsStack } from '../metrics/metrics-stack.js';
import {
  assertOAuthError,
  assertTokens,
  discover,
  obtainCode,
  redeemCode,
  registerPublicClient,
  type ServerMetadata,
  tokenRequest,
} from '../support/authorization-flow.js';
import { freePort } from '../support/gateway.js';
import { DIALECTS, POSTGRES_ADMIN_URL, postgresSkipReason } from '../support/stores.js';

/**
 * Health and metrics of the real `serve` stack (docs/operations.md), over loopback HTTP, on SQLite
 * and PostgreSQL: `/healthz` and `/readyz` with the reasons an orchestrator sees, and `/metrics`
 * after a flow with an attack or two in it, checked as Prometheus text and for anything of the
 * user's in it.
 */

const MCP_INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'metrics-test', version: '1.0.0' } },
});

async function getJson(url: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

type Checks = Record<string, { ok: boolean; reason?: string }>;

async function readyz(origin: string): Promise<{ status: number; body: { status: string; checks: Checks } }> {
  const { status, headers, body } = await getJson(`${origin}/readyz`);
  assert.equal(headers.get('cache-control'), 'no-store');
  return { status, body: body as unknown as { status: string; checks: Checks } };
}

async function addUser(stack: MetricsStack, username: string, password: string): Promise<string> {
  const id = `user-${randomSecret(12)}`;
  await stack.store.users.create({ id, username, passwordHash: await hashPassword(password), createdAt: Math.floor(Date.now() / 1000) });
  return id;
}

/** Runs `statement` on the test's database directly (not through the server's store). */
async function onDatabase(stack: MetricsStack, dialect: 'sqlite' | 'postgres', statement: string): Promise<void> {
  if (dialect === 'sqlite') {
    const sqlite = new BetterSqlite3(stack.database.url.slice('sqlite:'.length));
    try {
      sqlite.exec(statement);
    } finally {
      sqlite.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: stack.database.url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function onPostgresAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

for (const dialect of DIALECTS) {
  describe(`health and metrics on ${dialect}`, async () => {
    const skip = dialect === 'postgres' ? await postgresSkipReason() : false;
    let notes: RunningNotesServer;
    let stack: MetricsStack;
    let origin: string;
    let metricsUrl: string;

    before(async () => {
      if (skip) return;
      notes = await startNotesServer({ port: 0, host: '127.0.0.1' });
      stack = await startMetricsStack({ dialect, upstream: notes.url, metrics: { port: 0 } });
      origin = stack.stack.http.url;
      metricsUrl = stack.stack.metrics!.url!;
    });
    after(async () => {
      await stack?.close();
      await notes?.close();
    });

    it('answers /healthz and /readyz with JSON, never cached, on the public and the metrics port', { skip }, async () => {
      const metricsOrigin = new URL(metricsUrl).origin;
      for (const base of [origin, metricsOrigin]) {
        const health = await getJson(`${base}/healthz`);
        assert.equal(health.status, 200);
        assert.equal(health.headers.get('cache-control'), 'no-store');
        assert.match(health.headers.get('content-type') ?? '', /^application\/json/);
        assert.deepEqual(health.body, { status: 'ok' });
        const ready = await readyz(base);
        assert.equal(ready.status, 200, JSON.stringify(ready.body));
        assert.equal(ready.body.status, 'ready');
        assert.deepEqual(Object.keys(ready.body.checks).sort(), ['database', 'migrations', 'signing_key', 'upstream']);
        for (const check of Object.values(ready.body.checks)) assert.equal(check.ok, true);
      }
    });

    it('serves /metrics on the metrics port only: the public port answers 404', { skip }, async () => {
      assert.equal(new URL(metricsUrl).hostname, '127.0.0.1');
      const onPublic = await fetch(`${origin}/metrics`);
      assert.equal(onPublic.status, 404);
      await onPublic.body?.cancel();
      await scrape(metricsUrl);
    });

    it('counts a flow, a refusal, a code replay and a PKCE failure, with nothing of the user in the metrics', { skip }, async () => {
      const before = (await scrape(metricsUrl)).exposition;
      const as: ServerMetadata = await discover(origin);
      const clientId = await registerPublicClient(as);
      const username = `metrics-user-${randomSecret(6)}`;
      const password = `pw-${randomSecret(12)}`;
      const userId = await addUser(stack, username, password);

      // A flow to the end, and two calls through the gateway (the second from the token cache).
      const first = await obtainCode(as, clientId, { username, password });
      const tokens = assertTokens(await redeemCode(as, { clientId, code: first.code, verifier: first.verifier }));
      for (let call = 0; call < 2; call++) {
        const mcp = await fetch(stack.stack.gateway!.resource, {
          method: 'POST',
          headers: { Authorization: `Bearer ${tokens.access_token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
          body: MCP_INITIALIZE,
        });
        assert.equal(mcp.status, 200);
        await mcp.text();
      }
      // The same code again: a replay, which revokes the grant it started.
      assertOAuthError(await redeemCode(as, { clientId, code: first.code, verifier: first.verifier }), 'invalid_grant');
      // A code redeemed with another verifier: a PKCE failure (the code is burnt).
      const second = await obtainCode(as, clientId, { username, password }, { browser: first.browser });
      assertOAuthError(await redeemCode(as, { clientId, code: second.code, verifier: randomSecret(32) }), 'invalid_grant');
      // A refusal of another kind.
      assertOAuthError(await tokenRequest(as, { grant_type: 'password', client_id: clientId }), 'unsupported_grant_type');

      const { text, exposition: now } = await scrape(metricsUrl);
      const moved = (name: string, labels: Record<string, string> = {}) => (sampleValue(now, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);
      assert.equal(moved('portcullis_tokens_issued_total', { grant_type: 'authorization_code' }), 1);
      assert.equal(moved('portcullis_http_requests_total', { endpoint: 'token', status: '200' }), 1);
      assert.equal(moved('portcullis_http_requests_total', { endpoint: 'token', status: '400' }), 3);
      assert.equal(moved('portcullis_oauth_errors_total', { endpoint: 'token', error: 'invalid_grant' }), 2);
      assert.equal(moved('portcullis_oauth_errors_total', { endpoint: 'token', error: 'unsupported_grant_type' }), 1);
      assert.equal(moved('portcullis_code_replays_total'), 1, 'one replay, counted once');
      assert.equal(moved('portcullis_token_families_revoked_total'), 1);
      assert.equal(moved('portcullis_pkce_failures_total'), 1);
      assert.equal(moved('portcullis_security_events_total', { type: 'pkce_failed' }), 1);
      assert.equal(moved('portcullis_clients_registered_total'), 1);
      assert.equal(moved('portcullis_consents_granted_total'), 1, 'the consent was counted (the second flow remembered it)');
      const authorizeRequests = (e: typeof now) =>
        e.samples.filter((s) => s.name === 'portcullis_http_requests_total' && s.labels['endpoint'] === 'authorize').reduce((sum, s) => sum + s.value, 0);
      assert.ok(authorizeRequests(now) - authorizeRequests(before) >= 2, 'both flows went through /authorize');
      assert.equal(moved('portcullis_http_requests_total', { endpoint: 'mcp', status: '200' }), 2);
      assert.equal(moved('portcullis_http_request_duration_seconds_count', { endpoint: 'mcp' }), 2);
      assert.equal(moved('portcullis_upstream_response_duration_seconds_count'), 2);
      assert.equal(moved('portcullis_token_cache_misses_total'), 1);
      assert.equal(moved('portcullis_token_cache_hits_total'), 1);
      assert.equal(sampleValue(now, 'portcullis_sse_streams_open'), 0);

      // Prometheus conventions: every family ours, counters in _total; our own names in [a-z_]
      // (prom-client's process metrics carry p50/p90/p99 in theirs).
      for (const [name, type] of now.types) {
        assert.match(name, /^portcullis_[a-z0-9_]+$/);
        if (type === 'counter') assert.match(name, /_total$/, `${name} is a counter`);
        if (!name.startsWith('portcullis_nodejs_') && !name.startsWith('portcullis_process_')) assert.match(name, /^portcullis_[a-z_]+$/);
      }
      // Nothing of the user, the client or the tokens: not in a label, not anywhere.
      for (const secret of [
        clientId,
        userId,
        username,
        password,
        tokens.access_token,
        tokens.refresh_token,
        first.code,
        second.code,
        first.verifier,
        first.state,
      ]) {
        assert.ok(!text.includes(secret), `the metrics hold ${secret.slice(0, 12)}…`);
      }
      // Label values are words of a closed set (endpoint, status, grant type, error code, event type,
      // error kind) or bucket bounds: short, lower case, nothing like a generated id.
      const allowed = /^([a-z0-9_]{1,32}|[0-9.e+-]+|\+Inf)$/;
      for (const sample of now.samples) {
        for (const value of Object.values(sample.labels)) {
          if (sample.name.startsWith('portcullis_nodejs_')) continue;
          assert.match(value, allowed, `label value of ${sample.name}`);
        }
      }
    });

    it('counts the event streams open through the gateway', { skip }, async () => {
      const as = await discover(origin);
      const clientId = await registerPublicClient(as);
      const username = `stream-user-${randomSecret(6)}`;
      const password = `pw-${randomSecret(12)}`;
      await addUser(stack, username, password);
      const { code, verifier } = await obtainCode(as, clientId, { username, password });
      const { access_token: token } = assertTokens(await redeemCode(as, { clientId, code, verifier }));
      const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json' };
      const initialized = await fetch(stack.stack.gateway!.resource, { method: 'POST', headers, body: MCP_INITIALIZE });
      assert.equal(initialized.status, 200);
      await initialized.text();
      const session = initialized.headers.get('mcp-session-id');
      assert.ok(session !== null, 'the upstream opened a session');
      const open = async () => sampleValue((await scrape(metricsUrl)).exposition, 'portcullis_sse_streams_open');
      assert.equal(await open(), 0);
      // MCP's standalone stream: a GET that stays open until someone ends it.
      const abort = new AbortController();
      const stream = await fetch(stack.stack.gateway!.resource, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream', 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-06-18' },
        signal: abort.signal,
      });
      assert.equal(stream.status, 200);
      assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.equal(await open(), 1);
      abort.abort();
      await stream.body?.cancel().catch(() => {});
      const deadline = Date.now() + 5000;
      while ((await open()) !== 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(await open(), 0, 'the stream, ended by its client, is no longer counted');
    });

    it('answers 503 naming the database when it is gone, and 200 once it is back', { skip }, async () => {
      if (dialect === 'postgres') {
        const name = new URL(stack.database.url).pathname.slice(1);
        await onPostgresAdmin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await onPostgresAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
        try {
          const down = await readyz(origin);
          assert.equal(down.status, 503);
          assert.equal(down.body.status, 'not_ready');
          assert.equal(down.body.checks['database']?.ok, false);
          assert.match(down.body.checks['database']?.reason ?? '', /database/);
          assert.doesNotMatch(JSON.stringify(down.body), /postgres(ql)?:\/\//, 'no connection URL');
          assert.equal(down.body.checks['signing_key']?.ok, true, 'the loaded key is still loaded');
        } finally {
          await onPostgresAdmin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
        }
      } else {
        // SQLite answers through its open handle whatever happens to the file: a file moved away
        // means every write from now on is lost at the next start.
        const path = stack.database.url.slice('sqlite:'.length);
        renameSync(path, `${path}.moved`);
        try {
          const down = await readyz(origin);
          assert.equal(down.status, 503);
          assert.equal(down.body.checks['database']?.ok, false);
          assert.match(down.body.checks['database']?.reason ?? '', /gone/);
        } finally {
          renameSync(`${path}.moved`, path);
        }
      }
      const back = await readyz(origin);
      assert.equal(back.status, 200, JSON.stringify(back.body));
    });

    it('answers 503 naming the migrations when one is not applied', { skip }, async () => {
      await onDatabase(stack, dialect, `DELETE FROM portcullis_migrations WHERE name = '0006-operations'`);
      try {
        const missing = await readyz(origin);
        assert.equal(missing.status, 503);
        assert.equal(missing.body.checks['database']?.ok, true);
        assert.equal(missing.body.checks['migrations']?.ok, false);
        assert.match(missing.body.checks['migrations']?.reason ?? '', /0006-operations/);
      } finally {
        await onDatabase(stack, dialect, `INSERT INTO portcullis_migrations (name, timestamp) VALUES ('0006-operations', '2026-01-01T00:00:00.000Z')`);
      }
      assert.equal((await readyz(origin)).status, 200);
    });
  });
}

describe('health and metrics with the upstream down, and with metrics off', () => {
  let down: MetricsStack;
  let off: MetricsStack;
  let notes: RunningNotesServer;
  before(async () => {
    down = await startMetricsStack({ dialect: 'sqlite', upstream: `http://127.0.0.1:${await freePort()}/mcp`, metrics: { onMainPort: true } });
    notes = await startNotesServer({ port: 0, host: '127.0.0.1' });
    off = await startMetricsStack({ dialect: 'sqlite', upstream: notes.url });
  });
  after(async () => {
    await down?.close();
    await off?.close();
    await notes?.close();
  });

  it("answers 503 naming the gateway's upstream when nothing accepts connections there", async () => {
    const ready = await readyz(down.stack.http.url);
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, 'not_ready');
    assert.equal(ready.body.checks['upstream']?.ok, false);
    assert.match(ready.body.checks['upstream']?.reason ?? '', /ECONNREFUSED/);
    assert.equal(ready.body.checks['database']?.ok, true);
    // The liveness check does not depend on the upstream: the process is up.
    assert.equal((await getJson(`${down.stack.http.url}/healthz`)).status, 200);
  });

  it('serves /metrics on the public port with metrics.onMainPort, warned about at start', async () => {
    assert.ok(
      down.logs.some((line) => line['event'] === 'metrics_on_main_port' && line['level'] === 40),
      'a warning at start',
    );
    const { exposition } = await scrape(`${down.stack.http.url}/metrics`);
    assert.ok((sampleValue(exposition, 'portcullis_upstream_errors_total', { kind: 'refused' }) ?? -1) >= 0, 'the upstream errors are there');
  });

  it('counts the refused upstream as an upstream error', async () => {
    const as = await discover(down.stack.http.url);
    const clientId = await registerPublicClient(as);
    const username = 'bob';
    const password = `pw-${randomSecret(12)}`;
    await addUser(down, username, password);
    const { code, verifier } = await obtainCode(as, clientId, { username, password });
    const tokens = assertTokens(await redeemCode(as, { clientId, code, verifier }));
    const before = (await scrape(`${down.stack.http.url}/metrics`)).exposition;
    const mcp = await fetch(down.stack.gateway!.resource, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.access_token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: MCP_INITIALIZE,
    });
    assert.equal(mcp.status, 502);
    await mcp.text();
    const after = (await scrape(`${down.stack.http.url}/metrics`)).exposition;
    const refused = (e: typeof after) => sampleValue(e, 'portcullis_upstream_errors_total', { kind: 'refused' }) ?? 0;
    assert.equal(refused(after) - refused(before), 1);
    assert.equal(
      (sampleValue(after, 'portcullis_http_requests_total', { endpoint: 'mcp', status: '502' }) ?? 0) -
        (sampleValue(before, 'portcullis_http_requests_total', { endpoint: 'mcp', status: '502' }) ?? 0),
      1,
    );
  });

  it('has no /metrics anywhere when metrics are not asked for (the default)', async () => {
    assert.equal(off.stack.metrics, undefined);
    const response = await fetch(`${off.stack.http.url}/metrics`);
    assert.equal(response.status, 404);
    await response.body?.cancel();
    assert.equal((await readyz(off.stack.http.url)).status, 200);
  });
});
