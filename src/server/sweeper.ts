import type { Logger } from 'pino';
import type { Store } from '../store/types.js';
import { type Clock, nowSeconds } from './clock.js';

/** Stops the sweeper. */
export type StopSweeper = () => void;

/**
 * Every `intervalMs`, removes expired rows (`store.sweep`: codes, pending requests, sessions and
 * tokens) and calls `afterSweep` (the upstream revocation of grants that ended). A timer of the
 * server's, not of the store: the store offers one sweep; when and how often to sweep, and what
 * to log, is the running server's policy. The timer does not keep the process alive; `false`
 * starts nothing.
 */
export function startSweeper(store: Pick<Store, 'sweep'>, clock: Clock, logger: Logger, intervalMs: number | false, afterSweep: () => void): StopSweeper {
  if (intervalMs === false) return () => {};
  const timer = setInterval(() => {
    store.sweep(nowSeconds(clock)).then(
      (removed) => removed > 0 && logger.debug({ event: 'swept', removed }, 'expired rows swept'),
      (error: unknown) => logger.error({ event: 'sweep_failed', detail: String(error) }, 'sweeping expired rows failed'),
    );
    afterSweep();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
