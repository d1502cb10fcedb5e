import type { Kysely } from 'kysely';
import { toGrant } from './grant-rows.js';
import type { Database } from './schema.js';
import type { GrantRecord } from './types.js';

/** Which grants `grants.list` returns: every live one unless narrowed; revoked ones only when asked. */
export interface GrantListFilter {
  userId?: string;
  clientId?: string;
  /** Include revoked grants (default: live ones only). */
  includeRevoked?: boolean;
}

/**
 * How the user signed in for the grant:
 * - `upstream:<provider id>` when the grant holds upstream tokens (they are saved at the upstream
 *   sign-in that made it, and stay until the grant ends and they are revoked upstream), or else
 *   when the user is a federated user: such a user has no password (federated-user.ts), so every
 *   sign-in that made one of their grants was at that provider;
 * - `password` for a local user, whose only way in is the login form;
 * - `unknown` when neither can be told any more (the user was removed, and the grant's upstream
 *   tokens, if any, are gone).
 */
export type GrantObtainedBy = 'password' | `upstream:${string}` | 'unknown';

/** A grant with what `portcullis grants list` shows of its user and client. */
export interface GrantListing {
  grant: GrantRecord;
  /** Null when the user was removed (their grants were revoked with them). */
  user: {
    username: string;
    /** A federated user's email or display name at the provider, else null: their username is `provider:subject`. */
    federatedName: string | null;
  } | null;
  /** The registered name; null when the client has none, was removed, or is a Client ID Metadata Document client (no row: its id is its URL). */
  clientName: string | null;
  obtainedBy: GrantObtainedBy;
}

/**
 * The grants with their user, federated identity, client and upstream tokens, in one statement
 * (left joins: a removed user or client, or a metadata-document client, still shows its grants),
 * oldest first.
 */
export async function listGrants(db: Kysely<Database>, filter: GrantListFilter): Promise<GrantListing[]> {
  let query = db
    .selectFrom('grants')
    .leftJoin('users', 'users.id', 'grants.user_id')
    .leftJoin('federated_identities', 'federated_identities.user_id', 'grants.user_id')
    .leftJoin('clients', 'clients.client_id', 'grants.client_id')
    .leftJoin('upstream_tokens', 'upstream_tokens.grant_id', 'grants.id')
    .selectAll('grants')
    .select([
      'users.username as username',
      'federated_identities.provider_id as identity_provider',
      'federated_identities.email as identity_email',
      'federated_identities.display_name as identity_name',
      'clients.client_name as client_name',
      'upstream_tokens.provider_id as upstream_provider',
    ])
    .orderBy('grants.created_at')
    .orderBy('grants.id');
  if (filter.userId !== undefined) query = query.where('grants.user_id', '=', filter.userId);
  if (filter.clientId !== undefined) query = query.where('grants.client_id', '=', filter.clientId);
  if (filter.includeRevoked !== true) query = query.where('grants.revoked_at', 'is', null);
  const rows = await query.execute();

  const seen = new Set<string>();
  const listings: GrantListing[] = [];
  for (const row of rows) {
    // One identity per user is what sign-in creates; a second one would repeat the grant.
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    const provider = row.upstream_provider ?? row.identity_provider;
    listings.push({
      grant: toGrant(row),
      user: row.username === null ? null : { username: row.username, federatedName: row.identity_email ?? row.identity_name ?? null },
      clientName: row.client_name,
      obtainedBy: provider !== null ? `upstream:${provider}` : row.username !== null ? 'password' : 'unknown',
    });
  }
  return listings;
}
