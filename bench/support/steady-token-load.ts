import { computeS256Challenge } from '../../src/core/pkce.js';
import { randomSecret } from '../../src/core/secrets.js';
import { authorizationParams, authorizationUrl, redeemCode, refreshTokens, type ServerMetadata } from '../../test/support/authorization-flow.js';
import type { LoadClient } from '../../test/support/token-family-load.js';

/**
 * An open-loop load of returning users at a steady rate: each operation is either a full
 * authorization-code + PKCE flow (`GET /authorize` with the session cookie and remembered consent,
 * straight back with a code, then `POST /token`) or a refresh rotation of a family an earlier flow
 * started. Operations start on a clock, not when the last one ends, so a slower server faces the
 * same rate (and more in flight) instead of a gentler one; at `maxInFlight` new ones are skipped
 * and counted. Families are kept in a pool of at most `poolSize`, each used by one rotation at a time.
 */
export interface SteadyLoadOptions {
  as: ServerMetadata;
  clients: readonly LoadClient[];
  resource: string;
  /** Operations started per second. */
  rate: number;
  /** Share of operations that are rotations, once there are families to rotate. */
  refreshShare: number;
  maxInFlight?: number;
  poolSize?: number;
}

export interface SteadyLoadCounts {
  flows: number;
  rotations: number;
  /** Operations answered with anything but what a working server answers (no token in them). */
  failures: number;
  /** Operations not started because `maxInFlight` were already running. */
  skipped: number;
  /** The first few failures, as status and OAuth error code. */
  failureKinds: Map<string, number>;
}

export interface SteadyLoad {
  /** Counts so far (the object is updated in place). */
  readonly counts: SteadyLoadCounts;
  /** Stops starting operations and resolves when those running have ended. */
  stop(): Promise<void>;
}

interface Family {
  clientId: string;
  refreshToken: string;
}

export function startSteadyLoad(options: SteadyLoadOptions): SteadyLoad {
  const maxInFlight = options.maxInFlight ?? 64;
  const poolSize = options.poolSize ?? 1000;
  const counts: SteadyLoadCounts = { flows: 0, rotations: 0, failures: 0, skipped: 0, failureKinds: new Map() };
  const idle: Family[] = [];
  const running = new Set<Promise<void>>();
  let next = 0;

  const fail = (kind: string) => {
    counts.failures += 1;
    counts.failureKinds.set(kind, (counts.failureKinds.get(kind) ?? 0) + 1);
  };
  const keep = (family: Family) => {
    if (idle.length < poolSize) idle.push(family);
    else idle[Math.floor(Math.random() * idle.length)] = family;
  };

  const flow = async () => {
    const client = options.clients[next++ % options.clients.length]!;
    const verifier = randomSecret(32);
    const url = authorizationUrl(options.as, {
      ...authorizationParams(client.clientId, { code_challenge: computeS256Challenge(verifier) }),
      resource: options.resource,
    });
    const authorized = await client.browser.request(url);
    await authorized.arrayBuffer();
    const code = authorized.status === 302 ? new URL(authorized.headers.get('location') ?? '', url).searchParams.get('code') : null;
    if (code === null) return fail(`authorize ${authorized.status}`);
    const answer = await redeemCode(options.as, { clientId: client.clientId, code, verifier, resource: options.resource });
    if (answer.status !== 200) return fail(`code ${answer.status} ${String(answer.body['error'])}`);
    counts.flows += 1;
    keep({ clientId: client.clientId, refreshToken: answer.body['refresh_token'] as string });
  };

  const rotate = async (family: Family) => {
    const answer = await refreshTokens(options.as, { clientId: family.clientId, refreshToken: family.refreshToken });
    if (answer.status !== 200) return fail(`refresh ${answer.status} ${String(answer.body['error'])}`);
    counts.rotations += 1;
    keep({ clientId: family.clientId, refreshToken: answer.body['refresh_token'] as string });
  };

  const launch = () => {
    if (running.size >= maxInFlight) {
      counts.skipped += 1;
      return;
    }
    const family = idle.length > 0 && Math.random() < options.refreshShare ? idle.splice(Math.floor(Math.random() * idle.length), 1)[0] : undefined;
    const operation = (family !== undefined ? rotate(family) : flow()).catch((error: unknown) => fail(`request failed: ${(error as Error).message}`));
    running.add(operation);
    void operation.finally(() => running.delete(operation));
  };

  const started = performance.now();
  let launched = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * options.rate);
    for (; launched < due; launched++) launch();
  }, 10);

  return {
    counts,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...running]);
    },
  };
}
