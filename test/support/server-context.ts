/**
 * A ServerContext with only what the server's storage helpers read (store, keyring, clock,
 * logger, the lifetimes in config), for unit tests of those helpers on a real store.
 */
import { createKeyring } from '../../src/core/seal.js';
import type { Clock } from '../../src/server/clock.js';
import type { ServerContext } from '../../src/server/context.js';
import type { Federation } from '../../src/server/federation/federation.js';
import { silentLogger } from '../../src/server/logger.js';
import type { Store } from '../../src/store/types.js';
import { TEST_SECRET } from './server.js';

export function storageContext(store: Store, clock: Clock, federation?: Federation): ServerContext {
  const partial: Pick<ServerContext, 'store' | 'keyring' | 'clock' | 'logger' | 'federation'> & {
    config: Pick<ServerContext['config'], 'pendingAuthorizationTtlSeconds' | 'codeTtlSeconds'>;
  } = {
    store,
    keyring: createKeyring([TEST_SECRET]),
    clock,
    logger: silentLogger,
    federation,
    config: { pendingAuthorizationTtlSeconds: 600, codeTtlSeconds: 60 },
  };
  return partial as ServerContext;
}
