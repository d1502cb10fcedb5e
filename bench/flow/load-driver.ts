/**
 * The load generator of bench/flow.ts, in its own process so its CPU is apart from the servers'
 * and from the orchestrator's. Protocol, one JSON line each way:
 *
 *   stdin  {"setup":{"target":FlowTarget,"connections":N}}   sign in N connections
 *   stdout {"driverReady":{"connections":N}}
 *   stdin  {"run":{"warmupSeconds":W,"durationSeconds":D}}   may be sent again (a re-measurement)
 *   stdout {"driverMeasuring":{}}        the warm-up is over: the parent reads /proc now
 *   stdout {"driverMeasured":{}}         the window is over: and now
 *   stdout {"driverResult":FlowLoadResult}
 *
 * Closing stdin ends it. Each connection runs flows back to back (a closed loop): as many flows in
 * flight as connections.
 *
 *   node --import tsx bench/flow/load-driver.ts
 */
import { createInterface } from 'node:readline';
import { FlowConnection, type FlowTarget } from './flow-connection.js';
import { type FlowLoadResult, runFlowLoad } from './flow-load.js';

interface SetupMessage {
  setup: { target: FlowTarget; connections: number };
}
interface RunMessage {
  run: { warmupSeconds: number; durationSeconds: number };
}

function write(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

let connections: FlowConnection[] = [];
let queue = Promise.resolve();

async function handle(message: Partial<SetupMessage & RunMessage>): Promise<void> {
  if (message.setup !== undefined) {
    const { target, connections: count } = message.setup;
    connections = Array.from({ length: count }, () => new FlowConnection(target));
    // One after the other: the login page hashes a password, and nothing here is timed.
    for (const connection of connections) await connection.signIn();
    write({ driverReady: { connections: connections.length } });
  } else if (message.run !== undefined) {
    const result: FlowLoadResult = await runFlowLoad(connections, {
      warmupMs: message.run.warmupSeconds * 1000,
      durationMs: message.run.durationSeconds * 1000,
      onMeasuring: () => write({ driverMeasuring: {} }),
      onMeasured: () => write({ driverMeasured: {} }),
    });
    write({ driverResult: result });
  }
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    queue = queue
      .then(() => handle(JSON.parse(line) as Partial<SetupMessage & RunMessage>))
      .catch((error: unknown) => {
        process.stderr.write(`load driver: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      });
  })
  .on('close', () => {
    void queue.finally(() => {
      for (const connection of connections) connection.close();
      process.exit(0);
    });
  });
