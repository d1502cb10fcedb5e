import type { Command } from 'commander';
import type { GatewaySettings } from '../../resource/gateway-settings.js';
import { ConfigError } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import type { Store } from '../../store/types.js';
import { readConfigFile, settingsFrom } from '../config-file.js';
import { DEFAULT_SERVER_DB, SERVER_DB_HELP } from '../database-option.js';
import { checkCanListen, type ListenTarget, listenFailure } from '../listen-check.js';
import { chooseLogFormat } from '../log-format.js';
import { findMasterSecrets, masterSecretsFrom } from '../master-secret.js';
import { CliError, printResult } from '../output.js';
import { checkServeSettings } from '../serve-settings.js';
import { type ServeStack, startServeStack } from '../serve-stack.js';
import { openCliStore } from '../with-store.js';

interface ServeOptions {
  port?: string;
  host?: string;
  issuer?: string;
  db?: string;
  upstream?: string;
  resource?: string;
  config?: string;
  json?: boolean;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a number from 0 to 65535, not "${value}"`);
  return port;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the authorization server, and with --upstream the gateway in front of an MCP server')
    .option('--port <port>', 'port to listen on (0 picks a free one)', undefined)
    .option('--host <host>', 'address to listen on', undefined)
    .option('--issuer <url>', 'public https URL of this server (http only on loopback); default http://HOST:PORT')
    // No commander default: the config file's `db` comes between the flag and the default.
    .option('--db <url>', `${SERVER_DB_HELP} (default ${DEFAULT_SERVER_DB})`)
    .option('--upstream <url>', 'protect this Streamable HTTP MCP endpoint, e.g. http://127.0.0.1:3000/mcp')
    .option('--resource <url>', 'public URL of the protected MCP endpoint (default <issuer>/mcp)')
    .option('--config <file>', 'JSON config file (see docs/configuration.md)')
    .option('--json', 'print the startup summary and the logs as JSON (logs are JSON anyway when not on a terminal)')
    .action(async (options: ServeOptions) => {
      const file = readConfigFile(options.config);
      const inFile = (key: string) => `"${key}" in ${options.config}`;
      const upstream = options.upstream ?? file.gateway?.upstream;
      if (options.resource !== undefined && upstream === undefined) throw new CliError("--resource names the gateway's MCP endpoint: give --upstream too");
      const gateway: GatewaySettings | undefined =
        upstream === undefined ? undefined : { ...file.gateway, upstream, ...(options.resource !== undefined ? { resource: options.resource } : {}) };
      await runServer({
        port: options.port !== undefined ? parsePort(options.port) : (file.port ?? 8080),
        portName: options.port === undefined && file.port !== undefined ? inFile('port') : '--port',
        host: options.host ?? file.host ?? '127.0.0.1',
        issuer: options.issuer ?? file.issuer,
        db: options.db ?? file.db ?? DEFAULT_SERVER_DB,
        dbName: options.db === undefined && file.db !== undefined ? inFile('db') : '--db',
        dbFromFlag: options.db !== undefined,
        configSecret: file.secret,
        settings: settingsFrom(file),
        gateway,
        json: Boolean(options.json),
      });
    });
}

export interface RunServerOptions {
  port: number;
  /** How the port was given, for messages (default `--port`). */
  portName?: string;
  /** Said after a port-in-use message (the demo says how to pass `--port` through `npm start`). */
  portHint?: string;
  host: string;
  issuer: string | undefined;
  db: string;
  /** How the database was given, for messages (default `--db`). */
  dbName?: string;
  dbFromFlag: boolean;
  configSecret: string | undefined;
  settings: ReturnType<typeof settingsFrom>;
  gateway: GatewaySettings | undefined;
  json: boolean;
  /** Runs once everything listens, before the summary is printed (the demo adds its user here). */
  onReady?: (stack: ServeStack, store: Store) => Promise<Record<string, unknown>>;
  /** Extra lines for the human summary. */
  describe?: (stack: ServeStack, extra: Record<string, unknown>) => string[];
  onClose?: () => Promise<void>;
}

/**
 * Checks everything, then opens the store, starts the stack, prints the summary, and shuts down
 * cleanly on SIGINT/SIGTERM. Nothing is created (database, secret file) until every setting, the
 * master secret and the port have passed.
 */
export async function runServer(options: RunServerOptions): Promise<void> {
  const listenTarget: ListenTarget = {
    host: options.host,
    port: options.port,
    portName: options.portName ?? '--port',
    ...(options.portHint !== undefined ? { hint: options.portHint } : {}),
  };
  let store: Store | undefined;
  let stack: ServeStack;
  let logger: ReturnType<typeof createLogger>;
  try {
    checkServeSettings({ settings: options.settings, host: options.host, issuer: options.issuer, gateway: options.gateway });
    const found = findMasterSecrets({ configSecret: options.configSecret, db: options.db });
    await checkCanListen(listenTarget);
    logger = createLogger({
      format: chooseLogFormat({ json: options.json, stdoutIsTTY: Boolean(process.stdout.isTTY), stderrIsTTY: Boolean(process.stderr.isTTY) }),
    });
    store = await openCliStore(options.db, { mustExist: false, name: options.dbName ?? '--db' });
    const secrets = masterSecretsFrom(found, (message) => logger.warn({ event: 'secret_created' }, message));
    stack = await startServeStack({
      store,
      secrets,
      logger,
      port: options.port,
      host: options.host,
      ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
      settings: options.settings,
      ...(options.gateway !== undefined ? { gateway: options.gateway } : {}),
    });
  } catch (error) {
    await store?.close();
    await options.onClose?.();
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw listenFailure(error, listenTarget);
  }
  const { server, http, gateway } = stack;
  const extra = (await options.onReady?.(stack, store)) ?? {};
  const summary = {
    listening: http.url,
    issuer: server.config.issuer,
    metadata: `${server.config.issuerUrl.origin}${server.paths.authorizationServerMetadata}`,
    resources: server.config.resources.map((r) => r.uri),
    ...(gateway !== undefined ? { mcp: gateway.resource, upstream: options.gateway!.upstream } : {}),
    database: store.dialect,
    // Each provider must have exactly this redirect URI registered for Portcullis's client.
    ...(server.identityProviders.length > 0
      ? { identityProviders: server.identityProviders.map((p) => ({ id: p.id, name: p.name, callback: p.callbackUrl })) }
      : {}),
    ...extra,
  };
  printResult(options.json, summary, () =>
    [
      `Portcullis is listening on ${summary.listening}`,
      `  issuer     ${summary.issuer}`,
      `  metadata   ${summary.metadata}`,
      `  resources  ${summary.resources.join(', ')}`,
      ...(gateway !== undefined ? [`  mcp        ${gateway.resource} → ${options.gateway!.upstream}`] : []),
      `  database   ${summary.database}`,
      ...(summary.identityProviders ?? []).map((p) => `  sign-in    ${p.name}: register the redirect URI ${p.callback}`),
      ...(options.describe?.(stack, extra) ?? [
        `Add a user with: portcullis users add NAME --password-stdin${options.dbFromFlag ? ` --db ${options.db}` : ''}`,
      ]),
    ].join('\n'),
  );
  const shutdown = async () => {
    await stack.close();
    await store.close();
    await options.onClose?.();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
