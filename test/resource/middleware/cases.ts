/**
 * The refusals every middleware adapter (Express, Hono, node:http) must answer alike, as one
 * table: the request, and the status, `error`, challenge scope and headers expected. Each adapter's
 * suite runs it against its own server with `itRefusesLikeEveryAdapter`; what only one adapter
 * does (how it hands on the identity and the body, its body limit, metadata, preflights) stays in
 * that adapter's suite.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseChallenge } from '../../../src/core/www-authenticate.js';
import { DELETE_NOTE_CALL, mcpPost } from '../../support/whoami-mcp-server.js';

/** A guarded MCP endpoint (scope `read`, and `write` for the `delete_note` tool) and tokens for it. */
export interface GuardedEndpoint {
  url: string;
  /** Scope `read`. */
  readToken: string;
  /** Scopes `read write`. */
  writeToken: string;
}

export interface RefusalCase {
  /** What the request does wrong, and the answer. */
  name: string;
  send(endpoint: GuardedEndpoint): Promise<Response>;
  status: number;
  /** The `WWW-Authenticate` challenge: its `error` (undefined: a bare challenge) and `scope`. */
  challenge?: { error: string | undefined; scope?: string };
  /** The `error` of the JSON body. */
  bodyError?: string;
  headers?: Record<string, string>;
}

/** The table. @see RFC 6750 §3 and §3.1; MCP Authorization (2026-07-28), "Access Token Usage" and "Scope Challenge Handling" */
export const REFUSAL_CASES: readonly RefusalCase[] = [
  {
    name: 'answers 401 without a token, with a bare challenge it lets the browser read',
    send: ({ url }) => mcpPost(url, DELETE_NOTE_CALL),
    status: 401,
    challenge: { error: undefined },
    headers: { 'cache-control': 'no-store', 'access-control-allow-origin': '*', 'access-control-expose-headers': 'WWW-Authenticate' },
  },
  {
    name: 'answers 403 with the step-up challenge, naming every scope, for a tool that needs more',
    send: ({ url, readToken }) => mcpPost(url, DELETE_NOTE_CALL, { Authorization: `Bearer ${readToken}` }),
    status: 403,
    challenge: { error: 'insufficient_scope', scope: 'read write' },
  },
  {
    name: 'answers 403 with every scope needed, whatever the Content-Type says',
    send: ({ url, readToken }) =>
      fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${readToken}`, 'Content-Type': 'text/plain', Accept: 'application/json, text/event-stream' },
        body: JSON.stringify(DELETE_NOTE_CALL),
      }),
    status: 403,
    challenge: { error: 'insufficient_scope', scope: 'read write' },
  },
  {
    name: 'refuses a token in the query',
    send: ({ url, writeToken }) => mcpPost(`${url}?access_token=${writeToken}`, DELETE_NOTE_CALL, { Authorization: `Bearer ${writeToken}` }),
    status: 400,
    bodyError: 'invalid_request',
  },
  {
    name: 'refuses a form body carrying the token',
    send: ({ url, writeToken }) =>
      fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: writeToken }).toString(),
      }),
    status: 400,
    bodyError: 'invalid_request',
  },
  {
    name: 'answers 401 invalid_token to a token that does not verify',
    send: ({ url, readToken }) => mcpPost(url, DELETE_NOTE_CALL, { Authorization: `Bearer ${readToken}x` }),
    status: 401,
    challenge: { error: 'invalid_token' },
  },
];

/** One test per case of the table, in the current describe, against `endpoint()` (read when the test runs). */
export function itRefusesLikeEveryAdapter(endpoint: () => GuardedEndpoint): void {
  for (const refusal of REFUSAL_CASES) {
    it(refusal.name, async () => {
      const response = await refusal.send(endpoint());
      assert.equal(response.status, refusal.status);
      if (refusal.challenge !== undefined) {
        const challenge = parseChallenge(response.headers.get('www-authenticate')!);
        assert.equal(challenge?.['error'], refusal.challenge.error);
        if (refusal.challenge.scope !== undefined) assert.equal(challenge?.['scope'], refusal.challenge.scope);
      }
      if (refusal.bodyError !== undefined) assert.equal(((await response.json()) as { error: string }).error, refusal.bodyError);
      for (const [name, value] of Object.entries(refusal.headers ?? {})) assert.equal(response.headers.get(name), value, name);
    });
  }
}
