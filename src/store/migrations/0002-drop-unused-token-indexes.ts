import type { Kysely } from 'kysely';

/**
 * Drops the `grant_id` indexes of `refresh_tokens` and `access_tokens`. No statement looks tokens
 * up by grant (a token is live only while its grant is, so a family is revoked on its grant row),
 * and each index cost every token issuance another B-tree write — on SQLite another page in the
 * write-ahead log of the token endpoint's transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('refresh_tokens_grant').execute();
  await db.schema.dropIndex('access_tokens_grant').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('refresh_tokens_grant').on('refresh_tokens').column('grant_id').execute();
  await db.schema.createIndex('access_tokens_grant').on('access_tokens').column('grant_id').execute();
}
