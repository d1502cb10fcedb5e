import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonRpcErrorResponse, mcpTransportErrorResponse, SESSION_NOT_FOUND_CODE, TRANSPORT_ERROR_CODE } from '../../src/resource/json-rpc-error.js';

test('a JSON-RPC error answers outside any request (id null), as JSON, never cached', async () => {
  const response = jsonRpcErrorResponse(404, { code: SESSION_NOT_FOUND_CODE, message: 'Session not found' });
  assert.equal(response.status, 404);
  assert.equal(response.headers.get('content-type'), 'application/json');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.deepEqual(await response.json(), { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
});

test('a transport failure is -32000, as the MCP SDK transports answer, with the reason for programs', async () => {
  const response = mcpTransportErrorResponse(502, 'Bad Gateway: the upstream is unavailable', 'upstream_unavailable');
  assert.equal(response.status, 502);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal(TRANSPORT_ERROR_CODE, -32000);
  assert.deepEqual(await response.json(), {
    jsonrpc: '2.0',
    error: { code: -32000, message: 'Bad Gateway: the upstream is unavailable', data: { reason: 'upstream_unavailable' } },
    id: null,
  });
});
