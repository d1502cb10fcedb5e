/**
 * The round-robin proxy (bench/support/round-robin-proxy.ts) as a process of its own, so its CPU
 * is counted apart from the servers' and the load driver's.
 *
 *   node --import tsx bench/flow/proxy-process.ts --port P --backend http://127.0.0.1:A [--backend …]
 *
 * Prints {"flowServer":{"url":…}} once it listens; on SIGTERM or when stdin closes it prints
 * {"proxyForwarded":[n, …]} (requests per backend) and exits.
 */
import { parseArgs } from 'node:util';
import { startRoundRobinProxy } from '../support/round-robin-proxy.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { port: { type: 'string', default: '0' }, backend: { type: 'string', multiple: true, default: [] } },
  strict: true,
});
const proxy = await startRoundRobinProxy({ backends: values.backend, port: Number(values.port) });
process.stdout.write(`${JSON.stringify({ flowServer: { url: proxy.url } })}\n`);

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  process.stdout.write(`${JSON.stringify({ proxyForwarded: proxy.forwarded })}\n`);
  void proxy.close().then(() => process.exit(0));
};
process.stdin.on('end', shutdown).resume();
process.once('SIGTERM', shutdown);
