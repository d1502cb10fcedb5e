/**
 * The shape the code keeps (issue 12, "Habits that keep it this way"; ../shared/STYLE.md), read
 * from the source with the TypeScript parser: no runtime import cycle, `src/core` importing
 * nothing of ours, no source file over 400 lines, no function in `src/server` over 80.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const SRC = resolve(new URL('../src', import.meta.url).pathname);

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => ({ path, source: ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true) }));
const shown = (path: string) => relative(resolve(SRC, '..'), path);

/** The relative imports of a file that exist at run time (not `import type`, not type-only names). */
function runtimeImports(source: ts.SourceFile): string[] {
  const imports: string[] = [];
  for (const statement of source.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue;
    const specifier = statement.moduleSpecifier;
    if (specifier === undefined || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      const typeOnly =
        clause?.isTypeOnly === true ||
        (clause !== undefined && clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly));
      if (typeOnly) continue;
    } else if (statement.isTypeOnly) continue;
    imports.push(resolve(dirname(source.fileName), specifier.text.replace(/\.js$/, '.ts')));
  }
  return imports;
}

describe('the shape of src', () => {
  it('has no runtime import cycle', () => {
    const graph = new Map(files.map(({ path, source }) => [path, runtimeImports(source)]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (!graph.has(next)) continue;
        if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map(shown).join(' → '));
        else if (state.get(next) === undefined) visit(next);
      }
      stack.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (state.get(file) === undefined) visit(file);
    assert.deepEqual(cycles, []);
  });

  it('keeps src/core free of imports of ours from outside it (pure protocol rules)', () => {
    const core = join(SRC, 'core');
    const outside = files
      .filter(({ path }) => path.startsWith(`${core}/`))
      .flatMap(({ path, source }) =>
        runtimeImports(source)
          .filter((target) => !target.startsWith(`${core}/`))
          .map((target) => `${shown(path)} imports ${shown(target)}`),
      );
    assert.deepEqual(outside, []);
  });

  it('has no source file over 400 lines', () => {
    const long = files.filter(({ source }) => source.getLineAndCharacterOfPosition(source.getEnd()).line + 1 > 400).map(({ path }) => shown(path));
    assert.deepEqual(long, []);
  });

  it('has no function over 80 lines in src/server', () => {
    const long: string[] = [];
    for (const { path, source } of files.filter(({ path }) => path.startsWith(join(SRC, 'server')))) {
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
          const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
          if (lines > 80) long.push(`${shown(path)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} (${lines} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    assert.deepEqual(long, []);
  });
});
