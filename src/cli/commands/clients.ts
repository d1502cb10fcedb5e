import type { Command } from 'commander';
import { checkRedirectUri } from '../../core/redirect-uri.js';
import { parseScope } from '../../core/scopes.js';
import { hashSecret, randomIdentifier, randomSecret } from '../../core/secrets.js';
import { createSecurityEvents } from '../../server/events/security-events.js';
import { silentLogger } from '../../server/logger.js';
import { type ClientRecord, UniqueViolation } from '../../store/index.js';
import { DEFAULT_SERVER_DB, SERVER_DB_HELP } from '../database-option.js';
import { requireDuration } from '../duration.js';
import { CliError, printResult, table } from '../output.js';
import { withExistingStore, withStore } from '../with-store.js';

const collect = (value: string, previous: string[]) => [...previous, value];

interface AddOptions {
  name?: string;
  redirectUri: string[];
  public?: boolean;
  authMethod?: string;
  scope?: string;
  clientId?: string;
  db: string;
  json?: boolean;
}

export function registerClientsCommand(program: Command): void {
  const clients = program.command('clients').description('manage pre-registered OAuth clients');

  clients
    .command('add')
    .description("pre-register a client; a confidential client's secret is printed once")
    .option('--name <name>', 'name shown on the consent page')
    .option('--redirect-uri <uri>', 'allowed redirect URI (repeat for several); none makes a resource-server client that may only introspect', collect, [])
    .option('--public', 'a public client (no secret, token_endpoint_auth_method none)')
    .option('--auth-method <method>', 'client_secret_basic (default) or client_secret_post for confidential clients')
    .option('--scope <scopes>', 'space-separated scopes the client may request (default: all)')
    .option('--client-id <id>', 'use this client id instead of a random one')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (options: AddOptions) => {
      for (const uri of options.redirectUri) {
        const problem = checkRedirectUri(uri);
        if (problem !== null) throw new CliError(`--redirect-uri ${uri}: ${problem}`);
      }
      const method = options.public ? 'none' : (options.authMethod ?? 'client_secret_basic');
      if (method !== 'none' && method !== 'client_secret_basic' && method !== 'client_secret_post')
        throw new CliError('--auth-method is client_secret_basic or client_secret_post');
      if (method === 'none' && options.redirectUri.length === 0) throw new CliError('a public client needs at least one --redirect-uri');
      const scope = options.scope === undefined ? null : parseScope(options.scope);
      if (scope === null && options.scope !== undefined) throw new CliError('--scope must be space-separated scope names');
      const clientId = options.clientId ?? randomIdentifier(18);
      if (!/^[\x21-\x7E]{1,200}$/.test(clientId)) throw new CliError('--client-id must be 1–200 visible ASCII characters');
      const secret = method === 'none' ? undefined : randomSecret(32);
      const grantTypes = options.redirectUri.length > 0 ? ['authorization_code', 'refresh_token'] : [];
      const now = Math.floor(Date.now() / 1000);
      const record: ClientRecord = {
        clientId,
        secretHash: secret === undefined ? null : hashSecret(secret),
        tokenEndpointAuthMethod: method,
        redirectUris: options.redirectUri,
        grantTypes,
        clientName: options.name ?? null,
        scope,
        metadata: {
          client_id: clientId,
          client_name: options.name,
          redirect_uris: options.redirectUri,
          grant_types: grantTypes,
          token_endpoint_auth_method: method,
        },
        source: 'static',
        createdAt: now,
      };
      await withStore(options.db, (store) => store.clients.create(record)).catch((error: unknown) => {
        if (error instanceof UniqueViolation) throw new CliError(`client ${clientId} already exists`);
        throw error;
      });
      const result = {
        client_id: clientId,
        ...(secret !== undefined ? { client_secret: secret } : {}),
        token_endpoint_auth_method: method,
        redirect_uris: options.redirectUri,
      };
      printResult(Boolean(options.json), result, () =>
        [
          `client_id      ${clientId}`,
          ...(secret !== undefined ? [`client_secret  ${secret}`, '(the secret is shown only now; it is stored hashed)'] : []),
        ].join('\n'),
      );
    });

  clients
    .command('list')
    .description('list registered clients (no secrets)')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (options: { db: string; json?: boolean }) => {
      await withExistingStore(options.db, async (store) => {
        const list = (await store.clients.list()).map((c) => ({
          client_id: c.clientId,
          client_name: c.clientName,
          source: c.source,
          token_endpoint_auth_method: c.tokenEndpointAuthMethod,
          redirect_uris: c.redirectUris,
        }));
        printResult(Boolean(options.json), list, () =>
          list.length === 0
            ? 'no clients'
            : table(
                ['CLIENT ID', 'NAME', 'SOURCE', 'AUTH', 'REDIRECT URIS'],
                list.map((c) => [c.client_id, c.client_name ?? '', c.source, c.token_endpoint_auth_method, c.redirect_uris.join(' ')]),
              ),
        );
      });
    });

  clients
    .command('remove <clientId>')
    .description('remove a client and revoke every token it holds')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (clientId: string, options: { db: string; json?: boolean }) => {
      await withExistingStore(options.db, async (store) => {
        if (!(await store.clients.remove(clientId, Math.floor(Date.now() / 1000)))) throw new CliError(`no client ${clientId}; see portcullis clients list`);
        const events = createSecurityEvents({ store: store.securityEvents, logger: silentLogger });
        await events.record({ type: 'client_removed', clientId, outcome: 'removed', detail: { by: 'cli' } });
        printResult(Boolean(options.json), { removed: clientId }, () => `removed client ${clientId} and revoked its tokens`);
      });
    });

  clients
    .command('prune')
    .description('remove dynamically registered clients nobody has used for a while, and revoke what they hold')
    .requiredOption('--unused-for <duration>', 'how long unused: 30d, 12h, 90m (registered before then, and no code, grant or refresh since)')
    .option('--dry-run', 'list what would be removed, and remove nothing')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (options: { unusedFor: string; dryRun?: boolean; db: string; json?: boolean }) => {
      const seconds = requireDuration(options.unusedFor, '--unused-for');
      await withExistingStore(options.db, async (store) => {
        const now = Math.floor(Date.now() / 1000);
        const unused = await store.clients.listUnused(now - seconds, now);
        const events = createSecurityEvents({ store: store.securityEvents, logger: silentLogger });
        const removed: ClientRecord[] = [];
        for (const client of unused) {
          if (options.dryRun) removed.push(client);
          else if (await store.clients.remove(client.clientId, now)) {
            removed.push(client);
            await events.record({
              type: 'client_removed',
              clientId: client.clientId,
              outcome: 'removed',
              detail: { by: 'cli', reason: 'unused', unused_for_seconds: seconds },
            });
          }
        }
        const list = removed.map((c) => ({ client_id: c.clientId, client_name: c.clientName, created_at: new Date(c.createdAt * 1000).toISOString() }));
        const verb = options.dryRun ? 'would remove' : 'removed';
        printResult(
          Boolean(options.json),
          { dry_run: Boolean(options.dryRun), unused_for_seconds: seconds, [options.dryRun ? 'would_remove' : 'removed']: list },
          () =>
            list.length === 0
              ? `no dynamically registered client unused for ${options.unusedFor}`
              : [
                  `${verb} ${list.length} dynamically registered client${list.length === 1 ? '' : 's'} unused for ${options.unusedFor}${options.dryRun ? '' : ', and revoked their tokens'}:`,
                  table(
                    ['CLIENT ID', 'NAME', 'REGISTERED'],
                    list.map((c) => [c.client_id, c.client_name ?? '', c.created_at]),
                  ),
                ].join('\n'),
        );
      });
    });
}
