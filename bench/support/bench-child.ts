import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * A child process of a benchmark, seen from the parent: its stdout read line by line (to wait for
 * what it announces), its stderr written straight to a file so the parent spends no CPU reading
 * logs while it measures, and a stop that always ends it.
 */
export interface BenchChild {
  readonly name: string;
  readonly pid: number;
  /**
   * Resolves with the first value `read` returns for a stdout line not consumed by an earlier
   * wait; `read` may keep state across lines (a multi-line JSON summary). Rejects when the child
   * exits first or after `timeoutMs`.
   */
  waitForLine<T>(what: string, read: (line: string) => T | undefined, timeoutMs?: number): Promise<T>;
  /** The next stdout line that is a JSON object with `key`, as that key's value. */
  nextMessage<T>(key: string, timeoutMs?: number): Promise<T>;
  /** Writes one line to the child's stdin. */
  send(line: string): void;
  /** The last lines of the child's stderr, for a failure message. */
  stderrTail(lines?: number): string;
  /** Ends stdin and sends `signal`; SIGKILL if the child has not exited within 10 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface BenchChildOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env?: Record<string, string>;
  /** Where the child's stderr goes (created or truncated). */
  stderrFile: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export function startBenchChild(options: BenchChildOptions): BenchChild {
  const stderrFd = openSync(options.stderrFile, 'w');
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', stderrFd],
  });
  closeSync(stderrFd);
  // A child that died leaves a closed pipe; writing to it must not crash the benchmark.
  child.stdin!.on('error', () => {});
  if (child.pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`);

  const lines: string[] = [];
  let consumed = 0;
  const waiters: Array<() => void> = [];
  let exitReason: string | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiters]) waiter();
  });
  child.once('exit', (code, signal) => {
    exitReason = `exited (${signal ?? code})`;
    for (const waiter of [...waiters]) waiter();
  });

  const stderrTail = (count = 15) => {
    try {
      return readFileSync(options.stderrFile, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
    } catch {
      return '';
    }
  };
  const failure = (message: string) => {
    const tail = stderrTail();
    return new Error(`${options.name}: ${message}${tail === '' ? '' : `\n${tail}`}`);
  };

  const waitForLine = <T>(what: string, read: (line: string) => T | undefined, timeoutMs = DEFAULT_TIMEOUT_MS) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        while (consumed < lines.length) {
          const value = read(lines[consumed++]!);
          if (value !== undefined) return finish(() => resolve(value));
        }
        if (exitReason !== undefined) finish(() => reject(failure(`${exitReason} before ${what}`)));
      };
      const timer = setTimeout(() => finish(() => reject(failure(`no ${what} within ${timeoutMs / 1000} s`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        const index = waiters.indexOf(check);
        if (index >= 0) waiters.splice(index, 1);
        settle();
      };
      waiters.push(check);
      check();
    });

  return {
    name: options.name,
    pid: child.pid,
    waitForLine,
    nextMessage: <T>(key: string, timeoutMs?: number) => waitForLine<T>(`"${key}" message`, (line) => messageOf<T>(line, key), timeoutMs),
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    stderrTail,
    stop: (signal = 'SIGTERM') => stopChild(child, signal),
  };
}

function messageOf<T>(line: string, key: string): T | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return key in parsed ? (parsed[key] as T) : undefined;
  } catch {
    return undefined;
  }
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.stdin!.end();
    child.kill(signal);
  });
}
