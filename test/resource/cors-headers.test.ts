import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BEARER_REFUSAL_CORS, MCP_ENDPOINT_CORS, MCP_ENDPOINT_PREFLIGHT_CORS, METADATA_CORS } from '../../src/resource/cors-headers.js';

const SETS = { BEARER_REFUSAL_CORS, MCP_ENDPOINT_CORS, MCP_ENDPOINT_PREFLIGHT_CORS, METADATA_CORS };
const list = (value: string | undefined) => (value ?? '').split(',').map((name) => name.trim().toLowerCase());

test('every set lets any origin in, without credentials', () => {
  for (const [name, headers] of Object.entries(SETS)) {
    assert.equal(headers['Access-Control-Allow-Origin'], '*', name);
    assert.equal('Access-Control-Allow-Credentials' in headers, false, name);
  }
});

test('the challenge is readable wherever a bearer refusal can come from (RFC 9728 §5.1)', () => {
  for (const headers of [BEARER_REFUSAL_CORS, MCP_ENDPOINT_CORS, MCP_ENDPOINT_PREFLIGHT_CORS])
    assert.ok(list(headers['Access-Control-Expose-Headers']).includes('www-authenticate'));
});

test('the MCP endpoint exposes its session id and allows what the Streamable HTTP transport sends', () => {
  assert.ok(list(MCP_ENDPOINT_CORS['Access-Control-Expose-Headers']).includes('mcp-session-id'));
  for (const header of ['authorization', 'content-type', 'accept', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id']) {
    assert.ok(list(MCP_ENDPOINT_PREFLIGHT_CORS['Access-Control-Allow-Headers']).includes(header), header);
  }
  assert.deepEqual(list(MCP_ENDPOINT_PREFLIGHT_CORS['Access-Control-Allow-Methods']), ['get', 'post', 'delete', 'options']);
});

test('the metadata is read-only and its preflight allows MCP-Protocol-Version', () => {
  assert.deepEqual(list(METADATA_CORS['Access-Control-Allow-Methods']), ['get', 'head', 'options']);
  assert.deepEqual(list(METADATA_CORS['Access-Control-Allow-Headers']), ['mcp-protocol-version']);
});
