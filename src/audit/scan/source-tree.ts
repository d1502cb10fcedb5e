import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { SCANNED_EXTENSIONS } from './source-file.js';

/** Folders never scanned: dependencies, build output, version control. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', '.git', '.hg', '.svn']);

/** A .gitignore and the folder (relative to the root, `''` for the root) its patterns are relative to. */
interface IgnoreFile {
  readonly base: string;
  readonly rules: Ignore;
}

function readIgnoreFile(folder: string, base: string): IgnoreFile | undefined {
  let text: string;
  try {
    text = readFileSync(join(folder, '.gitignore'), 'utf8');
  } catch {
    return undefined;
  }
  return { base, rules: ignore().add(text) };
}

function ignoredBy(files: readonly IgnoreFile[], path: string, folder: boolean): boolean {
  for (const file of files) {
    const below = file.base === '' ? path : path.startsWith(`${file.base}/`) ? path.slice(file.base.length + 1) : undefined;
    if (below !== undefined && file.rules.ignores(folder ? `${below}/` : below)) return true;
  }
  return false;
}

function isScanned(name: string): boolean {
  if (/\.d\.[cm]?ts$/.test(name)) return false;
  const dot = name.lastIndexOf('.');
  return dot > 0 && Object.hasOwn(SCANNED_EXTENSIONS, name.slice(dot).toLowerCase());
}

/**
 * The source files under `root` the scanner reads, relative and `/`-separated, sorted: every
 * `.ts/.tsx/.mts/.cts/.js/.jsx/.mjs/.cjs` that no `.gitignore` on its way ignores, outside
 * `node_modules`, `dist` and version control, and not a `.d.ts`. Symbolic links are not
 * followed (a link to a parent would never end, and a link out of the tree is not this code).
 */
export function sourceFiles(root: string): string[] {
  const found: string[] = [];
  const visit = (folder: string, relative: string, ignoreFiles: readonly IgnoreFile[]) => {
    const own = readIgnoreFile(folder, relative);
    const rules = own === undefined ? ignoreFiles : [...ignoreFiles, own];
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name) && !ignoredBy(rules, path, true)) visit(join(folder, entry.name), path, rules);
      } else if (entry.isFile() && isScanned(entry.name) && !ignoredBy(rules, path, false)) found.push(path);
    }
  };
  if (lstatSync(root).isFile()) return isScanned(root) ? [''] : [];
  visit(root, '', []);
  return found.sort();
}
