import type BetterSqlite3 from 'better-sqlite3';
import type { Selectable } from 'kysely';
import { refreshTokenRow, toGrant, toRefreshToken } from './grant-rows.js';
import type { GrantsTable, RefreshTokensTable } from './schema.js';
import type { RefreshReplacementBuilder, RefreshRotation } from './types.js';

/**
 * The refresh token rotation on SQLite, as prepared statements in one synchronous
 * `BEGIN IMMEDIATE` transaction. It is the same rotation as the Kysely one in grant-store.ts, with
 * the same statements, minus the cost of building each query and of an asynchronous transaction
 * (better-sqlite3 is synchronous anyway: the event loop waits for SQLite either way).
 *
 * - One conditional `UPDATE … RETURNING` decides the winner among concurrent spends, across
 *   processes too: `BEGIN IMMEDIATE` takes SQLite's write lock before it reads (DESIGN.md
 *   invariant 5; RFC 9700 §4.14.2).
 * - `replace` runs inside the transaction; if it throws, better-sqlite3 rolls the whole
 *   transaction back (the token is not spent) and rethrows.
 *
 * Returns undefined when the connection is inside another transaction — a Kysely transaction of
 * this process, waiting on an `await` — whose statements must not be mixed with these; the caller
 * then takes the Kysely path, which waits for that transaction to end.
 */
export function createSqliteRefreshRotation(
  sqlite: BetterSqlite3.Database,
): (tokenHash: string, clientId: string, now: number, replace?: RefreshReplacementBuilder) => RefreshRotation | undefined {
  let statements: ReturnType<typeof prepare> | undefined;

  const rotate = (tokenHash: string, clientId: string, now: number, replace: RefreshReplacementBuilder | undefined): RefreshRotation | undefined => {
    const { spend, findGrant, insertRefreshToken } = (statements ??= prepare(sqlite));
    const won = spend.get({ now, token_hash: tokenHash, client_id: clientId }) as Selectable<RefreshTokensTable> | undefined;
    if (won === undefined) return undefined;
    const token = toRefreshToken(won);
    const grant = toGrant(findGrant.get(won.grant_id) as Selectable<GrantsTable>);
    if (replace !== undefined) {
      const { refreshToken } = replace(token, grant);
      if (refreshToken !== null) insertRefreshToken.run(refreshTokenRow(refreshToken));
    }
    return { outcome: 'rotated', token, grant };
  };
  const rotateInTransaction = sqlite.transaction(rotate);

  return (tokenHash, clientId, now, replace) => {
    if (sqlite.inTransaction) return undefined;
    const rotated = rotateInTransaction.immediate(tokenHash, clientId, now, replace);
    if (rotated !== undefined) return rotated;
    const row = (statements ??= prepare(sqlite)).findRefreshToken.get(tokenHash) as Selectable<RefreshTokensTable> | undefined;
    if (row === undefined || row.client_id !== clientId) return { outcome: 'unknown' };
    if (row.used_at !== null) return { outcome: 'reused', token: toRefreshToken(row) };
    if (row.expires_at <= now) return { outcome: 'expired' };
    return { outcome: 'revoked' };
  };
}

function prepare(sqlite: BetterSqlite3.Database) {
  return {
    // The grant's revocation is part of the condition, so the winner is decided once, atomically.
    spend: sqlite.prepare(
      `UPDATE refresh_tokens SET used_at = @now
       WHERE token_hash = @token_hash AND client_id = @client_id AND used_at IS NULL AND expires_at > @now
         AND EXISTS (SELECT 1 FROM grants WHERE grants.id = refresh_tokens.grant_id AND grants.revoked_at IS NULL)
       RETURNING *`,
    ),
    findGrant: sqlite.prepare('SELECT * FROM grants WHERE id = ?'),
    findRefreshToken: sqlite.prepare('SELECT * FROM refresh_tokens WHERE token_hash = ?'),
    insertRefreshToken: sqlite.prepare(
      `INSERT INTO refresh_tokens (token_hash, grant_id, client_id, scope, created_at, expires_at, used_at)
       VALUES (@token_hash, @grant_id, @client_id, @scope, @created_at, @expires_at, @used_at)`,
    ),
  };
}
