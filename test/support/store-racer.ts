/**
 * Races store operations from another process, as a second server instance or the CLI would.
 * (Two SQLite connections in one thread cannot race a transaction: better-sqlite3 blocks the
 * event loop while it waits for a lock, so the lock holder can never finish.)
 *
 * Parent side: `startRacer(url, job)`; child side: this file run with `--import tsx`.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';
import { sessionRecord, T0 } from './store-records.js';

export type RacerJob =
  | { kind: 'grant-consents'; userId: string; clientId: string; scopes: string[] }
  | { kind: 'create-sessions'; count: number }
  | { kind: 'consume-codes'; codeHashes: string[] }
  | { kind: 'rotate-refresh-tokens'; grantIds: string[]; clientId: string };

export interface RacerResult {
  ok: boolean;
  /** One outcome per item, for the consume and spend jobs. */
  outcomes: string[];
  error?: string;
}

export interface Racer {
  /** Resolves once the child has opened the store. */
  ready: Promise<void>;
  /** Starts the job. */
  go(): void;
  /** Resolves when the job has finished and the child has closed its store. */
  done: Promise<RacerResult>;
}

/** Forks a child that opens the store at `url` and runs `job` when told to go. */
export function startRacer(url: string, job: RacerJob): Racer {
  const child = fork(fileURLToPath(import.meta.url), [url, JSON.stringify(job)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let result: RacerResult | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`racer exited with ${code} before it was ready`)));
  });
  const done = new Promise<RacerResult>((resolve, reject) => {
    child.on('message', (message) => {
      if (typeof message === 'object' && message !== null && 'ok' in message) result = message as RacerResult;
    });
    child.once('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`racer exited with ${code} and no result`))));
  });
  return { ready, go: () => child.send('go'), done };
}

async function runJob(url: string, job: RacerJob): Promise<void> {
  const store = await openStore(url);
  const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  try {
    await send('ready');
    await new Promise((resolve) => process.once('message', resolve));
    const outcomes: string[] = [];
    try {
      switch (job.kind) {
        case 'grant-consents':
          for (const scope of job.scopes) await store.consents.grant(job.userId, job.clientId, [scope], T0);
          break;
        case 'create-sessions':
          for (let i = 0; i < job.count; i++) await store.sessions.create(sessionRecord());
          break;
        case 'consume-codes':
          for (const hash of job.codeHashes) outcomes.push((await store.codes.consume(hash, T0 + 1)).outcome);
          break;
        case 'rotate-refresh-tokens':
          // As the refresh grant does: rotate each grant's generation 0 once.
          for (const grantId of job.grantIds) {
            const rotated = await store.grants.rotateRefreshToken({ grantId, clientId: job.clientId, generation: 0, now: T0 + 1, expiresAt: T0 + 86_401 });
            outcomes.push(rotated === undefined ? 'lost' : 'rotated');
          }
          break;
      }
      await send({ ok: true, outcomes } satisfies RacerResult);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      await send({ ok: false, outcomes, error: `${String(error)}${code ? ` (${String(code)})` : ''}` } satisfies RacerResult);
    }
  } finally {
    await store.close();
    process.disconnect();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, job] = process.argv.slice(2);
  await runJob(url!, JSON.parse(job!) as RacerJob);
}
