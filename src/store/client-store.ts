import type { Kysely, Selectable } from 'kysely';
import type { ClientsTable, Database } from './schema.js';
import { type ClientRecord, type ClientStore, UniqueViolation } from './types.js';
import { isUniqueViolation } from './unique-violation.js';

function toRecord(row: Selectable<ClientsTable>): ClientRecord {
  return {
    clientId: row.client_id,
    secretHash: row.secret_hash,
    tokenEndpointAuthMethod: row.token_endpoint_auth_method as ClientRecord['tokenEndpointAuthMethod'],
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    grantTypes: JSON.parse(row.grant_types) as string[],
    clientName: row.client_name,
    scope: row.scope === null ? null : row.scope.split(' ').filter(Boolean),
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    source: row.source as ClientRecord['source'],
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
      return rows.map(toRecord);
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
