import type { Kysely } from 'kysely';

/**
 * The client side (src/client/): this app's registrations at authorization servers, each user's
 * sealed tokens per MCP server and authorization server, pending logins by the hash of their
 * `state`, and the lease that keeps refreshes to one at a time across processes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_registrations')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text')
    .addColumn('token_endpoint_auth_method', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_registrations_pk', ['issuer', 'redirect_uri'])
    .execute();

  await db.schema
    .createTable('client_tokens')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('server_url', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('access_expires_at', 'bigint')
    .addColumn('has_refresh_token', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_tokens_pk', ['user_id', 'server_url', 'issuer'])
    .execute();

  await db.schema
    .createTable('client_pending_logins')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('server_url', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('client_pending_logins_user').on('client_pending_logins').columns(['user_id', 'server_url']).execute();

  await db.schema
    .createTable('client_refresh_leases')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('server_url', 'text', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_refresh_leases_pk', ['user_id', 'server_url'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['client_refresh_leases', 'client_pending_logins', 'client_tokens', 'client_registrations']) await db.schema.dropTable(table).execute();
}
