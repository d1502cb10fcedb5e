/**
 * Another process of the same MCP client app, sharing the client store: it connects an MCP SDK
 * client through `createMcpOAuth`, and when told to go, moves its clock past the access token's
 * expiry and makes `calls` concurrent tool calls. The parent counts what reached the
 * authorization server.
 *
 * Parent side: `startClientRacer(...)`; child side: this file run with `--import tsx`.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';
import { TestClock } from './clock.js';
import { connectSdkClient, newProvider, textOf } from './mcp-client.js';

export interface ClientRacerJob {
  storeUrl: string;
  mcpUrl: string;
  userId: string;
  calls: number;
  /** How far the clock moves before the calls. */
  advanceSeconds: number;
}

export interface ClientRacerResult {
  ok: boolean;
  /** The text of each call's result. */
  results: string[];
  error?: string;
}

export interface ClientRacer {
  ready: Promise<void>;
  go(): void;
  done: Promise<ClientRacerResult>;
}

export function startClientRacer(job: ClientRacerJob): ClientRacer {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(job)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let result: ClientRacerResult | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`client racer exited with ${code} before it was ready`)));
  });
  const done = new Promise<ClientRacerResult>((resolve, reject) => {
    child.on('message', (message) => {
      if (typeof message === 'object' && message !== null && 'ok' in message) result = message as ClientRacerResult;
    });
    child.once('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`client racer exited with ${code} and no result`))));
  });
  return { ready, go: () => child.send('go'), done };
}

async function race(job: ClientRacerJob): Promise<void> {
  const store = await openStore(job.storeUrl);
  const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  const clock = new TestClock();
  try {
    const { oauth } = newProvider({ store: store.mcpClient, userId: job.userId, serverUrl: job.mcpUrl, clock });
    const { client } = await connectSdkClient(oauth, job.mcpUrl);
    await send('ready');
    await new Promise((resolve) => process.once('message', resolve));
    clock.advance(job.advanceSeconds);
    try {
      const results = await Promise.all(Array.from({ length: job.calls }, () => client.callTool({ name: 'list_notes', arguments: {} }).then(textOf)));
      await send({ ok: true, results } satisfies ClientRacerResult);
    } catch (error) {
      await send({ ok: false, results: [], error: String(error) } satisfies ClientRacerResult);
    }
    await client.close();
  } finally {
    await store.close();
    process.disconnect();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await race(JSON.parse(process.argv[2]!) as ClientRacerJob);
}
