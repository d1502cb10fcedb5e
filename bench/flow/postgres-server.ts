import pg from 'pg';
import { POSTGRES_ADMIN_URL } from '../../test/support/stores.js';

/** The PostgreSQL server as the benchmark sees it: its processes and how it commits. */

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The backends (server processes) connected to the database of `url`, other than this query's. */
export function postgresBackendPids(url: string): Promise<number[]> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  return withAdminClient(async (client) => {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    return rows.map((row) => row.pid);
  });
}

/**
 * What decides the cost of a commit: with `synchronous_commit` and `fsync` on, every transaction
 * waits for its WAL to reach the disk, so a flow's few commits are bounded by the disk's flush
 * latency rather than by CPU.
 */
export function postgresCommitSettings(): Promise<Record<string, string>> {
  return withAdminClient(async (client) => {
    const settings: Record<string, string> = {};
    for (const name of ['server_version', 'synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay']) {
      const { rows } = await client.query<Record<string, string>>(`SHOW ${name}`);
      settings[name] = Object.values(rows[0] ?? {})[0] ?? '';
    }
    return settings;
  });
}
