import type { Kysely } from 'kysely';

/**
 * Refresh tokens move onto their grant's row: a token is now its grant's id, its generation and a
 * MAC (src/server/tokens/refresh-token-value.ts), so the `refresh_tokens` table — one row per token ever
 * issued, one INSERT and one UPDATE per rotation — gives way to two columns of `grants`, and a
 * rotation is one conditional UPDATE of one row.
 *
 * Refresh tokens issued before this migration stop working (their clients authorize again): a
 * stored hash cannot be turned into a value of the new kind. Access tokens keep working.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('grants').addColumn('refresh_generation', 'bigint').execute();
  await db.schema.alterTable('grants').addColumn('refresh_expires_at', 'bigint').execute();
  await db.schema.dropTable('refresh_tokens').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.alterTable('grants').dropColumn('refresh_expires_at').execute();
  await db.schema.alterTable('grants').dropColumn('refresh_generation').execute();
}
