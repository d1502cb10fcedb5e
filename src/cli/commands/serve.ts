import { constants as osConstants } from 'node:os';
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
import { DEFAULT_METRICS_HOST, METRICS_PATH, type MetricsExposure, type MetricsSettings, metricsSettingsFrom } from '../serve-metrics.js';
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
  metricsPort?: string;
  metricsHost?: string;
  shutdownTimeout?: string;
  json?: boolean;
}

/** How long a stopping `serve` lets requests finish (`shutdownTimeoutSeconds`, `--shutdown-timeout`). */
export const DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 10;
const MAX_SHUTDOWN_TIMEOUT_SECONDS = 3600;

function parseShutdownTimeout(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_SHUTDOWN_TIMEOUT_SECONDS) {
    throw new CliError(`--shutdown-timeout must be a number of seconds from 0 to ${MAX_SHUTDOWN_TIMEOUT_SECONDS}, not "${value}"`);
  }
  return seconds;
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
    .option('--metrics-port <port>', 'serve /metrics (Prometheus), /healthz and /readyz on this port, off the public one (default: no metrics)')
    .option('--metrics-host <host>', `address the metrics port listens on (default ${DEFAULT_METRICS_HOST}: metrics tell an attacker things)`)
    .option(
      '--shutdown-timeout <seconds>',
      `on SIGTERM/SIGINT, how long requests in flight may take to finish before they are cut (default ${DEFAULT_SHUTDOWN_TIMEOUT_SECONDS})`,
    )
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
        settings: {
          ...settingsFrom(file),
          ...(options.shutdownTimeout !== undefined ? { shutdownTimeoutSeconds: parseShutdownTimeout(options.shutdownTimeout) } : {}),
        },
        gateway,
        metrics: metricsSettingsFrom(options, file.metrics, {
          port: options.port !== undefined ? parsePort(options.port) : (file.port ?? 8080),
          host: options.host ?? file.host ?? '127.0.0.1',
        }),
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
  /** Where `/metrics` is served (serve-metrics.ts); none when undefined. */
  metrics?: MetricsSettings | undefined;
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
    if (options.metrics?.port !== undefined) {
      await checkCanListen({ host: options.metrics.host ?? DEFAULT_METRICS_HOST, port: options.metrics.port, portName: '--metrics-port' });
    }
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
      ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
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
    ...(stack.metrics !== undefined ? { metrics: describeMetrics(stack.metrics, http.url) } : {}),
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
      ...(summary.metrics !== undefined ? [`  metrics    ${summary.metrics.join(', ')}`] : []),
      ...(summary.identityProviders ?? []).map((p) => `  sign-in    ${p.name}: register the redirect URI ${p.callback}`),
      ...(options.describe?.(stack, extra) ?? [
        `Add a user with: portcullis users add NAME --password-stdin${options.dbFromFlag ? ` --db ${options.db}` : ''}`,
      ]),
    ].join('\n'),
  );
  const graceSeconds = options.settings.shutdownTimeoutSeconds ?? DEFAULT_SHUTDOWN_TIMEOUT_SECONDS;
  stopOnSignals(logger, graceSeconds, async () => {
    const result = await stack.shutdown(graceSeconds * 1000);
    await store.close();
    await options.onClose?.();
    return result;
  });
}

/**
 * SIGTERM (what orchestrators send before SIGKILL) or SIGINT (Ctrl-C) stops the server gracefully
 * and exits 0; one line is logged when it starts and one when it is done. A second signal while
 * stopping exits at once with 128 + the signal's number, as a shell reports a process killed by it.
 */
function stopOnSignals(logger: ReturnType<typeof createLogger>, graceSeconds: number, stop: () => Promise<{ unfinished: number; streamsEnded: number }>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ event: 'shutdown_forced', signal }, `${signal} again: exiting without waiting for requests in flight`);
      process.exit(128 + (osConstants.signals[signal] ?? 0));
    }
    stopping = true;
    const started = performance.now();
    // Logged once the listener is closed (stop's first, synchronous step), so the line is true when read.
    const stopped = stop();
    logger.info(
      { event: 'shutdown_started', signal, grace_seconds: graceSeconds },
      `${signal}: shutting down; no new connections, requests in flight get up to ${graceSeconds} s to finish`,
    );
    stopped.then(
      ({ unfinished, streamsEnded }) => {
        const ms = Math.round(performance.now() - started);
        if (unfinished > 0)
          logger.warn({ event: 'shutdown_requests_cut', unfinished }, `${unfinished} request(s) did not finish within ${graceSeconds} s and were cut`);
        logger.info({ event: 'shutdown_finished', ms, unfinished, streams_ended: streamsEnded }, `shut down in ${ms} ms`);
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ event: 'shutdown_failed', detail: String(error) }, 'shutting down failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Where the metrics are, for the startup summary: the metrics port's URL and/or the main port's. */
function describeMetrics(exposure: MetricsExposure, mainUrl: string): string[] {
  return [...(exposure.url !== undefined ? [exposure.url] : []), ...(exposure.onMainPort ? [`${mainUrl}${METRICS_PATH} (public port)`] : [])];
}
