/**
 * Rate limits counted in Redis (config `rateLimits.redis`): two servers that share nothing but
 * the Redis count one user's failed logins together, and a Redis that cannot be reached makes the
 * login page answer "try again shortly" (503), never a 500 and never an uncounted attempt.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRedisRateLimits } from '../../src/server/browser/redis-rate-limits.js';
import { assertOAuthError, discover, registerPublicClient, registrationRequest } from '../support/authorization-flow.js';
import { FormBrowser } from '../support/browser.js';
import { REDIS_URL, redisSkipReason } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/server.js';

const STATIC_REDIRECT = 'http://127.0.0.1:53124/callback';

async function failedLogin(server: TestServer, username: string): Promise<number> {
  const as = await discover(server.url);
  const clientId = await registerPublicClient(as);
  const browser = new FormBrowser(server.url);
  const page = await browser.navigate(
    `${as.authorization_endpoint}?${new URLSearchParams({
      client_id: clientId,
      redirect_uri: 'http://127.0.0.1:53124/callback',
      response_type: 'code',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'redis',
    })}`,
  );
  return (await browser.submitForm({ html: await page.response.text(), url: page.url }, { username, password: 'guess' })).response.status;
}

describe('rate limits in Redis', { skip: await redisSkipReason() }, () => {
  const username = `redis-user-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let servers: TestServer[] = [];

  before(async () => {
    const settings = { rateLimits: { redis: REDIS_URL }, login: { maxFailuresPerUser: 3 } };
    servers = [await startTestServer({ settings }), await startTestServer({ settings })];
  });
  after(async () => {
    const redis = createRedisRateLimits(REDIS_URL);
    await redis.resetPrefix(`login-user:${username}`);
    await redis.close();
    for (const server of servers) await server.close();
  });

  it('are shared by servers on different databases, and nothing is counted in the databases', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) statuses.push(await failedLogin(servers[attempt % 2]!, username));
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    for (const server of servers)
      assert.equal(await server.store.rateLimits.peek(`login-user:${username}\n127.0.0.1`, Math.floor(Date.now() / 1000)), undefined);
  });

  it('refuse with 503 while Redis cannot be reached', async () => {
    const down = await startTestServer({ settings: { rateLimits: { redis: 'redis://127.0.0.1:1' } } });
    try {
      const as = await discover(down.url);
      const registration = await registrationRequest(as, { redirect_uris: ['http://127.0.0.1:53124/callback'], token_endpoint_auth_method: 'none' });
      assertOAuthError(registration, 'temporarily_unavailable', 503);
      assert.ok(registration.headers.get('retry-after'), 'Retry-After says when');

      const clientId = 'static-public-client';
      await down.store.clients.create({
        clientId,
        secretHash: null,
        tokenEndpointAuthMethod: 'none',
        redirectUris: [STATIC_REDIRECT],
        grantTypes: ['authorization_code'],
        clientName: 'Static client',
        scope: null,
        metadata: {},
        source: 'static',
        createdAt: Math.floor(Date.now() / 1000),
      });
      const browser = new FormBrowser(down.url);
      const page = await browser.navigate(
        `${as.authorization_endpoint}?${new URLSearchParams({
          client_id: clientId,
          redirect_uri: STATIC_REDIRECT,
          response_type: 'code',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        })}`,
      );
      const answer = await browser.submitForm({ html: await page.response.text(), url: page.url }, { username, password: 'guess' });
      assert.equal(answer.response.status, 503);
      assert.match(await answer.response.text(), /try again shortly/i);
    } finally {
      await down.close();
    }
  });
});
