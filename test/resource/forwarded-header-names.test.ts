import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { Hono } from 'hono';
import { foldHeaderName, isDroppedClientHeader } from '../../src/resource/forwarded-header-names.js';
import { gatewaySettingsSchema } from '../../src/resource/gateway-settings.js';
import { createUpstreamProxy } from '../../src/resource/proxy.js';
import { listen } from '../../src/server/http/listen.js';
import { type CgiEnvironment, startCgiStyleUpstream } from '../support/gateway.js';

/** A raw node:http request, so header names go out exactly as spelled here (each spelling a distinct key). */
function rawPost(url: string, headers: [string, string][]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: Object.fromEntries([...headers, ['Content-Type', 'application/json']]) }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject).end('{"jsonrpc":"2.0","id":1,"method":"ping"}');
  });
}

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** The proxy, configured as the gateway configures it with an upstream-token header, in front of a CGI-style upstream. */
async function proxyToCgiUpstream(extraHeaders: Record<string, string>): Promise<{ url: string; seen: CgiEnvironment[] }> {
  const upstream = await startCgiStyleUpstream();
  const proxy = createUpstreamProxy({ upstream: upstream.url, reservedHeaders: ['X-Upstream-Token'] });
  const app = new Hono();
  app.all('/mcp', (c) => proxy.forward(c.req.raw, extraHeaders));
  const running = await listen(app.fetch, { port: 0, host: '127.0.0.1' });
  cleanups.push(
    () => upstream.close(),
    () => running.close(),
    () => proxy.close(),
  );
  return { url: `${running.url}/mcp`, seen: upstream.seen };
}

describe('client headers spelled to fold onto the gateway’s own (CGI, WSGI, Rack, PHP upstreams)', () => {
  it('never lets a forged identity, upstream token, session id or credential reach a CGI-style upstream', async () => {
    const gatewaySet = {
      'x-portcullis-subject': 'real-user',
      'x-portcullis-identity': 'real.identity.jws',
      'x-upstream-token': 'real-upstream-token',
      'mcp-session-id': 'real-session',
    };
    const { url, seen } = await proxyToCgiUpstream(gatewaySet);
    const status = await rawPost(url, [
      ['X_Portcullis_Subject', 'admin'],
      ['X-Portcullis_Subject', 'admin'],
      ['x_portcullis_subject', 'admin'],
      ['X.Portcullis.Subject', 'admin'],
      ['X_Portcullis_Identity', 'forged.identity.jws'],
      ['X_Portcullis_Scope', 'notes:write'],
      ['X_Upstream_Token', 'forged-upstream-token'],
      ['Mcp_Session_Id', 'victim-session'],
      ['Mcp-Session-Id', 'real-session'],
      ['Proxy_Authorization', 'Basic eDp5'],
      ['Content_Length', '999'],
      ['Transfer_Encoding', 'chunked'],
      ['Mcp_Protocol_Version', '1999-01-01'],
      ['X_Tenant', 'tenant-a'],
    ]);
    assert.equal(status, 200);
    const environment = seen[0]!;
    assert.equal(environment['HTTP_X_PORTCULLIS_SUBJECT'], 'real-user');
    assert.equal(environment['HTTP_X_PORTCULLIS_IDENTITY'], 'real.identity.jws');
    assert.equal(environment['HTTP_X_PORTCULLIS_SCOPE'], undefined);
    assert.equal(environment['HTTP_X_UPSTREAM_TOKEN'], 'real-upstream-token');
    assert.equal(environment['HTTP_MCP_SESSION_ID'], 'real-session');
    assert.equal(environment['HTTP_PROXY_AUTHORIZATION'], undefined);
    assert.equal(environment['HTTP_CONTENT_LENGTH'], String('{"jsonrpc":"2.0","id":1,"method":"ping"}'.length));
    assert.equal(environment['HTTP_TRANSFER_ENCODING'], undefined);
    assert.equal(environment['HTTP_MCP_PROTOCOL_VERSION'], undefined);
    for (const [variable, value] of Object.entries(environment)) {
      for (const forged of ['admin', 'forged', 'victim', 'notes:write', 'eDp5', '999', '1999']) assert.ok(!value.includes(forged), `${variable}: ${value}`);
    }
    // A client's own header with an underscore, which collides with nothing the gateway owns, still passes.
    assert.equal(environment['HTTP_X_TENANT'], 'tenant-a');
  });

  it('folds a name the way such upstreams read it', () => {
    assert.equal(foldHeaderName('X_Portcullis_Subject'), 'x-portcullis-subject');
    assert.equal(foldHeaderName('x-portcullis_identity'), 'x-portcullis-identity');
    assert.equal(foldHeaderName('Mcp.Session~Id'), 'mcp-session-id');
    const none = new Set<string>();
    assert.equal(isDroppedClientHeader('mcp-session-id', none, none), false, 'the real spelling is the gateway’s to replace');
    assert.equal(isDroppedClientHeader('mcp_session_id', none, none), true);
    assert.equal(isDroppedClientHeader('authorization', none, none), true);
    assert.equal(isDroppedClientHeader('x_tenant', none, none), false);
  });

  it('refuses an upstream-token header that folds onto a reserved or hop-by-hop name', () => {
    for (const header of ['X-Portcullis-Subject', 'Mcp-Session-Id', 'Authorization', 'Keep-Alive', 'TE']) {
      assert.equal(gatewaySettingsSchema.safeParse({ upstream: 'http://127.0.0.1:3000/mcp', upstreamTokenHeader: header }).success, false, header);
    }
    assert.equal(gatewaySettingsSchema.safeParse({ upstream: 'http://127.0.0.1:3000/mcp', upstreamTokenHeader: 'X-Upstream-Token' }).success, true);
  });
});
