import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ANNOUNCEMENT_KEY, type ServerAnnouncement } from './announcement.js';

export interface ServerProcess {
  readonly announcement: ServerAnnouncement;
  readonly pid: number;
  /** Asks the server for `count` fresh refresh tokens. */
  seed(count: number): Promise<string[]>;
  /** Closes the child's stdin (it shuts down and exits); kills it if it has not exited in 10 s. */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Repository root: the child runs there so `--import tsx` resolves. */
  cwd: string;
  /** Script path relative to cwd, e.g. `bench/servers/portcullis.ts`. */
  script: string;
  tokens: number;
  /** CPU list for `taskset -c`, or undefined to leave placement to the kernel. */
  cpu: string | undefined;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeFlags: readonly string[];
  /** Where the child's stderr (and stray stdout) lines go. */
  log: (line: string) => void;
}

const TIMEOUT_MS = 60_000;

/**
 * Starts `node --import tsx <script> --tokens N` in its own process (pinned to `cpu` when given)
 * and waits for the one JSON line it prints once it listens (bench/support/announcement.ts).
 */
export function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const nodeArgs = [...options.nodeFlags, '--import', 'tsx', options.script, '--tokens', String(options.tokens)];
  const [command, args] = options.cpu === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', options.cpu, process.execPath, ...nodeArgs]];
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    options.log(line);
  });
  const failure = (message: string) => new Error(`${options.script}: ${message}${stderrTail.length > 0 ? `\n${stderrTail.join('\n')}` : ''}`);

  // Lines from the child, in order: the announcement, then one per `seed` request.
  const waiting: { resolve: (message: Partial<ServerAnnouncement>) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }[] = [];
  const nextMessage = (what: string) =>
    new Promise<Partial<ServerAnnouncement>>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(failure(`no ${what} within ${TIMEOUT_MS / 1000} s`));
      }, TIMEOUT_MS);
      waiting.push({ resolve, reject, timer });
    });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const message = parseMessage(line);
    if (message === undefined) return options.log(line);
    const next = waiting.shift();
    if (next === undefined) return options.log(`unexpected message: ${line.slice(0, 200)}`);
    clearTimeout(next.timer);
    next.resolve(message);
  });
  const rejectAll = (error: Error) => {
    for (const w of waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(error);
    }
  };
  child.once('error', (error) => rejectAll(failure(error.message)));
  child.once('exit', (code, signal) => rejectAll(failure(`exited (${signal ?? code})`)));

  return nextMessage('announcement').then((message) => {
    const announcement = message as ServerAnnouncement;
    return {
      announcement,
      pid: child.pid!,
      async seed(count) {
        const reply = nextMessage('seeded tokens');
        child.stdin!.write(`seed ${count}\n`);
        const { refreshTokens } = await reply;
        if (refreshTokens?.length !== count) throw failure(`asked for ${count} tokens, got ${refreshTokens?.length ?? 'none'}`);
        return refreshTokens;
      },
      stop: () => stopChild(child),
    };
  });
}

function parseMessage(line: string): Partial<ServerAnnouncement> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    return (parsed[ANNOUNCEMENT_KEY] as Partial<ServerAnnouncement> | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.stdin!.end();
  });
}
