import { readFileSync } from 'node:fs';

/**
 * Where the CPU went while a phase ran (Linux, from /proc): how much our processes used, and how
 * much went to other processes. On a 2-CPU machine the load generator and the server take both
 * CPUs, so anything else that runs — a test suite, a build — takes CPU from one of them and the
 * figures mean little (CPU time per request too: virtual CPUs may share a physical core).
 */
export interface MachineLoad {
  /** Share of all CPUs' time spent in processes other than `pids`, 0–1. */
  otherShare: number;
  /** CPU seconds (user + system) each of `pids` used. */
  cpuSeconds: Map<number, number>;
}

export interface MachineLoadProbe {
  /** What happened since the probe started; undefined off Linux. */
  finish(): MachineLoad | undefined;
}

interface Snapshot {
  busy: number;
  total: number;
  perProcess: Map<number, number>;
}

/** Linux reports these times in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

export function probeMachineLoad(pids: readonly number[]): MachineLoadProbe {
  const start = snapshot(pids);
  return {
    finish() {
      const end = snapshot(pids);
      if (start === undefined || end === undefined || end.total <= start.total) return undefined;
      const cpuSeconds = new Map(pids.map((pid) => [pid, (end.perProcess.get(pid)! - start.perProcess.get(pid)!) / TICKS_PER_SECOND]));
      const oursTicks = [...cpuSeconds.values()].reduce((a, b) => a + b, 0) * TICKS_PER_SECOND;
      return { otherShare: Math.max(0, (end.busy - start.busy - oursTicks) / (end.total - start.total)), cpuSeconds };
    },
  };
}

function snapshot(pids: readonly number[]): Snapshot | undefined {
  try {
    // cpu  user nice system idle iowait irq softirq steal … (clock ticks, all CPUs)
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait, perProcess: new Map(pids.map((pid) => [pid, processTicks(pid)])) };
  } catch {
    return undefined;
  }
}

/** utime + stime of a process (fields 14 and 15 of /proc/PID/stat). */
function processTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Waits until processes other than `pids` use at most `maxOtherShare` of the CPUs over a whole
 * second. Resolves true when they do, false after `timeoutMs` (or off Linux: nothing to wait for).
 */
export async function waitForQuietMachine(
  pids: readonly number[],
  maxOtherShare: number,
  timeoutMs: number,
  onWait?: (otherShare: number) => void,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = probeMachineLoad(pids);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const load = probe.finish();
    if (load === undefined) return false;
    if (load.otherShare <= maxOtherShare) return true;
    if (Date.now() >= deadline) return false;
    onWait?.(load.otherShare);
  }
}
