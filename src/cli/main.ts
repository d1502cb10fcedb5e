#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { PORTCULLIS_VERSION } from '../core/version.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerClientsCommand } from './commands/clients.js';
import { registerConnectCommand } from './commands/connect.js';
import { registerConsentsCommand } from './commands/consents.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerEventsCommand } from './commands/events.js';
import { registerGrantsCommand } from './commands/grants.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerLoginCommand } from './commands/login.js';
import { registerLogoutCommand } from './commands/logout.js';
import { registerScanCommand } from './commands/scan.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTokensCommand } from './commands/tokens.js';
import { registerUsersCommand } from './commands/users.js';
import { CliError } from './output.js';

const program = new Command()
  .name('portcullis')
  .description('OAuth 2.1 + PKCE for the Model Context Protocol')
  .version(PORTCULLIS_VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerServeCommand(program);
registerDemoCommand(program);
registerUsersCommand(program);
registerClientsCommand(program);
registerConsentsCommand(program);
registerGrantsCommand(program);
registerKeysCommand(program);
registerEventsCommand(program);
registerLoginCommand(program);
registerLogoutCommand(program);
registerTokensCommand(program);
registerConnectCommand(program);
registerAuditCommand(program);
registerScanCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // The auditor's contract: a usage error is exit code 2 (1 means findings).
  if (error instanceof CommanderError) process.exit(error.exitCode !== 0 && (process.argv[2] === 'audit' || process.argv[2] === 'scan') ? 2 : error.exitCode);
  if (error instanceof CliError) {
    process.stderr.write(`portcullis: ${error.message}\n`);
    process.exit(1);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`portcullis: ${message}\n`);
  process.exit(1);
}
