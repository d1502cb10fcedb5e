/**
 * `portcullis serve` as a child process, as an operator runs it, for tests of what happens to the
 * process itself (signals, SIGKILL and restart): started through the real CLI, ready once its
 * JSON startup summary is printed.
 */
import http from 'node:http';
import { randomSecret } from '../../src/core/secrets.js';
import { hashPassword } from '../../src/server/browser/password-hash.js';
import { openStore } from '../../src/store/index.js';
import { eventually, type RunningCli, startCli } from './cli-process.js';
import { TEST_SECRET } from './server.js';

export interface ServeProcess {
  readonly cli: RunningCli;
  /** `http://127.0.0.1:PORT`, the issuer. */
  readonly url: string;
  readonly port: number;
  /** The JSON startup summary. */
  readonly summary: Record<string, unknown>;
}

/**
 * Starts `portcullis serve --json --port PORT --db DB ...args` with the test master secret and
 * waits for its summary on stdout. Rejects with the process's stderr if it exits or says nothing
 * within `ms`.
 */
export async function startServeProcess(options: { db: string; port?: number; args?: string[]; ms?: number }): Promise<ServeProcess> {
  const cli = startCli(['serve', '--json', '--port', String(options.port ?? 0), '--db', options.db, ...(options.args ?? [])], {
    PORTCULLIS_SECRET: TEST_SECRET,
    PORTCULLIS_LOG_LEVEL: 'info',
  });
  let exited = false;
  void cli.exited.then(() => (exited = true));
  const parse = () => {
    try {
      return JSON.parse(cli.stdout()) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  const summary = await eventually(parse, (value) => value !== undefined || exited, options.ms ?? 30_000);
  if (summary === undefined || typeof summary['listening'] !== 'string') {
    cli.child.kill('SIGKILL');
    throw new Error(`serve did not start: ${cli.stderr()}`);
  }
  const url = summary['listening'];
  return { cli, url, port: Number(new URL(url).port), summary };
}

/** Adds a local user straight to the database, before a server runs on it; returns its id. */
export async function addUserToDatabase(db: string, username: string, password: string): Promise<string> {
  const store = await openStore(db);
  try {
    const id = randomSecret(12);
    await store.users.create({ id, username, passwordHash: await hashPassword(password), createdAt: Math.floor(Date.now() / 1000) });
    return id;
  } finally {
    await store.close();
  }
}

export interface HeldRequest {
  /** Sends the rest of the body and resolves with the answer. */
  finish(): Promise<{ status: number; body: Record<string, unknown> }>;
}

/**
 * Starts a form POST and sends only the first half of its body, on a connection of its own, so
 * the request is in flight at the server (headers read, body awaited) for as long as the test
 * wants. Resolves once the first half is written.
 */
export async function holdFormPost(url: string, form: Record<string, string>): Promise<HeldRequest> {
  const body = Buffer.from(new URLSearchParams(form).toString());
  const half = Math.floor(body.length / 2);
  const request = http.request(url, {
    method: 'POST',
    agent: false,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
  });
  const answer = new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    request.once('error', reject);
    request.once('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          parsed = { raw: text };
        }
        resolve({ status: response.statusCode ?? 0, body: parsed });
      });
    });
  });
  // An unhandled rejection would end the test run before `finish` is awaited.
  answer.catch(() => {});
  await new Promise<void>((resolve, reject) => request.write(body.subarray(0, half), (error) => (error ? reject(error) : resolve())));
  return {
    finish() {
      request.end(body.subarray(half));
      return answer;
    },
  };
}
