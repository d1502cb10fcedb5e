import type { Kysely } from 'kysely';

/**
 * Upstream identity federation: sign-in attempts at an upstream provider (by the hash of their
 * `state`), the link from an upstream account to a local user, and the upstream tokens of each
 * grant, sealed (docs/design.md invariant 7).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('upstream_logins')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('federated_identities')
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('display_name', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_login_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('federated_identities_pk', ['provider_id', 'subject'])
    .execute();
  await db.schema.createIndex('federated_identities_user').on('federated_identities').column('user_id').execute();

  await db.schema
    .createTable('upstream_tokens')
    .addColumn('grant_id', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('access_expires_at', 'bigint')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('revoke_attempts', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['upstream_tokens', 'federated_identities', 'upstream_logins']) await db.schema.dropTable(table).execute();
}
