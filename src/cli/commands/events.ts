import type { Command } from 'commander';
import { escapeControlCharacters } from '../../core/control-characters.js';
import { SECURITY_EVENT_TYPES, type SecurityEventRecord, type SecurityEventType, type Store } from '../../store/index.js';
import { DEFAULT_SERVER_DB, SERVER_DB_HELP } from '../database-option.js';
import { requireDuration } from '../duration.js';
import { CliError, printResult, table } from '../output.js';
import { withExistingStore } from '../with-store.js';

interface EventsOptions {
  since?: string;
  type?: string;
  user?: string;
  client?: string;
  limit: string;
  db: string;
  json?: boolean;
}

export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description('show the security event trail: replays, reuse, PKCE and login failures, consents, registrations, revocations')
    .option('--since <duration>', 'only events in this past period, e.g. 1h, 7d, 30m')
    .option('--type <type>', `one kind of event: ${SECURITY_EVENT_TYPES.join(', ')}`)
    .option('--user <name>', "one user's events (username, or a user id)")
    .option('--client <id>', "one client's events")
    .option('--limit <n>', 'at most this many, the newest', '100')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output, newest first')
    .action(async (options: EventsOptions) => {
      const type = parseType(options.type);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
        throw new CliError(`--limit must be a whole number from 1 to 100000, not "${options.limit}"`);
      const sinceSeconds = options.since === undefined ? undefined : requireDuration(options.since, '--since');
      await withExistingStore(options.db, async (store) => {
        const userId = options.user === undefined ? undefined : await userIdOf(store, options.user);
        const events = await store.securityEvents.list({
          ...(sinceSeconds !== undefined ? { since: Math.floor(Date.now() / 1000) - sinceSeconds } : {}),
          ...(type !== undefined ? { type } : {}),
          ...(userId !== undefined ? { userId } : {}),
          ...(options.client !== undefined ? { clientId: options.client } : {}),
          limit,
        });
        const names = await usernames(store, events);
        const shown = events.map((e) => ({
          time: new Date(e.at * 1000).toISOString(),
          type: e.type,
          outcome: e.outcome,
          user_id: e.userId,
          username: e.userId === null ? null : (names.get(e.userId) ?? null),
          client_id: e.clientId,
          address: e.address,
          detail: e.detail,
        }));
        printResult(Boolean(options.json), shown, () => humanEvents(shown));
      });
    });
}

function parseType(value: string | undefined): SecurityEventType | undefined {
  if (value === undefined) return undefined;
  const known = SECURITY_EVENT_TYPES.find((t) => t === value);
  if (known === undefined) throw new CliError(`--type must be one of ${SECURITY_EVENT_TYPES.join(', ')}; not "${value}"`);
  return known;
}

/** A username, else an id as it is (a removed user's events keep their id). */
async function userIdOf(store: Store, user: string): Promise<string> {
  return (await store.users.findByUsername(user))?.id ?? user;
}

async function usernames(store: Store, events: SecurityEventRecord[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(events.flatMap((e) => (e.userId === null ? [] : [e.userId])))) {
    const user = await store.users.findById(id);
    if (user !== undefined) names.set(id, user.username);
  }
  return names;
}

/** Oldest first, as a log reads; every value escaped, since addresses and ids came from the network. */
function humanEvents(
  events: ReadonlyArray<{
    time: string;
    type: string;
    outcome: string;
    username: string | null;
    user_id: string | null;
    client_id: string | null;
    address: string | null;
    detail: Record<string, unknown>;
  }>,
): string {
  if (events.length === 0) return 'no security events';
  const rows = [...events].reverse().map((e) => [
    e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    e.type,
    e.outcome,
    e.username ?? e.user_id ?? '-',
    e.client_id ?? '-',
    e.address ?? '-',
    Object.entries(e.detail)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' '),
  ]);
  return table(
    ['TIME', 'TYPE', 'OUTCOME', 'USER', 'CLIENT', 'ADDRESS', 'DETAIL'],
    rows.map((row) => row.map(escapeControlCharacters)),
  );
}
