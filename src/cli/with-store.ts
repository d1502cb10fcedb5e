import { openStore, type Store } from '../store/index.js';

/** Opens the store named by `--db`, runs `work`, and always closes it. */
export async function withStore<T>(db: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
