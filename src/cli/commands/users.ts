import type { Command } from 'commander';
import { randomIdentifier } from '../../core/secrets.js';
import { hashPassword } from '../../server/browser/password-hash.js';
import { createRedisRateLimits } from '../../server/browser/redis-rate-limits.js';
import { createSecurityEvents } from '../../server/events/security-events.js';
import { silentLogger } from '../../server/logger.js';
import { type RateLimitStore, UniqueViolation } from '../../store/index.js';
import { readConfigFile } from '../config-file.js';
import { DEFAULT_SERVER_DB, SERVER_DB_HELP } from '../database-option.js';
import { CliError, printResult, readStdin, table } from '../output.js';
import { withExistingStore, withStore } from '../with-store.js';

const USERNAME = /^[A-Za-z0-9._@+-]{1,100}$/;

export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description('manage local users who can sign in');

  users
    .command('add <name>')
    .description('add a user; the password is read from standard input')
    .option('--password-stdin', 'read the password from standard input (required)')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { passwordStdin?: boolean; db: string; json?: boolean }) => {
      if (!USERNAME.test(name)) throw new CliError('a username is 1–100 characters of letters, digits and . _ @ + -');
      if (!options.passwordStdin)
        throw new CliError('pass --password-stdin and pipe the password in, so it never appears in the process list or shell history');
      const user = {
        id: randomIdentifier(12),
        username: name,
        passwordHash: await hashPassword(await readNewPassword()),
        createdAt: Math.floor(Date.now() / 1000),
      };
      await withStore(options.db, (store) => store.users.create(user)).catch((error: unknown) => {
        if (error instanceof UniqueViolation)
          throw new CliError(`user ${name} already exists; change the password with portcullis users set-password ${name} --password-stdin`);
        throw error;
      });
      printResult(Boolean(options.json), { id: user.id, username: name }, () => `added user ${name}`);
    });

  users
    .command('set-password <name>')
    .description("change a user's password (read from standard input) and sign them out of the pages")
    .option('--password-stdin', 'read the password from standard input (required)')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { passwordStdin?: boolean; db: string; json?: boolean }) => {
      if (!options.passwordStdin)
        throw new CliError('pass --password-stdin and pipe the password in, so it never appears in the process list or shell history');
      const passwordHash = await hashPassword(await readNewPassword());
      const changed = await withExistingStore(options.db, (store) => store.users.setPasswordHash(name, passwordHash));
      if (!changed) throw new CliError(`no user named ${name}; see portcullis users list`);
      printResult(Boolean(options.json), { username: name, passwordChanged: true }, () => `changed the password of ${name}; their browser sessions ended`);
    });

  users
    .command('list')
    .description('list users')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (options: { db: string; json?: boolean }) => {
      await withExistingStore(options.db, async (store) => {
        const list = (await store.users.list()).map((u) => ({ id: u.id, username: u.username, created_at: new Date(u.createdAt * 1000).toISOString() }));
        printResult(Boolean(options.json), list, () =>
          list.length === 0
            ? 'no users'
            : table(
                ['USERNAME', 'ID', 'CREATED'],
                list.map((u) => [u.username, u.id, u.created_at]),
              ),
        );
      });
    });

  users
    .command('remove <name>')
    .description('remove a user, end their sessions and revoke their tokens')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { db: string; json?: boolean }) => {
      await withExistingStore(options.db, async (store) => {
        const removed = await store.users.remove(name, Math.floor(Date.now() / 1000));
        if (!removed) throw new CliError(`no user named ${name}; see portcullis users list`);
        printResult(Boolean(options.json), { removed: name }, () => `removed user ${name} and revoked their tokens`);
      });
    });

  registerUnlockCommand(users);
}

/**
 * Clears a user's login lockout: every per-user-and-address window of theirs
 * (`login-user:<name lowercased>\n<address>`, src/server/app.ts). Per-address windows
 * (`login-address:<address>`) stay: an address that guessed at many names is still held back.
 */
function registerUnlockCommand(users: Command): void {
  users
    .command('unlock <name>')
    .description('clear the login lockout of a user after too many failed attempts')
    .option('--config <file>', 'JSON config file: with rateLimits.redis, the lockout is cleared in that Redis')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (name: string, options: { config?: string; db: string; json?: boolean }) => {
      const redis = readConfigFile(options.config).rateLimits?.redis;
      await withExistingStore(options.db, async (store) => {
        const user = await store.users.findByUsername(name);
        if (user === undefined) throw new CliError(`no user named ${name}; see portcullis users list`);
        const redisLimits = redis === undefined ? undefined : createRedisRateLimits(redis);
        const windows: RateLimitStore = redisLimits ?? store.rateLimits;
        let cleared: number;
        try {
          cleared = await windows.resetPrefix(`login-user:${name.toLowerCase()}\n`);
        } catch (error) {
          // Never the URL itself: it may hold a password.
          if (redisLimits !== undefined)
            throw new CliError(`cannot reach the Redis of rateLimits.redis in ${options.config} (${(error as Error).message}): start it, or fix the URL`);
          throw error;
        } finally {
          await redisLimits?.close();
        }
        const events = createSecurityEvents({ store: store.securityEvents, logger: silentLogger });
        await events.record({ type: 'user_unlocked', userId: user.id, outcome: 'unlocked', detail: { by: 'cli', windows_cleared: cleared } });
        printResult(Boolean(options.json), { username: name, unlocked: true, windows_cleared: cleared }, () =>
          cleared === 0 ? `${name} was not locked out; nothing to clear` : `unlocked ${name}: they can sign in again`,
        );
      });
    });
}

/** A password from standard input, without its final newline. */
async function readNewPassword(): Promise<string> {
  const password = (await readStdin()).replace(/\r?\n$/, '');
  if (password.length < 8) throw new CliError('the password must be at least 8 characters');
  return password;
}
