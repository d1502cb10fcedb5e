import type { Command } from 'commander';
import { createSecurityEvents } from '../../server/events/security-events.js';
import { silentLogger } from '../../server/logger.js';
import type { GrantListing } from '../../store/grant-listing.js';
import type { GrantRecord } from '../../store/index.js';
import { DEFAULT_SERVER_DB, SERVER_DB_HELP } from '../database-option.js';
import { CliError, printResult, table } from '../output.js';
import { withExistingStore } from '../with-store.js';

const iso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString());

/**
 * What a grant is now: `revoked`; `expired` once its refresh token has (its access tokens, short-lived,
 * end soon after); else `active` (a grant without a refresh token stays `active` until revoked:
 * its access tokens end by themselves within the access-token lifetime).
 */
function statusOf(grant: GrantRecord, now: number): 'active' | 'revoked' | 'expired' {
  if (grant.revokedAt !== null) return 'revoked';
  if (grant.refreshExpiresAt !== null && grant.refreshExpiresAt <= now) return 'expired';
  return 'active';
}

/** One grant as `grants list --json` prints it: ISO times, snake_case like the rest of the CLI's JSON. */
function grantJson(listing: GrantListing, now: number) {
  const { grant, user } = listing;
  return {
    id: grant.id,
    status: statusOf(grant, now),
    user_id: grant.userId,
    username: user?.username ?? null,
    user: user === null ? null : (user.federatedName ?? user.username),
    client_id: grant.clientId,
    client_name: listing.clientName,
    scope: grant.scope.join(' '),
    resource: grant.resource,
    obtained_by: listing.obtainedBy,
    created_at: iso(grant.createdAt),
    last_used_at: iso(grant.lastUsedAt),
    refresh_expires_at: iso(grant.refreshExpiresAt),
    revoked_at: iso(grant.revokedAt),
  };
}

type GrantJson = ReturnType<typeof grantJson>;

function grantTable(list: GrantJson[], all: boolean): string {
  if (list.length === 0) return all ? 'no grants' : 'no live grants (--all shows revoked ones too)';
  const minute = (time: string | null) => (time === null ? '-' : `${time.slice(0, 16).replace('T', ' ')}Z`);
  return table(
    ['ID', 'STATUS', 'USER', 'CLIENT', 'SCOPE', 'RESOURCE', 'CREATED', 'LAST USED', 'OBTAINED BY'],
    list.map((g) => [
      g.id,
      g.status,
      g.user ?? `(removed user ${g.user_id})`,
      g.client_name === null ? g.client_id : `${g.client_name} (${g.client_id})`,
      g.scope === '' ? '-' : g.scope,
      g.resource,
      minute(g.created_at),
      minute(g.last_used_at),
      g.obtained_by,
    ]),
  );
}

export function registerGrantsCommand(program: Command): void {
  const grants = program.command('grants').description('see who has access, and end it');

  grants
    .command('list')
    .description('list grants: user, client, scopes, resource, when created and last used, and how the user signed in')
    .option('--user <name>', "only this user's grants")
    .option('--client <id>', "only this client's grants (a Client ID Metadata Document client by its URL)")
    .option('--all', 'include revoked grants')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (options: { user?: string; client?: string; all?: boolean; db: string; json?: boolean }) => {
      await withExistingStore(options.db, async (store) => {
        let userId: string | undefined;
        if (options.user !== undefined) {
          const user = await store.users.findByUsername(options.user);
          if (user === undefined) throw new CliError(`no user named ${options.user}; see portcullis users list`);
          userId = user.id;
        }
        const listings = await store.grants.list({
          ...(userId !== undefined ? { userId } : {}),
          ...(options.client !== undefined ? { clientId: options.client } : {}),
          includeRevoked: Boolean(options.all),
        });
        const now = Math.floor(Date.now() / 1000);
        const list = listings.map((listing) => grantJson(listing, now));
        printResult(Boolean(options.json), list, () => grantTable(list, Boolean(options.all)));
      });
    });

  grants
    .command('revoke <id>')
    .description('end a grant now: its refresh token and access tokens stop working, its upstream tokens are revoked upstream')
    .option('--db <url>', SERVER_DB_HELP, DEFAULT_SERVER_DB)
    .option('--json', 'machine-readable output')
    .action(async (id: string, options: { db: string; json?: boolean }) => {
      await withExistingStore(options.db, async (store) => {
        const grant = await store.grants.find(id);
        if (grant === undefined) throw new CliError(`no grant ${id}; see portcullis grants list`);
        if (grant.revokedAt !== null) {
          const at = iso(grant.revokedAt);
          printResult(Boolean(options.json), { id, revoked: false, already_revoked_at: at }, () => `grant ${id} was already revoked at ${at}; nothing changed`);
          return;
        }
        const now = Math.floor(Date.now() / 1000);
        await store.grants.revoke(id, now);
        const upstream = await store.federation.findUpstreamTokens(id);
        const events = createSecurityEvents({ store: store.securityEvents, logger: silentLogger });
        await events.record({
          type: 'grant_revoked',
          userId: grant.userId,
          clientId: grant.clientId,
          outcome: 'revoked',
          detail: { grant_id: id, by: 'cli', ...(upstream !== undefined ? { upstream_provider: upstream.providerId } : {}) },
        });
        const result = {
          id,
          revoked: true,
          revoked_at: iso(now),
          user_id: grant.userId,
          client_id: grant.clientId,
          // A gateway trusts a token it verified for `gateway.tokenCacheSeconds` (docs/gateway.md).
          gateway_cache_note: 'a gateway may still accept an access token it verified within its tokenCacheSeconds (30 s by default)',
          upstream_provider: upstream?.providerId ?? null,
        };
        printResult(Boolean(options.json), result, () =>
          [
            `revoked grant ${id}: its refresh token and access tokens stop working now`,
            `(a gateway may still accept an access token it verified in the last tokenCacheSeconds, 30 s by default)`,
            ...(upstream !== undefined ? [`its upstream tokens at ${upstream.providerId} are revoked there by the running server within a minute`] : []),
          ].join('\n'),
        );
      });
    });
}
