import type { Kysely } from 'kysely';

/**
 * Running it in production (issue 15):
 * - `security_events`: the trail of security-relevant events (`portcullis events`), swept after
 *   the retention period;
 * - `rate_limits`: fixed-window counters shared by every instance on the database (login
 *   failures, registrations), instead of one count per process;
 * - `grants.last_used_at`: when the grant last issued tokens (code redemption or refresh), for
 *   `portcullis grants list` and `portcullis clients prune`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('security_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('address', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('security_events_at').on('security_events').column('at').execute();

  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('grants').addColumn('last_used_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('grants').dropColumn('last_used_at').execute();
  await db.schema.dropTable('rate_limits').execute();
  await db.schema.dropTable('security_events').execute();
}
