import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTHZ_URL_SHELL_OPEN } from '../../../../src/audit/scan/rules/authz-url-shell-open.js';
import { parseSourceFile } from '../../../../src/audit/scan/source-file.js';
import { assertFixtures } from '../rule-fixtures.js';

describe('authz-url-shell-open', () => {
  it('finds server-controlled URLs opened through a shell in its fixtures and stays silent on the traps', () => {
    assertFixtures(AUTHZ_URL_SHELL_OPEN, new URL('./fixtures/authz-url-shell-open/', import.meta.url));
  });

  it('names the metadata field and the shell in its message', () => {
    const source = [
      "import { exec } from 'node:child_process';",
      'export async function login(res: Response) {',
      '  const metadata = await res.json();',
      `  exec(\`start "" "\${metadata.authorization_endpoint}"\`);`,
      '}',
    ].join('\n');
    const file = parseSourceFile('src/login.ts', source);
    const [match] = [...AUTHZ_URL_SHELL_OPEN.find(file)];
    assert.match(match?.message ?? '', /authorization_endpoint.*exec\(\), which runs the command through a shell/);
  });
});
