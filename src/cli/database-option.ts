/** `--db` of the server-side commands (the client side's is in client-context.ts). */
export const DEFAULT_SERVER_DB = 'sqlite:./portcullis.db';

/** Help text; commander adds `(default: …)` itself where the option has a default. */
export const SERVER_DB_HELP = 'sqlite:PATH or postgres://…';
