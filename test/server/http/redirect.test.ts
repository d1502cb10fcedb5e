import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redirectResponse } from '../../../src/server/http/redirect.js';

test('a redirect is a 303 by default, a 302 when asked, and never cached', () => {
  const seeOther = redirectResponse('/consent?request=abc');
  assert.equal(seeOther.status, 303);
  assert.equal(seeOther.headers.get('location'), '/consent?request=abc');
  assert.equal(seeOther.headers.get('cache-control'), 'no-store');
  assert.equal(seeOther.body, null);
  const found = redirectResponse('https://client.example/cb?code=x', 302);
  assert.equal(found.status, 302);
  assert.equal(found.headers.get('cache-control'), 'no-store');
});

test('cookies can be added to it', () => {
  const response = redirectResponse('/consent');
  response.headers.append('Set-Cookie', 'a=1');
  response.headers.append('Set-Cookie', 'b=2');
  assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
});
