import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { startBenchChild } from '../support/bench-child.js';
import { probeMachineLoad, waitForQuietMachine } from '../support/machine-load.js';
import type { CaseContext, RunningCase } from './flow-cases.js';
import type { FlowLoadResult } from './flow-load.js';

export interface MeasureOptions {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Measurements taken again when other processes took more than BUSY_SHARE of the CPUs. */
  busyRetries: number;
  /** How long to wait for a quiet machine before each measurement. */
  quietTimeoutSeconds: number;
  log: (message: string) => void;
}

/** One measurement of one case: the driver's figures and where the CPU went. */
export interface CaseMeasurement extends FlowLoadResult {
  /** CPU time (user + system, all threads) of the server processes per good flow, µs. */
  serverCpuUsPerFlow: number;
  /** Of the database's own processes (PostgreSQL backends; 0 for SQLite, which runs in the server), per good flow, µs. */
  databaseCpuUsPerFlow: number;
  /** Of the proxy, per good flow, µs (0 without a proxy). */
  proxyCpuUsPerFlow: number;
  /** The load driver's CPU use, as a share of one CPU. */
  driverCpuShare: number;
  /** Every benchmark process together, as a share of all the machine's CPUs. */
  benchmarkCpuShare: number;
  /** What processes outside the benchmark took, as a share of all CPUs. */
  otherShare: number;
  attempts: number;
}

export const BUSY_SHARE = 0.05;

/**
 * Starts the load driver, signs its connections in, and measures (again, up to `busyRetries`
 * times, if other processes took CPU meanwhile; the connections keep their sessions).
 */
export async function measureCase(running: RunningCase, context: CaseContext, name: string, options: MeasureOptions): Promise<CaseMeasurement> {
  const driver = startBenchChild({
    name: `${name}-driver`,
    command: process.execPath,
    args: ['--import', 'tsx', 'bench/flow/load-driver.ts'],
    cwd: context.cwd,
    stderrFile: join(context.logDir, `${name}-driver.log`),
  });
  try {
    driver.send(JSON.stringify({ setup: { target: running.target, connections: options.connections } }));
    await driver.nextMessage('driverReady', 120_000);
    // The processes that live as long as the case. PostgreSQL backends are probed one by one: a
    // pool closes idle connections, and a probe of a process that ended yields nothing at all.
    const ours = [...running.serverPids, ...(running.proxyPid === undefined ? [] : [running.proxyPid]), driver.pid, process.pid];
    let measurement: CaseMeasurement | undefined;
    for (let attempt = 1; attempt <= options.busyRetries + 1; attempt++) {
      const quiet = await waitForQuietMachine(ours, BUSY_SHARE, options.quietTimeoutSeconds * 1000, (share) =>
        options.log(`  waiting for a quiet machine (other processes use ${(share * 100).toFixed(0)} % of the CPUs)`),
      );
      if (!quiet) options.log(`  the machine did not get quiet within ${options.quietTimeoutSeconds} s; measuring anyway`);
      // After the first attempt the connections are warm; one second re-warms the servers' caches.
      driver.send(JSON.stringify({ run: { warmupSeconds: attempt === 1 ? options.warmupSeconds : 1, durationSeconds: options.durationSeconds } }));
      await driver.nextMessage('driverMeasuring', (options.warmupSeconds + 30) * 1000);
      // The servers' pools have opened their connections during the warm-up.
      const databaseProbes = (await running.databasePids()).map((pid) => ({ pid, probe: probeMachineLoad([pid]) }));
      const probe = probeMachineLoad(ours);
      await driver.nextMessage('driverMeasured', (options.durationSeconds + 30) * 1000);
      const load = probe.finish();
      // A backend that closed during the window is left out (its CPU counts as another process's).
      const databaseCpu = databaseProbes.reduce((sum, { pid, probe }) => sum + (probe.finish()?.cpuSeconds.get(pid) ?? 0), 0);
      const result = await driver.nextMessage<FlowLoadResult>('driverResult', 60_000);
      measurement = withCpu(result, load, running, databaseCpu, driver.pid, attempt);
      const failed = Object.keys(result.failures).length > 0;
      if (failed || measurement.otherShare <= BUSY_SHARE || attempt > options.busyRetries) break;
      options.log(`  other processes took ${(measurement.otherShare * 100).toFixed(0)} % of the CPUs: measuring again`);
    }
    return measurement!;
  } finally {
    await driver.stop();
  }
}

function withCpu(
  result: FlowLoadResult,
  load: ReturnType<ReturnType<typeof probeMachineLoad>['finish']>,
  running: RunningCase,
  databaseCpu: number,
  driverPid: number,
  attempts: number,
): CaseMeasurement {
  const seconds = (pid: number | undefined) => (pid === undefined ? 0 : (load?.cpuSeconds.get(pid) ?? 0));
  const perFlow = (cpu: number) => (result.flows === 0 ? 0 : (cpu / result.flows) * 1e6);
  const serverCpu = running.serverPids.reduce((sum, pid) => sum + seconds(pid), 0);
  const allCpu = (load === undefined ? 0 : [...load.cpuSeconds.values()].reduce((a, b) => a + b, 0)) + databaseCpu;
  const machineSeconds = result.seconds * availableParallelism();
  return {
    ...result,
    serverCpuUsPerFlow: perFlow(serverCpu),
    databaseCpuUsPerFlow: perFlow(databaseCpu),
    proxyCpuUsPerFlow: perFlow(seconds(running.proxyPid)),
    driverCpuShare: seconds(driverPid) / result.seconds,
    benchmarkCpuShare: allCpu / machineSeconds,
    otherShare: Math.max(0, (load?.otherShare ?? 0) - databaseCpu / machineSeconds),
    attempts,
  };
}
