/**
 * `portcullis scan` beside the peer people run today, ESLint with eslint-plugin-security (its
 * recommended rules, on `@typescript-eslint/parser`), over the same files: lines per second of
 * each (the median of --rounds runs, both in this process, so the ratio holds on any machine),
 * and what each reported, by rule. Issue 14 asks for at least 2× ESLint's lines per second.
 *
 * The corpus is the MCP SDK's `dist/esm` unless --corpus names other folders; the files are the
 * ones `portcullis scan` walks (node_modules and .d.ts skipped), given to ESLint as a list.
 *
 *   node --import tsx bench/scan.ts [--corpus DIR]... [--rounds 5] [--warmup 5] [--json]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import typescriptParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import security from 'eslint-plugin-security';
import { SCAN_RULES } from '../src/audit/scan/rules/index.js';
import { scanText } from '../src/audit/scan/run-scan.js';
import { sourceFiles } from '../src/audit/scan/source-tree.js';
import { fatal, median, positiveInteger, progress } from './support/run-options.js';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const rounds = positiveInteger('--rounds', values.rounds);
/** Untimed rounds first, for each tool: both run in this process, and the first rounds compile and warm their code. */
const warmup = Number(values.warmup);
if (!Number.isInteger(warmup) || warmup < 0) fatal(`--warmup must be 0 or a positive integer, not "${values.warmup}"`);
/** The SDK's ESM build: `…/dist/cjs/client/auth.js` is what `require` finds, two folders down from `dist`. */
const sdk = resolve(createRequire(import.meta.url).resolve('@modelcontextprotocol/sdk/client/auth.js'), '../../../esm');
const corpora = (values.corpus ?? [sdk]).map((dir) => resolve(dir));

/** Every file of the corpus, as absolute paths, with its text and the path relative to its corpus folder. */
const files = corpora.flatMap((root) =>
  sourceFiles(root).map((path) => ({ root, path, absolute: join(root, path), text: readFileSync(join(root, path), 'utf8') })),
);
const lines = files.reduce((sum, file) => sum + file.text.split('\n').length, 0);

interface Run {
  readonly tool: string;
  readonly medianMs: number;
  readonly linesPerSecond: number;
  readonly findings: number;
  readonly byRule: Record<string, number>;
}

function countByRule(ids: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids) counts[id] = (counts[id] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Portcullis: read, parse and run every rule on each file, as `portcullis scan` does (minus the walk, which ESLint is not timed for either). */
function portcullis(): Run {
  const times: number[] = [];
  let ids: string[] = [];
  for (let round = -warmup; round < rounds; round += 1) {
    const started = performance.now();
    ids = files.flatMap((file) => {
      try {
        return scanText(file.path, readFileSync(file.absolute, 'utf8'), SCAN_RULES).map((finding) => finding.ruleId);
      } catch {
        return ['(cannot parse)'];
      }
    });
    if (round < 0) continue;
    times.push(performance.now() - started);
    progress(`portcullis round ${round + 1}/${rounds}: ${Math.round(times.at(-1)!)} ms`);
  }
  return result('portcullis scan', times, ids);
}

/** ESLint 9 with eslint-plugin-security's recommended rules, parser @typescript-eslint/parser, no cache, nothing ignored. */
async function eslint(): Promise<Run> {
  const linter = new ESLint({
    // ESLint ignores files outside its cwd: the folder that holds every corpus.
    cwd: commonFolder(corpora),
    overrideConfigFile: true,
    ignore: false,
    cache: false,
    overrideConfig: [
      {
        // Named extensions: ESLint takes a bare `**/*` as matching only files another config matches (.js).
        files: ['**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}'],
        languageOptions: { parser: typescriptParser, ecmaVersion: 'latest', sourceType: 'module' },
        plugins: { security },
        rules: security.configs.recommended.rules,
        linterOptions: { reportUnusedDisableDirectives: 'off' },
      },
    ],
  });
  const times: number[] = [];
  let ids: string[] = [];
  for (let round = -warmup; round < rounds; round += 1) {
    const started = performance.now();
    const results = await linter.lintFiles(files.map((file) => file.absolute));
    if (round < 0) continue;
    times.push(performance.now() - started);
    // Its own rules only: a message with no rule is a file it could not parse; `eslint-disable`
    // comments in the corpus that name rules not loaded here are not findings.
    ids = results.flatMap((each) =>
      each.messages.flatMap((message) => (message.ruleId === null ? ['(cannot parse)'] : message.ruleId.startsWith('security/') ? [message.ruleId] : [])),
    );
    progress(`eslint round ${round + 1}/${rounds}: ${Math.round(times.at(-1)!)} ms`);
  }
  return result('ESLint + eslint-plugin-security', times, ids);
}

function commonFolder(folders: readonly string[]): string {
  const parts = folders.map((folder) => folder.split(sep));
  let length = 0;
  while (length < parts[0]!.length && parts.every((each) => each[length] === parts[0]![length])) length += 1;
  return parts[0]!.slice(0, length).join(sep) || sep;
}

function result(tool: string, times: readonly number[], ids: readonly string[]): Run {
  const medianMs = median(times);
  return { tool, medianMs: Math.round(medianMs), linesPerSecond: Math.round(lines / (medianMs / 1000)), findings: ids.length, byRule: countByRule(ids) };
}

progress(`corpus: ${files.length} files, ${lines} lines (${corpora.join(', ')}); ${warmup} untimed and ${rounds} timed rounds each`);
const ours = portcullis();
const theirs = await eslint();
const ratio = ours.linesPerSecond / theirs.linesPerSecond;
if (values.json) {
  process.stdout.write(`${JSON.stringify({ corpus: corpora, files: files.length, lines, rounds, runs: [ours, theirs], ratio }, null, 2)}\n`);
} else {
  const rows = [ours, theirs].map((run) => `| ${run.tool} | ${run.medianMs} | ${run.linesPerSecond.toLocaleString('en')} | ${run.findings} |`);
  process.stdout.write(
    [
      `corpus: ${files.length} files, ${lines.toLocaleString('en')} lines; medians of ${rounds} rounds after ${warmup} untimed`,
      '',
      '| tool | ms | lines/s | findings |',
      '|---|---:|---:|---:|',
      ...rows,
      '',
      `portcullis scan reads ${ratio.toFixed(2)}× the lines per second of ESLint + eslint-plugin-security.`,
      '',
      ...[ours, theirs].flatMap((run) => [`${run.tool}, findings by rule:`, ...Object.entries(run.byRule).map(([id, n]) => `  ${id}: ${n}`), '']),
    ].join('\n'),
  );
}
