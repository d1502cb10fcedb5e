import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { assertTokens, discover, obtainCode, redeemCode, registerPublicClient } from '../support/authorization-flow.js';
import { type CgiStyleUpstream, startCgiStyleUpstream, startTestGateway, type TestGateway } from '../support/gateway.js';

/** A POST whose header names go out exactly as spelled (fetch would keep them too, but not every duplicate). */
function post(url: string, headers: Record<string, string>): Promise<{ status: number; sessionId: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers } },
      (res) => {
        res.resume().on('end', () => resolve({ status: res.statusCode!, sessionId: res.headers['mcp-session-id'] as string | undefined }));
      },
    );
    req.on('error', reject).end('{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
  });
}

/**
 * Forged identity headers spelled with underscores or dots, through the whole gateway with a
 * real token, to an upstream that reads header names as CGI does: the upstream sees only what
 * the gateway set (docs/design.md invariant 9; MCP security best practices, "Session Hijacking").
 */
describe('gateway: forged headers in CGI spellings', () => {
  let upstream: CgiStyleUpstream;
  let stack: TestGateway;
  let token: string;
  let subject: string;

  before(async () => {
    upstream = await startCgiStyleUpstream();
    stack = await startTestGateway({ gateway: { upstream: upstream.url } });
    await stack.addUser('erin', 'erin password 123');
    const as = await discover(stack.issuer);
    const clientId = await registerPublicClient(as);
    const code = await obtainCode(as, clientId, { username: 'erin', password: 'erin password 123' }, { resource: stack.mcpUrl, scope: 'notes:read' });
    token = assertTokens(await redeemCode(as, { clientId, code: code.code, verifier: code.verifier, resource: stack.mcpUrl })).access_token;
    subject = String(decodeJwt(token).sub);
  });
  after(async () => {
    await stack.close();
    await upstream.close();
  });

  it('passes on the real subject, scope and identity only, and no session id the client smuggled', async () => {
    const response = await post(stack.mcpUrl, {
      Authorization: `Bearer ${token}`,
      X_Portcullis_Subject: 'admin',
      'X-Portcullis_Subject': 'admin',
      'X.Portcullis.Subject': 'admin',
      X_Portcullis_Identity: 'forged.identity.jws',
      X_Portcullis_Scope: 'notes:write',
      X_Portcullis_Client_Id: 'forged-client',
      Mcp_Session_Id: 'victim-session',
    });
    assert.equal(response.status, 200);
    const environment = upstream.seen.at(-1)!;
    assert.equal(environment['HTTP_X_PORTCULLIS_SUBJECT'], subject);
    assert.equal(environment['HTTP_X_PORTCULLIS_SCOPE'], 'notes:read');
    assert.equal(environment['HTTP_MCP_SESSION_ID'], undefined, 'no session was opened, so none is passed');
    assert.equal(environment['HTTP_AUTHORIZATION'], undefined, 'no token passthrough');
    assert.equal(environment['HTTP_X_PORTCULLIS_IDENTITY']!.split('.').length, 3);
    for (const [variable, value] of Object.entries(environment)) {
      for (const forged of ['admin', 'forged', 'victim', 'notes:write']) assert.ok(!value.includes(forged), `${variable}: ${value}`);
    }
  });

  it('passes the bound session only, never a second one in another spelling', async () => {
    const opened = await post(stack.mcpUrl, { Authorization: `Bearer ${token}` });
    assert.ok(opened.sessionId?.startsWith('cgi-session-1.'), 'the gateway bound the upstream session');
    const response = await post(stack.mcpUrl, {
      Authorization: `Bearer ${token}`,
      'Mcp-Session-Id': opened.sessionId!,
      Mcp_Session_Id: 'victim-session',
      'mcp.session.id': 'victim-session',
    });
    assert.equal(response.status, 200);
    assert.equal(upstream.seen.at(-1)!['HTTP_MCP_SESSION_ID'], 'cgi-session-1');
  });
});
