import { join } from 'node:path';
import { CLI_MAIN, runCli } from '../../test/support/cli-process.js';
import { type BenchChild, startBenchChild } from '../support/bench-child.js';

/** A running `portcullis serve`: the real CLI process, as a deployment runs it. */
export interface ServeInstance {
  readonly child: BenchChild;
  /** Where it listens, `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly issuer: string;
  /** The resource it issues tokens for (`<issuer>/mcp` by default). */
  readonly resource: string;
}

export interface ServeInstanceOptions {
  name: string;
  /** Repository root: `--import tsx` resolves from there. */
  cwd: string;
  /** `--db`: `sqlite:PATH` or a `postgres://` URL. */
  db: string;
  /** `--issuer`, for instances behind the proxy (the proxy's origin); default http://127.0.0.1:PORT. */
  issuer?: string;
  /** PORTCULLIS_SECRET: the same for every instance of one database. */
  secret: string;
  /** Its logs (stderr, JSON lines at the default level `info`) go to this file. */
  logDir: string;
}

interface ServeSummary {
  listening: string;
  issuer: string;
  resources: string[];
}

/**
 * Starts `node --import tsx src/cli/main.ts serve --port 0 --json` (tsx, as the other benchmarks
 * and the CLI tests run the source: there is no build step in the benchmark) and waits for the
 * JSON summary it prints on stdout once it listens.
 */
export async function startServeInstance(options: ServeInstanceOptions): Promise<ServeInstance> {
  const args = ['--import', 'tsx', CLI_MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', options.db, '--json'];
  if (options.issuer !== undefined) args.push('--issuer', options.issuer);
  const child = startBenchChild({
    name: options.name,
    command: process.execPath,
    args,
    cwd: options.cwd,
    env: { PORTCULLIS_SECRET: options.secret, NODE_ENV: 'production' },
    stderrFile: join(options.logDir, `${options.name}.log`),
  });
  // The summary is pretty-printed JSON: collect from the line `{` to the line `}`.
  let collected: string[] | undefined;
  const summary = await child.waitForLine<ServeSummary>('startup summary', (line) => {
    if (line === '{') collected = [];
    if (collected === undefined) return undefined;
    collected.push(line);
    return line === '}' ? (JSON.parse(collected.join('\n')) as ServeSummary) : undefined;
  });
  const resource = summary.resources[0];
  if (resource === undefined) throw new Error(`${options.name}: the summary names no resource`);
  return { child, url: summary.listening, issuer: summary.issuer, resource };
}

export interface SeededAccount {
  clientId: string;
  redirectUri: string;
  username: string;
  password: string;
}

/** A loopback redirect URI (RFC 8252 §7.3) nobody listens on: the client only reads the Location. */
const REDIRECT_URI = 'http://127.0.0.1:53124/callback';

/**
 * Adds the benchmark's user and public client with the real CLI (`users add --password-stdin`,
 * `clients add --public`), before any instance starts.
 */
export async function seedAccount(db: string, secret: string): Promise<SeededAccount> {
  const account = { clientId: 'bench-flow-client', redirectUri: REDIRECT_URI, username: 'bench-user', password: 'bench-flow-password-0123456789' };
  const env = { PORTCULLIS_SECRET: secret };
  const user = await runCli(['users', 'add', account.username, '--password-stdin', '--db', db, '--json'], env, `${account.password}\n`);
  if (user.code !== 0) throw new Error(`users add failed (${user.code}): ${user.stderr.trim()}`);
  const client = await runCli(
    ['clients', 'add', '--public', '--name', 'Flow benchmark', '--redirect-uri', REDIRECT_URI, '--client-id', account.clientId, '--db', db, '--json'],
    env,
  );
  if (client.code !== 0) throw new Error(`clients add failed (${client.code}): ${client.stderr.trim()}`);
  return account;
}
