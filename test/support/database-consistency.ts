/**
 * Reads a Portcullis database directly (SQLite file or PostgreSQL), as an operator would after a
 * crash: the grants' refresh generations, rows that point at nothing, and SQLite's own integrity
 * check. Plain SQL that both dialects run.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

type Row = Record<string, unknown>;

async function query(db: string, sql: string): Promise<Row[]> {
  if (db.startsWith('sqlite:')) {
    const sqlite = new BetterSqlite3(db.slice('sqlite:'.length), { fileMustExist: true });
    try {
      return sqlite.prepare(sql).all() as Row[];
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
  }
}

export interface StoredGrant {
  id: string;
  clientId: string;
  generation: number | null;
  revoked: boolean;
}

/** Every grant row. */
export async function storedGrants(db: string): Promise<Map<string, StoredGrant>> {
  const rows = await query(db, 'SELECT id, client_id, refresh_generation, revoked_at FROM grants');
  return new Map(
    rows.map((row) => [
      String(row['id']),
      {
        id: String(row['id']),
        clientId: String(row['client_id']),
        generation: row['refresh_generation'] === null ? null : Number(row['refresh_generation']),
        revoked: row['revoked_at'] !== null,
      },
    ]),
  );
}

/** Rows whose user, client or grant does not exist, by what they are (empty when consistent). */
const ORPHANS: Readonly<Record<string, string>> = {
  'grants without their client': 'SELECT count(*) AS n FROM grants g WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.client_id = g.client_id)',
  'grants without their user': 'SELECT count(*) AS n FROM grants g WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = g.user_id)',
  'codes without their client or user':
    'SELECT count(*) AS n FROM authorization_codes a WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.client_id = a.client_id) OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = a.user_id)',
  'spent codes without their grant':
    'SELECT count(*) AS n FROM authorization_codes a WHERE a.consumed_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.id = a.grant_id)',
  'revoked access tokens without their grant': 'SELECT count(*) AS n FROM access_tokens t WHERE NOT EXISTS (SELECT 1 FROM grants g WHERE g.id = t.grant_id)',
  'consents without their client or user':
    'SELECT count(*) AS n FROM consents k WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.client_id = k.client_id) OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = k.user_id)',
  'sessions without their user': 'SELECT count(*) AS n FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id)',
};

export async function orphanRows(db: string): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const [what, sql] of Object.entries(ORPHANS)) {
    const n = Number((await query(db, sql))[0]?.['n'] ?? 0);
    if (n > 0) found[what] = n;
  }
  return found;
}

/** SQLite's `PRAGMA integrity_check`: `['ok']` for a sound file. */
export async function sqliteIntegrity(db: string): Promise<string[]> {
  return (await query(db, 'PRAGMA integrity_check')).map((row) => String(Object.values(row)[0]));
}
