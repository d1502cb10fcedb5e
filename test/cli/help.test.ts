import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli-process.js';

describe('--help', () => {
  it('gives the --db default once', async () => {
    const commands = [['serve'], ['demo'], ['users', 'add'], ['users', 'list'], ['clients', 'list'], ['consents', 'revoke'], ['keys', 'rotate']];
    const helps = await Promise.all(commands.map((command) => runCli([...command, '--help'])));
    for (const [i, command] of commands.entries()) {
      const help = helps[i]!;
      assert.equal(help.code, 0, command.join(' '));
      assert.equal(help.stdout.split('sqlite:./portcullis.db').length - 1, 1, `${command.join(' ')} --help:\n${help.stdout}`);
    }
  });
});
