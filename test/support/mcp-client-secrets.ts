/** Reads a stored row's sealed tokens back, as only a test (holding the client's keyring) can. */
import { openTokens, type TokenSecrets } from '../../src/client/sealed-values.js';
import type { ClientTokensRecord } from '../../src/store/types.js';
import { clientKeyring } from './mcp-client.js';

export function openTokensForTest(row: ClientTokensRecord): TokenSecrets {
  return openTokens(clientKeyring(), row);
}
