import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { visitorKeys } from '@typescript-eslint/visitor-keys';
import { walk } from '../../../src/audit/scan/ast.js';
import { parseSourceFile } from '../../../src/audit/scan/source-file.js';

/** The walk by definition: a node, then each child's subtree in the order of its visitor keys. */
function reference(node: TSESTree.Node, out: TSESTree.Node[] = []): TSESTree.Node[] {
  out.push(node);
  for (const key of visitorKeys[node.type] ?? []) {
    const child = (node as unknown as Record<string, unknown>)[key];
    for (const each of Array.isArray(child) ? child : [child])
      if (typeof each === 'object' && each !== null && typeof (each as { type?: unknown }).type === 'string') reference(each as TSESTree.Node, out);
  }
  return out;
}

describe('walk', () => {
  it('visits every subtree of a parsed program as the definition does, from any node', () => {
    // Real files with classes, JSX-free TypeScript, generics, destructuring and nested functions.
    for (const path of ['src/audit/scan/provenance.ts', 'src/audit/scan/oauth-libraries.ts', 'src/audit/scan/rules/authz-url-shell-open.ts']) {
      const file = parseSourceFile(path, readFileSync(path, 'utf8'));
      const all = reference(file.program);
      assert.ok(all.length > 500, path);
      for (const [index, node] of all.entries()) {
        if (index % 7 !== 0 && node.type !== 'Program') continue;
        const visited: TSESTree.Node[] = [];
        walk(node, (each) => visited.push(each));
        assert.deepEqual(visited, reference(node), `${path}: the subtree of the ${node.type} at line ${node.loc.start.line}`);
      }
    }
  });
});
