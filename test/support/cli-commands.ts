/**
 * What the tests of the CLI (test/cli/) share beyond ./cli-process.ts: `portcullis`, a run with
 * no master secret in the environment; `startServing`, for the long-running `serve` and `demo`; a
 * scratch folder with a SQLite database URL in it; and, for commands that fail, a fresh working
 * directory per run, its listing, and the check that the failure is one line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { CLI_NODE_ARGS, type CliRun, runCli } from './cli-process.js';

/** No master secret from the environment: a command finds (or creates) its own. */
export const NO_SECRET = { PORTCULLIS_SECRET: '' };

/** Runs the real CLI in a child process, as a user would, with `PORTCULLIS_SECRET` empty. */
export function portcullis(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return runCli(args, { ...NO_SECRET, ...options.env }, options.stdin ?? '');
}

/** Starts a long-running command (`serve`, `demo`) with `--json` and waits for its summary. */
export async function startServing<T>(args: string[]): Promise<{ summary: T; stderr: () => string; stop: () => void }> {
  const child = spawn(process.execPath, [...CLI_NODE_ARGS, ...args, '--json'], {
    env: { ...process.env, ...NO_SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    const summary = await new Promise<T>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        try {
          resolve(JSON.parse(stdout) as T);
        } catch {
          /* wait for the whole document */
        }
      });
      child.on('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${stderr}`)));
    });
    return { summary, stderr: () => stderr, stop: () => child.kill('SIGTERM') };
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
}

/** A new scratch folder, and the `--db` URL of a SQLite database in it (not created). */
export function makeScratchFolder(): { dir: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
  return { dir, db: `sqlite:${join(dir, 'portcullis.db')}` };
}

/**
 * In the current describe: a root folder made before its tests and removed after them. Returns a
 * function that gives a fresh, empty working directory in it for one run.
 */
export function freshWorkingDirectories(): () => string {
  let root: string;
  let count = 0;
  before(() => (root = mkdtempSync(join(tmpdir(), 'portcullis-failing-'))));
  after(() => rmSync(root, { recursive: true, force: true }));
  return () => {
    const dir = join(root, `run-${++count}`);
    mkdirSync(dir);
    return dir;
  };
}

/** Every file and folder under `dir`, relative to it. */
export function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** The run failed with exactly one line on stderr, nothing on stdout, and no stack trace. */
export function assertOneLineFailure(run: CliRun, pattern: RegExp): void {
  assert.equal(run.code, 1, `exit code; stderr: ${run.stderr}`);
  assert.equal(run.stdout, '', 'nothing on stdout');
  const lines = run.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line: ${run.stderr}`);
  assert.match(lines[0]!, pattern);
}

/** A port something else is listening on. */
export async function occupyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}
