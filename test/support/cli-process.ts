import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The CLI entry point, run through tsx as `node --import tsx src/cli/main.ts`. */
export const CLI_MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
export const CLI_NODE_ARGS = ['--import', 'tsx', CLI_MAIN];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI process still running: its output so far, a way to wait for a line, and its exit. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr; rejects if the process exits first. */
  waitForStderr(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  exited: Promise<CliRun>;
}

export interface CliOptions {
  /** The working directory (default: the test's), for what a command creates relative to it. */
  cwd?: string;
}

/** Starts the real CLI in a child process, as a user would. */
export function startCli(args: string[], env: Record<string, string | undefined> = {}, options: CliOptions = {}): RunningCli {
  // From another directory, `--import tsx` would be looked up there: name tsx by its path.
  const nodeArgs = options.cwd === undefined ? CLI_NODE_ARGS : ['--import', import.meta.resolve('tsx'), CLI_MAIN];
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { ...process.env, ...env } as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    for (const listener of listeners) listener();
  });
  const exited = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr(pattern, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stderr);
          if (match) {
            cleanup();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} on stderr within ${ms} ms: ${stderr}`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then(() => {
          check();
          if (!listeners.has(check)) return;
          cleanup();
          reject(new Error(`exited before ${pattern}: ${stderr}`));
        });
        check();
      });
    },
    exited,
  };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, stdin = '', options: CliOptions = {}): Promise<CliRun> {
  const running = startCli(args, env, options);
  running.child.stdin.end(stdin);
  return running.exited;
}

/** A "browser" command for PORTCULLIS_BROWSER that records the arguments of each run, one JSON array per line. */
export function recordingBrowser(dir: string, name = 'browser'): { command: string; calls: () => string[][]; urls: () => string[] } {
  const log = join(dir, `${name}.log`);
  const script = join(dir, `${name}.mjs`);
  writeFileSync(
    script,
    `#!${process.execPath}\nimport { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`,
  );
  chmodSync(script, 0o755);
  const calls = () =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as string[])
      : [];
  return { command: script, calls, urls: () => calls().flat() };
}

/** Polls `read` until `done` holds or `ms` pass. */
export async function eventually<T>(read: () => T, done: (value: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * `portcullis login URL --no-browser`, with the person's part done by a {@link FormBrowser}-like
 * `authorize` over the real login and consent pages. Returns the finished run.
 */
export async function loginThroughPages(
  serverUrl: string,
  args: string[],
  env: Record<string, string | undefined>,
  authorize: (authorizationUrl: string) => Promise<URL>,
): Promise<CliRun> {
  const cli = startCli(['login', serverUrl, '--no-browser', ...args], env);
  const [, url] = await cli.waitForStderr(/open this URL in your browser to log in:\n\s+(\S+)/);
  await cli.waitForStderr(/waiting for the redirect/);
  const back = await authorize(url!);
  await (await fetch(back)).text();
  return cli.exited;
}
