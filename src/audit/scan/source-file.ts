import { analyze, type Reference, type ScopeManager } from '@typescript-eslint/scope-manager';
import { parse, type TSESTree } from '@typescript-eslint/typescript-estree';
import { adoptProgram } from './ast.js';

/** The word every suppression comment holds (suppressions.ts). */
export const SUPPRESSION_MARK = 'portcullis-ignore';

/** The file extensions the scanner reads, and whether each may hold JSX. */
export const SCANNED_EXTENSIONS: Readonly<Record<string, { jsx: boolean; script: boolean }>> = {
  '.ts': { jsx: false, script: false },
  '.mts': { jsx: false, script: false },
  '.cts': { jsx: false, script: true },
  '.tsx': { jsx: true, script: false },
  '.js': { jsx: true, script: false },
  '.jsx': { jsx: true, script: false },
  '.mjs': { jsx: true, script: false },
  '.cjs': { jsx: true, script: true },
};

/**
 * One parsed module, what every rule reads: the ESTree program (with `parent` set on every node),
 * its scopes (`@typescript-eslint/scope-manager`), and what the scanner knows about the file.
 */
export interface SourceFile {
  /** Relative to the scanned root, forward slashes. */
  readonly path: string;
  readonly text: string;
  readonly program: TSESTree.Program;
  readonly scopes: ScopeManager;
  /** A test file: findings are reported one severity lower. */
  readonly isTest: boolean;
  /** The reference an identifier node makes, if it makes one (declarations make none). */
  referenceOf(identifier: TSESTree.Identifier | TSESTree.JSXIdentifier): Reference | undefined;
}

/** A file the parser could not read: reported, never fatal to the scan. */
export class UnparsableSourceError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly column: number,
    reason: string,
  ) {
    super(`${path}:${line}:${column}: cannot be parsed: ${reason}`);
    this.name = 'UnparsableSourceError';
  }
}

const TEST_PATH = /(^|\/)(test|tests|__tests__|spec|specs|e2e)\/|\.(test|spec|e2e)\.[cm]?[jt]sx?$/;

/** Whether `path` (relative, forward slashes) is a test file by the usual conventions. */
export function isTestPath(path: string): boolean {
  return TEST_PATH.test(path);
}

function extensionOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot === -1 ? '' : path.slice(dot).toLowerCase();
}

/**
 * Parses `text` (the contents of `path`) and resolves its names. Throws {@link UnparsableSourceError}.
 * `projectPath` is the file's path from its project's root, when the scan started below it
 * (`portcullis scan test` reads `test/…` files): what tells a test file.
 */
export function parseSourceFile(path: string, text: string, projectPath = path): SourceFile {
  const kind = SCANNED_EXTENSIONS[extensionOf(path)] ?? SCANNED_EXTENSIONS['.ts']!;
  let program: TSESTree.Program;
  try {
    // Comments only serve suppressions, and reading them is a third of the parse: only when one may be there.
    const comment = text.includes(SUPPRESSION_MARK);
    // allowInvalidAST: TypeScript's own syntax errors still throw; what it skips is typescript-estree's
    // second opinion on shapes TypeScript accepts (a tenth of the parse), which no rule depends on.
    // jsDocParsingMode none: TypeScript otherwise parses every JSDoc comment of a .js file as types,
    // which ESTree never shows (a quarter of the parse of a JSDoc-rich bundle).
    program = parse(text, {
      loc: true,
      range: true,
      comment,
      jsx: kind.jsx,
      filePath: path,
      errorOnUnknownASTType: false,
      allowInvalidAST: true,
      jsDocParsingMode: 'none',
    });
  } catch (error) {
    const { lineNumber = 1, column = 0, message = String(error) } = error as { lineNumber?: number; column?: number; message?: string };
    throw new UnparsableSourceError(path, lineNumber, column + 1, message.split('\n')[0]!);
  }
  adoptProgram(program);
  // A CommonJS file is a script whose top level is a function scope (`require`, `module` are its parameters).
  // No lib: a global (`Math`, `crypto`) then resolves to nothing, which names.ts reads as the global
  // it names, as it would a lib variable nobody declared; declaring the lib's thousands costs a fifth of a scan.
  const scopes = analyze(program, { sourceType: kind.script ? 'script' : 'module', globalReturn: kind.script, jsxPragma: null, lib: [] });
  const references = new Map<TSESTree.Node, Reference>();
  for (const scope of scopes.scopes) for (const reference of scope.references) references.set(reference.identifier, reference);
  return {
    path,
    text,
    program,
    scopes,
    isTest: isTestPath(projectPath),
    referenceOf: (identifier) => references.get(identifier),
  };
}
