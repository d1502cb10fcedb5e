import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { parseStoredJson } from '../core/stored-json.js';
import type { ClientsTable, Database } from './schema.js';
import { type ClientRecord, type ClientStore, UniqueViolation } from './types.js';
import { isUniqueViolation } from './unique-violation.js';

const stringsSchema = z.array(z.string());
/** A JSON object, checked but not rebuilt: the metadata is returned exactly as it was stored. */
const metadataSchema = z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value));
const authMethodSchema = z.enum(['none', 'client_secret_basic', 'client_secret_post']);
const sourceSchema = z.enum(['dynamic', 'static']);

/** The record a row holds; undefined for a row not of the shape `create` writes, which is as good as no client. */
function toRecord(row: Selectable<ClientsTable>): ClientRecord | undefined {
  const redirectUris = parseStoredJson(row.redirect_uris, stringsSchema);
  const grantTypes = parseStoredJson(row.grant_types, stringsSchema);
  const metadata = parseStoredJson(row.metadata, metadataSchema);
  const authMethod = authMethodSchema.safeParse(row.token_endpoint_auth_method);
  const source = sourceSchema.safeParse(row.source);
  if (redirectUris === undefined || grantTypes === undefined || metadata === undefined || !authMethod.success || !source.success) return undefined;
  return {
    clientId: row.client_id,
    secretHash: row.secret_hash,
    tokenEndpointAuthMethod: authMethod.data,
    redirectUris,
    grantTypes,
    clientName: row.client_name,
    scope: row.scope === null ? null : row.scope.split(' ').filter(Boolean),
    metadata,
    source: source.data,
    createdAt: row.created_at,
  };
}

export function createClientStore(db: Kysely<Database>): ClientStore {
  return {
    async create(client) {
      try {
        await db
          .insertInto('clients')
          .values({
            client_id: client.clientId,
            secret_hash: client.secretHash,
            token_endpoint_auth_method: client.tokenEndpointAuthMethod,
            redirect_uris: JSON.stringify(client.redirectUris),
            grant_types: JSON.stringify(client.grantTypes),
            client_name: client.clientName,
            scope: client.scope === null ? null : client.scope.join(' '),
            metadata: JSON.stringify(client.metadata),
            source: client.source,
            created_at: client.createdAt,
          })
          .execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new UniqueViolation(`client ${client.clientId}`);
        throw error;
      }
    },
    async find(clientId) {
      const row = await db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },
    async list() {
      const rows = await db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('client_id').execute();
      return rows.flatMap((row) => toRecord(row) ?? []);
    },
    /**
     * Registered before `since`, with no grant created or used, no code issued and no authorization
     * started at or after it, and no live grant whose last use was never recorded (made before
     * migration 0006) and whose refresh token is still valid (docs/operations.md, `clients prune`).
     */
    async listUnused(since, now) {
      // Each `not in` subquery is evaluated once (no index on client_id is needed): the clients
      // that did something at or after `since`.
      const rows = await db
        .selectFrom('clients')
        .selectAll()
        .where('source', '=', 'dynamic')
        .where('created_at', '<', since)
        .where('client_id', 'not in', (eb) =>
          eb
            .selectFrom('grants')
            .select('client_id')
            .where((g) =>
              g.or([
                g('created_at', '>=', since),
                g('last_used_at', '>=', since),
                // Used before 0006 recorded uses, and could still refresh: not known to be idle.
                g.and([g('last_used_at', 'is', null), g('revoked_at', 'is', null), g('refresh_expires_at', '>', now)]),
              ]),
            ),
        )
        .where('client_id', 'not in', (eb) => eb.selectFrom('authorization_codes').select('client_id').where('created_at', '>=', since))
        .where('client_id', 'not in', (eb) => eb.selectFrom('authorization_requests').select('client_id').where('created_at', '>=', since))
        .orderBy('created_at')
        .orderBy('client_id')
        .execute();
      return rows.flatMap((row) => toRecord(row) ?? []);
    },
    async remove(clientId, now) {
      return db.transaction().execute(async (trx) => {
        await trx.updateTable('grants').set({ revoked_at: now }).where('client_id', '=', clientId).where('revoked_at', 'is', null).execute();
        await trx.deleteFrom('consents').where('client_id', '=', clientId).execute();
        // Unredeemed codes and pending requests would otherwise outlive the client.
        await trx.deleteFrom('authorization_codes').where('client_id', '=', clientId).execute();
        await trx.deleteFrom('authorization_requests').where('client_id', '=', clientId).execute();
        const result = await trx.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst();
        return result.numDeletedRows > 0n;
      });
    },
  };
}
