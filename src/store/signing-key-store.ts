import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { SigningKeyStore } from './types.js';

export function createSigningKeyStore(db: Kysely<Database>): SigningKeyStore {
  return {
    async add(key) {
      await db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          alg: key.alg,
          public_jwk: key.publicJwk,
          private_jwk_sealed: key.privateJwkSealed,
          created_at: key.createdAt,
          retired_at: key.retiredAt,
        })
        .execute();
    },
    async listPublishable(retiredAfter) {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', retiredAfter)]))
        .orderBy('created_at', 'desc')
        .orderBy('kid')
        .execute();
      return rows.map((row) => ({
        kid: row.kid,
        alg: row.alg,
        publicJwk: row.public_jwk,
        privateJwkSealed: row.private_jwk_sealed,
        createdAt: row.created_at,
        retiredAt: row.retired_at,
      }));
    },
    async retireOlderThan(createdAt, at) {
      await db.updateTable('signing_keys').set({ retired_at: at }).where('created_at', '<', createdAt).where('retired_at', 'is', null).execute();
    },
    async retireAllExcept(kid, now) {
      await db.updateTable('signing_keys').set({ retired_at: now }).where('kid', '!=', kid).where('retired_at', 'is', null).execute();
    },
  };
}
