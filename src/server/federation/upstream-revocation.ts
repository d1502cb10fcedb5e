import type { Logger } from 'pino';

/**
 * Runs `revokeEnded` (revokeEndedUpstreamTokens in upstream-tokens.ts) when grants end, one run at
 * a time: a call while a run is going makes that run go round once more when it is done, so grants
 * that ended during a run are not missed and runs never pile up. Failures are logged, never thrown:
 * the callers are request handlers whose answer does not depend on the provider.
 * @see RFC 7009 §2 (revoking the upstream tokens of a grant that ended here)
 */
export function createUpstreamRevocationScheduler(revokeEnded: () => Promise<unknown>, logger: Logger): () => void {
  let running: Promise<void> | undefined;
  let again = false;
  return () => {
    if (running !== undefined) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await revokeEnded();
      } while (again);
    })()
      .catch((error: unknown) =>
        logger.error(
          { event: 'upstream_revoke_run_failed', detail: error instanceof Error ? error.message : String(error) },
          'revoking upstream tokens failed',
        ),
      )
      .finally(() => (running = undefined));
  };
}
