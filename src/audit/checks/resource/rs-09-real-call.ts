import type { Check } from '../../check.js';
import { fail, notApplicable, pass } from '../../verdict.js';
import { callResource, describeResourceAnswer, jsonRpcMessagesOf, jsonRpcRequest } from './resource-probe.js';

const PROTOCOL_VERSION = '2025-06-18';

/**
 * RS-09 (`--verify-call-tool`, reported): the baseline's token works for a real MCP session, as a
 * client uses it: `initialize`, `notifications/initialized`, then `tools/list` on the session,
 * each with the token. A token that opens the door but cannot list tools means the audience, the
 * scopes or the session handling of the authorization server and the MCP server do not agree.
 * Nothing is called but `tools/list`: no tool runs.
 * @see MCP Authorization (2026-07-28) "Access Token Usage"; MCP Lifecycle; MCP Tools "Listing Tools"
 */
export const RS_09: Check = {
  id: 'RS-09',
  async run(probe) {
    if (!probe.settings.verifyCallTool) return notApplicable('makes a real MCP call only when asked: run with --verify-call-tool');
    const { tokens } = await probe.fact('tokenBaseline');
    const token = tokens.access_token;
    const opened = await callResource(probe, { token });
    if (opened.status < 200 || opened.status >= 300) return fail(`initialize with the token was answered ${describeResourceAnswer(opened)}`);
    const initialized = jsonRpcMessagesOf(opened).find((message) => message['id'] === 1)?.['result'] as { protocolVersion?: unknown } | undefined;
    const protocolVersion = typeof initialized?.protocolVersion === 'string' ? initialized.protocolVersion : PROTOCOL_VERSION;
    const sessionId = opened.headers.get('mcp-session-id') ?? undefined;
    const session = { token, protocolVersion, ...(sessionId !== undefined ? { sessionId } : {}) };
    await callResource(probe, { ...session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    const listed = await callResource(probe, { ...session, body: jsonRpcRequest(2, 'tools/list') });
    if (listed.status < 200 || listed.status >= 300) return fail(`tools/list with the token was answered ${describeResourceAnswer(listed)}`);
    const message = jsonRpcMessagesOf(listed).find((candidate) => candidate['id'] === 2);
    const tools = (message?.['result'] as { tools?: unknown } | undefined)?.tools;
    if (!Array.isArray(tools))
      return fail(
        `tools/list with the token was answered ${listed.status} without a list of tools${message?.['error'] !== undefined ? ' (a JSON-RPC error)' : ''}`,
      );
    return pass(
      `initialize and tools/list worked with the token (${tools.length} tool${tools.length === 1 ? '' : 's'}${sessionId !== undefined ? ', on a session' : ''})`,
    );
  },
};
