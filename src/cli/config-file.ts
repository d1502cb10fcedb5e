import { readFileSync } from 'node:fs';
import type { GatewaySettings } from '../resource/gateway-settings.js';
import type { ServerSettings } from '../server/config.js';
import { CliError } from './output.js';

/** The `--config` file: server settings plus what the CLI flags can also set. */
export interface ConfigFile extends Partial<ServerSettings> {
  port?: number;
  host?: string;
  db?: string;
  /** Master secret; prefer PORTCULLIS_SECRET so the file holds nothing secret. */
  secret?: string;
  /** The gateway in front of an upstream MCP server (docs/gateway.md). */
  gateway?: Partial<GatewaySettings>;
}

const CLI_KEYS = ['port', 'host', 'db', 'secret', 'gateway'] as const;

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
  return value as ConfigFile;
}

/** The server settings part of a config file (without the CLI-only keys). */
export function settingsFrom(config: ConfigFile): Partial<ServerSettings> {
  const settings: Record<string, unknown> = { ...config };
  for (const key of CLI_KEYS) delete settings[key];
  return settings as Partial<ServerSettings>;
}
