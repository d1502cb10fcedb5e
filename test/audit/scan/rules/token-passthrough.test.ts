import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TOKEN_PASSTHROUGH } from '../../../../src/audit/scan/rules/token-passthrough.js';
import { parseSourceFile } from '../../../../src/audit/scan/source-file.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('token-passthrough', () => {
  it('finds the inbound bearer forwarded to other services and stays silent on the traps', () => {
    assertFixtures(TOKEN_PASSTHROUGH, new URL('./fixtures/token-passthrough/', import.meta.url));
  });

  it('names the header the token is sent in, and its flow starts where the token was read', () => {
    const text =
      "export async function h(req) {\n  const auth = req.headers.authorization;\n  return fetch('https://x.example', { headers: { 'X-Upstream': auth } });\n}";
    const [match] = [...TOKEN_PASSTHROUGH.find(parseSourceFile('src/h.ts', text))];
    assert.equal(
      match?.message,
      "fetch sends the Authorization header this server received in the X-Upstream header: the caller's token goes to another service (token passthrough).",
    );
    assert.equal(match?.flow?.[0]?.loc.start.line, 2);
  });
});
