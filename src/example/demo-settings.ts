import type { GatewaySettings } from '../resource/gateway-settings.js';
import type { ServerSettings } from '../server/config.js';

/** The scopes of the example notes server: reading is the default, deleting needs more. */
export const DEMO_SERVER_SETTINGS: Partial<ServerSettings> = {
  scopes: { 'notes:read': 'Read and add your notes', 'notes:write': 'Delete your notes' },
  defaultScopes: ['notes:read'],
};

/**
 * Every call needs `notes:read`; `tools/call` of `delete_note` also needs `notes:write`. The first
 * challenge names both (`challengeAllScopes`), so the demo works with the clients people use,
 * whose MCP SDK 1.x transport cannot step up; the 403 for a token without `notes:write` stays,
 * for clients that can.
 */
export function demoGatewaySettings(upstream: string): GatewaySettings {
  return {
    upstream,
    resourceName: 'Portcullis example notes server',
    scopes: { required: ['notes:read'], tools: { delete_note: ['notes:write'] } },
    challengeAllScopes: true,
  };
}
