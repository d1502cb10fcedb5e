/**
 * The table in docs/audit.md that maps each check to the target flaws that make it fail, read from
 * the flaws' own doc comments (each starts with the IDs of the checks it is for), so the
 * documentation cannot drift from the targets. `node --import tsx test/audit/targets/flaw-table.ts`
 * prints it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { CATALOGUE } from '../../../src/audit/catalogue/index.js';

const ENDPOINTS = new URL('./endpoints/', import.meta.url);

/** Check ID → the flaws whose doc comment names it, with the comment's text. */
export function flawsByCheck(): Map<string, { flaw: string; what: string }[]> {
  const byCheck = new Map<string, { flaw: string; what: string }[]>();
  for (const file of readdirSync(ENDPOINTS)
    .filter((name) => name.endsWith('.ts'))
    .sort()) {
    const text = readFileSync(new URL(file, ENDPOINTS), 'utf8');
    const add = (ids: string, flaw: string, what: string) => {
      for (const id of ids.matchAll(/[A-Z]+-\d+/g)) {
        const list = byCheck.get(id[0]) ?? [];
        if (!list.some((entry) => entry.flaw === flaw)) list.push({ flaw, what });
        byCheck.set(id[0], list);
      }
    };
    // One comment per flaw: `/** AZ-01 (and so AZ-02): what it does */ | 'flaw'`.
    for (const match of text.matchAll(/\/\*\*\s*((?:(?!\*\/)[\s\S])*?)\*\/\s*\|\s*'([a-z0-9-]+)'/g)) {
      const comment = match[1]!.replace(/\s*\n\s*\*\s?/g, ' ').trim();
      const colon = comment.indexOf(':');
      if (colon > 0 && /^[A-Z]+-\d+/.test(comment)) add(comment.slice(0, colon), match[2]!, comment.slice(colon + 1).trim());
    }
    // A list in the union's comment: `` - `flaw`: what it does (REG-01); ``, an entry over several lines.
    for (const block of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\//g)) {
      const joined = block[1]!.replace(/\s*\n\s*\*\s?/g, ' ');
      for (const entry of joined.matchAll(/- `([a-z0-9-]+)`: (.*?)\(((?:[A-Z]+-\d+)[^)]*)\)[;.]?(?= - `|\s*$)/g)) add(entry[3]!, entry[1]!, entry[2]!.trim());
    }
  }
  return byCheck;
}

/** The Markdown table: every check of the catalogue, with its flaws or "—". */
export function flawTable(): string {
  const byCheck = flawsByCheck();
  const rows = CATALOGUE.map((check) => {
    const flaws = byCheck.get(check.id) ?? [];
    return `| ${check.id} | ${check.title.replace(/\|/g, '\\|')} | ${flaws.length === 0 ? '—' : flaws.map((f) => `\`${f.flaw}\``).join(', ')} |`;
  });
  return ['| check | what must hold | target flaws that make it fail |', '| --- | --- | --- |', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${flawTable()}\n`);
