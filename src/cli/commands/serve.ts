import type { Command } from 'commander';
import { createAuthorizationServer, type AuthorizationServer } from '../../server/app.js';
import { ConfigError } from '../../server/config.js';
import { listen } from '../../server/listen.js';
import { createLogger } from '../../server/logger.js';
import { openStore } from '../../store/index.js';
import { readConfigFile, settingsFrom } from '../config-file.js';
import { loadMasterSecrets } from '../master-secret.js';
import { CliError, printResult } from '../output.js';

interface ServeOptions {
  port?: string;
  host?: string;
  issuer?: string;
  db?: string;
  config?: string;
  json?: boolean;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a number from 0 to 65535, not "${value}"`);
  return port;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the authorization server')
    .option('--port <port>', 'port to listen on (0 picks a free one)', undefined)
    .option('--host <host>', 'address to listen on', undefined)
    .option('--issuer <url>', 'public https URL of this server (http only on loopback); default http://HOST:PORT')
    .option('--db <url>', 'sqlite:PATH or postgres://… (default sqlite:./portcullis.db)')
    .option('--config <file>', 'JSON config file (see docs/configuration.md)')
    .option('--json', 'print the startup summary as JSON')
    .action(async (options: ServeOptions) => {
      const file = readConfigFile(options.config);
      const port = parsePort(options.port ?? String(file.port ?? 8080));
      const host = options.host ?? file.host ?? '127.0.0.1';
      const db = options.db ?? file.db ?? 'sqlite:./portcullis.db';
      const logger = createLogger();
      const secrets = loadMasterSecrets({ configSecret: file.secret, db, notice: (message) => logger.warn({ event: 'secret_created' }, message) });
      const store = await openStore(db);

      // Listen first so that `--port 0` can name its real port in the default issuer.
      let server: AuthorizationServer | undefined;
      const http = await listen((request, env) => (server ? server.app.fetch(request, env) : new Response('starting', { status: 503 })), { port, host });
      const issuer = options.issuer ?? file.issuer ?? defaultIssuer(host, http.port);
      try {
        server = await createAuthorizationServer({ settings: { ...settingsFrom(file), issuer }, store, secrets, logger });
      } catch (error) {
        await http.close();
        await store.close();
        if (error instanceof ConfigError) throw new CliError(error.message);
        throw error;
      }
      const summary = {
        listening: http.url,
        issuer: server.config.issuer,
        metadata: `${server.config.issuerUrl.origin}${server.paths.authorizationServerMetadata}`,
        resources: server.config.resources.map((r) => r.uri),
        database: store.dialect,
      };
      printResult(Boolean(options.json), summary, () =>
        [
          `Portcullis is listening on ${summary.listening}`,
          `  issuer     ${summary.issuer}`,
          `  metadata   ${summary.metadata}`,
          `  resources  ${summary.resources.join(', ')}`,
          `  database   ${summary.database}`,
          `Add a user with: portcullis users add NAME --password-stdin${options.db ? ` --db ${db}` : ''}`,
        ].join('\n'),
      );
      const shutdown = async () => {
        server?.close();
        await http.close();
        await store.close();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}

function defaultIssuer(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') {
    throw new CliError(`listening on ${host} needs --issuer with the public https URL clients use (see README: behind a TLS proxy)`);
  }
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
