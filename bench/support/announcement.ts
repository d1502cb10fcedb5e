import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

/**
 * What a benchmark server process prints, as one JSON line on stdout, once it listens: where to
 * send refresh-token requests and the refresh tokens it seeded (`--tokens N`, one per connection).
 */
export interface ServerAnnouncement {
  /** Origin, `http://127.0.0.1:PORT`. */
  url: string;
  /** Path of the token endpoint. */
  tokenPath: string;
  /** The public client the tokens belong to (sent as `client_id`). */
  clientId: string;
  refreshTokens: string[];
  /** False for the bare node:http ceiling, which answers a fixed body and rotates nothing. */
  rotates: boolean;
}

/** Marks our lines among anything else a library prints to stdout. */
export const ANNOUNCEMENT_KEY = 'portcullisBench';

export interface BenchmarkServer extends Omit<ServerAnnouncement, 'refreshTokens'> {
  /** Seeds `count` new refresh tokens (each in its own grant) and returns them. */
  seed(count: number): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Runs the child side of the protocol: seeds `--tokens N`, prints the announcement, then serves
 * `seed N` lines on stdin (a fresh set per phase — oidc-provider's in-memory store is an LRU of
 * 1000 entries, so tokens seeded long before use may be gone) by printing
 * `{"portcullisBench":{"refreshTokens":[…]}}`. When the parent closes stdin (or dies), or on
 * SIGTERM/SIGINT, closes the server and exits through process.exit, so `--cpu-prof` can write.
 */
export async function serveBenchmark(server: BenchmarkServer): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { tokens: { type: 'string', default: '10' } }, strict: true });
  const refreshTokens = await server.seed(tokenCount(values.tokens));
  const { seed: _seed, close: _close, ...where } = server;
  write({ ...where, refreshTokens });

  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  let queue = Promise.resolve();
  createInterface({ input: process.stdin })
    .on('line', (line) => {
      const match = /^seed (\d+)$/.exec(line.trim());
      if (match === null) return;
      queue = queue
        .then(async () => write({ refreshTokens: await server.seed(tokenCount(match[1])) }))
        .catch((error: unknown) => {
          process.stderr.write(`seeding failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
          process.exit(1);
        });
    })
    .on('close', shutdown);
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

function tokenCount(value: string | undefined): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new Error(`token count must be a positive integer, not "${value}"`);
  return count;
}

function write(message: Partial<ServerAnnouncement>): void {
  process.stdout.write(`${JSON.stringify({ [ANNOUNCEMENT_KEY]: message })}\n`);
}
