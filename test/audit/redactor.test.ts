import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportExchange } from '../../src/audit/exchange.js';
import { Redactor } from '../../src/audit/redactor.js';

const CODE = 'SplxlOBeZQQYbYS6WxSbIA-0123456789abcdefghij';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVlLWhlcmU';

describe('Redactor', () => {
  it('takes remembered secrets out wherever they appear, and secrets by name in URLs, forms and pages', () => {
    const redactor = new Redactor();
    redactor.remember(TOKEN);
    assert.doesNotMatch(redactor.text(`the server said: token ${TOKEN} is fine`), /c2lnbmF0dXJl/);
    assert.match(redactor.text(`http://127.0.0.1/cb?code=${CODE}&state=abc`), /code=Splx…ghij \(len=43\)/);
    assert.match(redactor.text('<input type="hidden" name="csrf_token" value="a-very-secret-csrf-value">'), /value="a-ve…alue \(len=24\)"/);
    assert.equal(redactor.text('client_id=public-client-123&scope=mcp'), 'client_id=public-client-123&scope=mcp');
  });

  it('redacts Authorization and cookie headers, keeping the scheme and the names', () => {
    const redactor = new Redactor();
    assert.equal(redactor.header('Authorization', `Bearer ${TOKEN}`), `Bearer ${TOKEN.slice(0, 4)}…${TOKEN.slice(-4)} (len=${TOKEN.length})`);
    assert.match(redactor.header('cookie', 'session=abcdefghijklmnopqrstuvwx; theme=dark'), /^session=abcd…uvwx \(len=24\); theme=… \(len=4\)$/);
    assert.match(
      redactor.header('set-cookie', '__Host-session=abcdefghijklmnopqrstuvwx; Path=/; HttpOnly'),
      /^__Host-session=abcd…uvwx \(len=24\); Path=\/; HttpOnly$/,
    );
  });

  it('redacts JSON members by name at any depth', () => {
    const redactor = new Redactor();
    const shown = JSON.stringify(redactor.json({ access_token: TOKEN, nested: { refresh_token: CODE }, token_type: 'Bearer', expires_in: 3600 }));
    assert.ok(!shown.includes(TOKEN) && !shown.includes(CODE));
    assert.match(shown, /"token_type":"Bearer"/);
  });

  it('leaves no secret in a reported exchange: URL, headers, form body, JSON response', () => {
    const redactor = new Redactor();
    redactor.remember('a-client-secret-of-some-length');
    const reported = JSON.stringify(
      reportExchange(
        {
          method: 'POST',
          url: 'http://127.0.0.1/token',
          requestHeaders: { authorization: 'Basic Y2xpZW50OmEtY2xpZW50LXNlY3JldC1vZi1zb21lLWxlbmd0aA==' },
          requestBody: `grant_type=authorization_code&code=${CODE}&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk`,
          status: 200,
          responseHeaders: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-other': 'dropped' },
          responseBody: JSON.stringify({ access_token: TOKEN, token_type: 'Bearer' }),
          error: undefined,
          durationMs: 3.2,
        },
        redactor,
      ),
    );
    for (const secret of [CODE, TOKEN, 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'Y2xpZW50OmEtY2xpZW50']) assert.ok(!reported.includes(secret), secret);
    assert.ok(!reported.includes('x-other'), 'only the headers that matter are shown');
    assert.match(reported, /grant_type=authorization_code/);
  });
});
