import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** What the benchmarks share: CPU pinning, option parsing, medians and messages on stderr. */

/**
 * Pins this process (the load generator) to CPU 0 and names CPU 1 for the server, so neither
 * borrows the other's core. Linux with 2 or more CPUs and `taskset` only.
 */
export function pinProcesses(wanted: boolean): { server: string | undefined; description: string } {
  if (!wanted) return { server: undefined, description: 'not pinned (--no-pin)' };
  if (process.platform !== 'linux' || availableParallelism() < 2) return { server: undefined, description: 'not pinned (needs Linux and 2 CPUs)' };
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return { server: undefined, description: 'not pinned (taskset unavailable)' };
  }
  return { server: '1', description: 'load generator on CPU 0, server on CPU 1' };
}

export function median(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function positiveInteger(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) fatal(`${flag} must be a positive integer, not "${value}"`);
  return n;
}

export function nonNegativeInteger(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fatal(`${flag} must be an integer ≥ 0, not "${value}"`);
  return n;
}

/** Progress and warnings go to stderr, so `--json` output stays clean. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function fatal(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
