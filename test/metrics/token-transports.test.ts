import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPortcullisMetrics, type PortcullisMetrics } from '../../src/metrics/portcullis-metrics.js';
import { type AuthorizationServer, createAuthorizationServer } from '../../src/server/app.js';
import { listen, type RunningHttpServer } from '../../src/server/http/listen.js';
import { TEST_SECRET } from '../support/server.js';
import { sqliteStoreForSuite } from '../support/suite-store.js';
import { parseExposition, sampleValue } from './metrics-stack.js';

/** The token endpoint has two transports (node-token-route.ts and the Hono route): both count alike. */
describe('token endpoint metrics on both transports', () => {
  const suite = sqliteStoreForSuite();
  let metrics: PortcullisMetrics;
  let server: AuthorizationServer;
  let http: RunningHttpServer;
  before(async () => {
    metrics = createPortcullisMetrics();
    http = await listen((request, env) => server.app.fetch(request, env), {
      port: 0,
      host: '127.0.0.1',
      nodeRoute: (request, response) => server?.nodeRoute(request, response) ?? false,
    });
    server = await createAuthorizationServer({ settings: { issuer: http.url }, store: suite.store, secrets: [TEST_SECRET], sweepIntervalMs: false, metrics });
  });
  after(async () => {
    server.close();
    await http.close();
  });

  it('counts a refused token request (an unknown client: 401) under `token` with its status and OAuth error, on node:http and on Hono', async () => {
    const body = 'grant_type=password&client_id=nobody';
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const overNode = await fetch(`${http.url}/token`, { method: 'POST', headers, body });
    assert.equal(overNode.status, 401);
    await overNode.body?.cancel();
    let exposition = parseExposition((await metrics.exposition()).body);
    const afterNode = {
      requests: sampleValue(exposition, 'portcullis_http_requests_total', { endpoint: 'token', status: '401' }),
      errors: sampleValue(exposition, 'portcullis_oauth_errors_total', { endpoint: 'token', error: 'invalid_client' }),
    };
    assert.deepEqual(afterNode, { requests: 1, errors: 1 });
    const overHono = await server.app.request('/token', { method: 'POST', headers, body });
    assert.equal(overHono.status, 401);
    exposition = parseExposition((await metrics.exposition()).body);
    assert.equal(sampleValue(exposition, 'portcullis_http_requests_total', { endpoint: 'token', status: '401' }), 2);
    assert.equal(sampleValue(exposition, 'portcullis_oauth_errors_total', { endpoint: 'token', error: 'invalid_client' }), 2);
    assert.equal(sampleValue(exposition, 'portcullis_http_request_duration_seconds_count', { endpoint: 'token' }), 2);
  });

  it('counts a path that is no route as `other`, never under its path', async () => {
    const path = `/no-such-${Math.random().toString(36).slice(2)}`;
    const response = await fetch(`${http.url}${path}`);
    assert.equal(response.status, 404);
    await response.body?.cancel();
    const { body } = await metrics.exposition();
    assert.equal(sampleValue(parseExposition(body), 'portcullis_http_requests_total', { endpoint: 'other', status: '404' }), 1);
    assert.ok(!body.includes(path.slice(1)), 'the path is in no label');
  });
});
