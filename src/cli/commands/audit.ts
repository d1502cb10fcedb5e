import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type AuditReport, audit } from '../../audit/index.js';
import { BaselineError, excusedChecks } from '../../audit/report/baseline.js';
import { auditExitCode, FAIL_ON_VALUES, type FailOn } from '../../audit/report/exit-code.js';
import { formatAuditText } from '../../audit/report/text.js';
import { AuditUsageError } from '../../audit/resolve-settings.js';
import { UnknownSelectorError } from '../../audit/selection.js';
import type { BrowserChoice } from '../../audit/settings.js';
import { readStdin } from '../output.js';

interface AuditCommandOptions {
  login?: boolean;
  only?: string;
  skip?: string;
  slow?: boolean;
  failOn: string;
  baseline?: string;
  strictBaseline?: boolean;
  json?: boolean;
  allowPrivate?: boolean;
  clientId?: string;
  clientSecretStdin?: boolean;
  redirectUri?: string;
  publicUrl?: string;
  browser: string;
  browserCommand?: string;
  username?: string;
  passwordStdin?: boolean;
  probeRateLimit?: boolean;
  timeout: string;
  budget: string;
  pace: string;
}

/** A usage error of `audit`: one line on stderr, exit code 2 (the auditor's contract). */
class AuditCommandError extends Error {}

const list = (value: string | undefined) =>
  value === undefined
    ? []
    : value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');

function browserChoice(options: AuditCommandOptions): BrowserChoice {
  if (options.browserCommand !== undefined) return { kind: 'command', command: options.browserCommand };
  if (options.browser === 'auto' || options.browser === 'system') return { kind: options.browser };
  throw new AuditCommandError(`--browser ${options.browser}: use auto, system, or --browser-command CMD`);
}

/** Secrets from standard input: the client secret on the first line, the password on the next (or alone). */
async function stdinSecrets(options: AuditCommandOptions): Promise<{ clientSecret?: string; password?: string }> {
  if (options.clientSecretStdin !== true && options.passwordStdin !== true) return {};
  const lines = (await readStdin()).split(/\r?\n/);
  const clientSecret = options.clientSecretStdin === true ? lines.shift() : undefined;
  const password = options.passwordStdin === true ? lines.shift() : undefined;
  if (clientSecret === '' || password === '') throw new AuditCommandError('standard input held an empty secret');
  return { ...(clientSecret !== undefined ? { clientSecret } : {}), ...(password !== undefined ? { password } : {}) };
}

export function registerAuditCommand(program: Command): void {
  program
    .command('audit <url>')
    .description("attack a live MCP server's OAuth and report what broke (exit 0 clean, 1 findings, 2 usage error, 3 incomplete)")
    .option('--login', 'also run the checks that need a user (codes, PKCE at the token endpoint, refresh, audience)')
    .option('--only <ids>', 'comma-separated check IDs or areas (DISC, ASM, AZ, TOK, RT, RS, REG, REV)')
    .option('--skip <ids>', 'comma-separated check IDs or areas not to run')
    .option('--slow', 'run the timed checks (code lifetime)')
    .option('--fail-on <severity>', `lowest severity that fails the run: ${FAIL_ON_VALUES.join(', ')}`, 'high')
    .option('--baseline <file>', 'known findings (check IDs, or an earlier --json report) that do not fail the run')
    .option('--strict-baseline', 'fail when a check in the baseline now passes (the baseline is out of date)')
    .option('--json', 'print the JSON report on stdout')
    .option('--allow-private', 'DANGEROUS: let a public server send the auditor to private and loopback addresses')
    .option('--client-id <id>', 'a pre-registered client (otherwise the auditor registers one and deletes it after)')
    .option('--client-secret-stdin', "read the client's secret from standard input (first line)")
    .option('--redirect-uri <uri>', "the pre-registered client's loopback redirect URI, e.g. http://127.0.0.1/callback")
    .option('--public-url <url>', 'where the authorization server can reach the auditor (Client ID Metadata Document checks)')
    .option('--browser <kind>', 'how --login completes authorizations: auto (built in) or system', 'auto')
    .option('--browser-command <cmd>', 'a command given each authorization URL (e.g. a Playwright script)')
    .option('--username <name>', 'the user the built-in browser logs in as')
    .option('--password-stdin', 'read that user’s password from standard input (after the client secret, if both)')
    .option('--probe-rate-limit', 'send a burst of up to 20 registrations to see a rate limit (REG-06)')
    .option('--timeout <seconds>', 'per request', '10')
    .option('--budget <requests>', 'the most requests of the whole audit', '600')
    .option('--pace <ms>', 'milliseconds between requests', '0')
    .action(async (url: string, options: AuditCommandOptions) => {
      let report: AuditReport;
      let failOn: FailOn;
      let excused = new Set<string>();
      try {
        if (!(FAIL_ON_VALUES as readonly string[]).includes(options.failOn))
          throw new AuditCommandError(`--fail-on ${options.failOn}: use ${FAIL_ON_VALUES.join(', ')}`);
        failOn = options.failOn as FailOn;
        if (options.baseline !== undefined) {
          let text: string;
          try {
            text = readFileSync(options.baseline, 'utf8');
          } catch {
            throw new AuditCommandError(`--baseline ${options.baseline}: cannot read the file`);
          }
          excused = excusedChecks(text, options.baseline);
        }
        const browser = browserChoice(options);
        const secrets = await stdinSecrets(options);
        report = await audit({
          target: url,
          login: options.login === true,
          only: list(options.only),
          skip: list(options.skip),
          slow: options.slow === true,
          allowPrivate: options.allowPrivate === true,
          ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
          ...(secrets.clientSecret !== undefined ? { clientSecret: secrets.clientSecret } : {}),
          ...(options.redirectUri !== undefined ? { redirectUri: options.redirectUri } : {}),
          ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
          browser,
          ...(options.username !== undefined ? { username: options.username } : {}),
          ...(secrets.password !== undefined ? { password: secrets.password } : {}),
          probeRateLimit: options.probeRateLimit === true,
          timeoutMs: Number(options.timeout) * 1000,
          requestBudget: Number(options.budget),
          paceMs: Number(options.pace),
          onProgress: (event) => {
            if (event.type === 'note') process.stderr.write(`audit: ${event.message}\n`);
            else if (event.status !== 'na') process.stderr.write(`audit: ${event.id} ${event.status}: ${event.summary}\n`);
          },
        });
      } catch (error) {
        if (error instanceof AuditCommandError || error instanceof AuditUsageError || error instanceof BaselineError || error instanceof UnknownSelectorError) {
          process.stderr.write(`portcullis audit: ${error.message}\n`);
          process.exit(2);
        }
        throw error;
      }
      if (options.json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(formatAuditText(report, failOn, excused));
      process.exitCode = auditExitCode(report, failOn, excused, options.strictBaseline === true);
    });
}
