import type { Store } from '../../store/types.js';
import type { ServerContext } from '../context.js';
import { type JsonAnswer, jsonAnswer } from '../http/error-response.js';

/**
 * One thing `/readyz` checks: resolves with undefined when fine, or with why not in words (never a
 * URL that may hold a password, never a secret).
 */
export type ReadinessCheck = () => Promise<string | undefined>;

/** `/healthz` and `/readyz` as transport-free answers (the Hono routes, and the metrics port). */
export interface HealthEndpoints {
  /** The process is up and answering: always 200. */
  healthz(): JsonAnswer;
  /** 200 `{status:'ready', checks}` when every check passes, else 503 `{status:'not_ready', checks}` naming what failed and why. */
  readyz(): Promise<JsonAnswer>;
}

export type CheckResult = { ok: true } | { ok: false; reason: string };

/** Every check gets this long; one that takes longer has failed (an orchestrator polls every few seconds). */
const CHECK_TIMEOUT_MS = 1000;
/** A check whose result is reused this long (a connection per poll would be a load of its own). */
export const CACHED_CHECK_SECONDS = 5;

/**
 * The health endpoints: liveness, and readiness from the store (database answers, migrations
 * applied), the signing key, and `extra` checks (the serve stack adds the gateway's upstream).
 * Both answer `Cache-Control: no-store`: an answer is true only now.
 */
export function createHealthEndpoints(
  ctx: Pick<ServerContext, 'store' | 'signingKeys'>,
  extra: Readonly<Record<string, ReadinessCheck>> = {},
): HealthEndpoints {
  let storeCheck: Promise<Awaited<ReturnType<Store['checkReadiness']>>> | undefined;
  // The database and the migrations come from one store call per readiness request.
  const fromStore = (pick: 'database' | 'migrations'): ReadinessCheck => {
    return async () => {
      storeCheck ??= ctx.store.checkReadiness(CHECK_TIMEOUT_MS).finally(() => {
        storeCheck = undefined;
      });
      return (await storeCheck)[pick];
    };
  };
  const checks: Record<string, ReadinessCheck> = {
    database: fromStore('database'),
    migrations: fromStore('migrations'),
    signing_key: async () => {
      try {
        await ctx.signingKeys.current();
        return undefined;
      } catch (error) {
        return `no signing key could be loaded: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    ...extra,
  };
  return {
    healthz: () => jsonAnswer({ status: 'ok' }),
    async readyz() {
      const names = Object.keys(checks);
      const results = await Promise.all(names.map((name) => runCheck(checks[name]!)));
      const byName = Object.fromEntries(names.map((name, i) => [name, results[i]!]));
      const ready = results.every((r) => r.ok);
      return jsonAnswer({ status: ready ? 'ready' : 'not_ready', checks: byName }, ready ? 200 : 503);
    },
  };
}

async function runCheck(check: ReadinessCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    const reason = await Promise.race([check(), timeout]);
    return reason === undefined ? { ok: true } : { ok: false, reason };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `check`, its result reused for `seconds` after it settles, and one run shared by concurrent
 * callers: `/readyz` polled every second then opens a connection to the upstream every few seconds
 * only.
 */
export function cachedReadinessCheck(check: ReadinessCheck, seconds = CACHED_CHECK_SECONDS, now: () => number = () => performance.now()): ReadinessCheck {
  let last: { at: number; result: Promise<string | undefined> } | undefined;
  return () => {
    if (last !== undefined && now() - last.at < seconds * 1000) return last.result;
    const result = check().catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
    // Reused while in flight, then for `seconds` from when it settled.
    last = { at: now(), result };
    void result.then(() => {
      if (last?.result === result) last.at = now();
    });
    return result;
  };
}
