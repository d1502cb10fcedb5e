import { readFileSync } from 'node:fs';
import type { GatewaySettings } from '../resource/gateway-settings.js';
import type { ServerSettings } from '../server/config.js';
import { parseDatabaseUrl } from '../store/index.js';
import { CliError } from './output.js';
import type { MetricsSettings } from './serve-metrics.js';

/** The `--config` file: server settings plus what the CLI flags can also set. */
export interface ConfigFile extends Partial<ServerSettings> {
  port?: number;
  host?: string;
  db?: string;
  /** Master secret; prefer PORTCULLIS_SECRET so the file holds nothing secret. */
  secret?: string;
  /** The gateway in front of an upstream MCP server (docs/gateway.md). */
  gateway?: Partial<GatewaySettings>;
  /** Where `/metrics` is served (docs/operations.md): `port`, `host`, `onMainPort`. */
  metrics?: MetricsSettings;
}

const CLI_KEYS = ['port', 'host', 'db', 'secret', 'gateway', 'metrics'] as const;

/**
 * Reads and parses the file, and checks the keys the flags can also set, naming them as the file
 * does (`"port" in FILE`), not as the flag. The server settings are checked by `serve` before it
 * creates anything (serve-settings.ts).
 */
export function readConfigFile(path: string | undefined): ConfigFile {
  if (path === undefined) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read --config ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--config ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`--config ${path} must hold a JSON object`);
  checkCliKeys(value as Record<string, unknown>, path);
  return value as ConfigFile;
}

function checkCliKeys(config: Record<string, unknown>, path: string): void {
  const { port, host, db, secret, gateway } = config;
  const key = (name: string) => `"${name}" in ${path}`;
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) {
    throw new CliError(`${key('port')} must be a whole number from 0 to 65535 (0 picks a free one), not ${JSON.stringify(port)}`);
  }
  if (host !== undefined && (typeof host !== 'string' || host === ''))
    throw new CliError(`${key('host')} must be an address to listen on, such as "127.0.0.1"`);
  if (db !== undefined) {
    if (typeof db !== 'string') throw new CliError(`${key('db')} must be a string: sqlite:PATH or a postgres:// URL`);
    try {
      parseDatabaseUrl(db, key('db'));
    } catch (error) {
      throw new CliError((error as Error).message);
    }
  }
  if (secret !== undefined && typeof secret !== 'string')
    throw new CliError(`${key('secret')} must be a string (better: leave it out and set PORTCULLIS_SECRET)`);
  if (gateway !== undefined && (typeof gateway !== 'object' || gateway === null || Array.isArray(gateway))) {
    throw new CliError(`${key('gateway')} must be an object; see docs/gateway.md`);
  }
  checkMetricsKey(config['metrics'], key('metrics'));
}

/** `metrics`: an object of `port` (0–65535), `host` (an address) and `onMainPort` (a boolean), nothing else. */
function checkMetricsKey(metrics: unknown, name: string): void {
  if (metrics === undefined) return;
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) {
    throw new CliError(`${name} must be an object such as { "port": 9464 }; see docs/operations.md`);
  }
  const { port, host, onMainPort, ...rest } = metrics as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new CliError(`${name} has an unknown key "${unknown}": port, host and onMainPort are known`);
  if (port !== undefined && !(Number.isInteger(port) && (port as number) >= 0 && (port as number) <= 65535)) {
    throw new CliError(`${name}.port must be a whole number from 0 to 65535, not ${JSON.stringify(port)}`);
  }
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw new CliError(`${name}.host must be an address to listen on, such as "127.0.0.1"`);
  if (onMainPort !== undefined && typeof onMainPort !== 'boolean') throw new CliError(`${name}.onMainPort must be true or false`);
}

/** The server settings part of a config file (without the CLI-only keys). */
export function settingsFrom(config: ConfigFile): Partial<ServerSettings> {
  const settings: Record<string, unknown> = { ...config };
  for (const key of CLI_KEYS) delete settings[key];
  return settings as Partial<ServerSettings>;
}
