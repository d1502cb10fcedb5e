/**
 * Summarises a V8 `.cpuprofile` (from `npm run bench -- --cpu-prof`): where the time goes, by
 * package and by function, self and inclusive.
 *
 *   node --import tsx bench/support/profile-summary.ts bench/results/profiles/CPU.….cpuprofile [--top 30]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, from: { type: 'string', default: '0' }, to: { type: 'string' } },
});
const top = Number(values.top);
/** Window of the profile to count, in seconds from its start (skip start-up and seeding with --from). */
const fromMicros = Number(values.from) * 1e6;
const toMicros = values.to === undefined ? Infinity : Number(values.to) * 1e6;
if (positionals.length !== 1) {
  process.stderr.write('usage: profile-summary.ts FILE.cpuprofile [--top N] [--from S] [--to S]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfMicros = new Map<number, number>();
let clock = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  clock += delta;
  if (clock >= fromMicros && clock < toMicros) selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
});
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
const idle = sumWhere((n) => n.callFrame.functionName === '(idle)');

/** Which package or part of the tree a frame belongs to. */
function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  const src = /\/(src|bench|test)\/(.*)$/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  return url;
}

const frameName = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${area(n)}:${n.callFrame.lineNumber + 1}`;

function sumWhere(predicate: (n: ProfileNode) => boolean): number {
  let sum = 0;
  for (const [id, micros] of selfMicros) if (predicate(byId.get(id)!)) sum += micros;
  return sum;
}

const selfByArea = new Map<string, number>();
const selfByFrame = new Map<string, number>();
const inclusiveByFrame = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id)!;
  selfByArea.set(area(node), (selfByArea.get(area(node)) ?? 0) + micros);
  selfByFrame.set(frameName(node), (selfByFrame.get(frameName(node)) ?? 0) + micros);
  // Inclusive: charge each distinct frame on the stack once (recursion counted once).
  const seen = new Set<string>();
  for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
    const name = frameName(byId.get(cursor)!);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusiveByFrame.set(name, (inclusiveByFrame.get(name) ?? 0) + micros);
  }
}

/**
 * Buckets for the refresh grant's costs. A sample goes to the first bucket any frame on its stack
 * matches (so `SQLite` holds everything under Kysely, wherever it was called from).
 */
const CATEGORIES: [string, (n: ProfileNode) => boolean][] = [
  ['SQLite (kysely + better-sqlite3)', (n) => /node_modules\/(kysely|better-sqlite3)\//.test(n.callFrame.url)],
  [
    'JWT sign (ES256: node:crypto, jose, WebCrypto)',
    (n) => /node_modules\/jose\/|internal\/crypto\/(sig|webcrypto|ec|util|webidl|keys)|src\/server\/(jws-es256|access-token)\.ts/.test(n.callFrame.url),
  ],
  ['SHA-256 / random bytes', (n) => /internal\/crypto\/(hash|random)/.test(n.callFrame.url)],
  [
    'request body as web stream',
    (n) => /readBodyText|readFormBody|readWebRequestBody/.test(n.callFrame.functionName) || /internal\/webstreams\//.test(n.callFrame.url),
  ],
  ['web Request/Response adapter (@hono/node-server, undici)', (n) => /node_modules\/@hono\/node-server\/|internal\/deps\/undici/.test(n.callFrame.url)],
  ['hono routing', (n) => /node_modules\/hono\//.test(n.callFrame.url)],
  [
    'Express / Koa / oidc-provider / MCP SDK',
    (n) => /node_modules\/(express|router|body-parser|koa[^/]*|oidc-provider|@modelcontextprotocol|zod|raw-body|qs)\//.test(n.callFrame.url),
  ],
  ['node:http, net, streams', (n) => /^node:(_http|net|internal\/streams|internal\/stream_base|internal\/http|events)/.test(n.callFrame.url)],
  ['garbage collector', (n) => n.callFrame.functionName === '(garbage collector)'],
];
const byCategory = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const leaf = byId.get(id)!;
  if (leaf.callFrame.functionName === '(idle)') continue;
  let bucket = 'other';
  for (const [name, matches] of CATEGORIES) {
    let hit = false;
    for (let cursor: number | undefined = id; cursor !== undefined && !hit; cursor = parent.get(cursor)) hit = matches(byId.get(cursor)!);
    if (hit) {
      bucket = name;
      break;
    }
  }
  byCategory.set(bucket, (byCategory.get(bucket) ?? 0) + micros);
}

const busy = total - idle;
const pct = (micros: number) => `${((100 * micros) / busy).toFixed(1).padStart(5)} %`;
const print = (title: string, entries: Map<string, number>, limit: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...entries]
    .filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(root)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)) {
    process.stdout.write(`${pct(micros)}  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}\n`);
  }
};

process.stdout.write(
  `${positionals[0]}\nsampled ${(total / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s; percentages are of the ${(busy / 1e6).toFixed(2)} s not idle\n`,
);
print('By cost (a sample counts under the first bucket any frame of its stack matches)', byCategory, top);
print('Self time by package / file', selfByArea, top);
print('Self time by function', selfByFrame, top);
print('Inclusive time by function', inclusiveByFrame, top);
