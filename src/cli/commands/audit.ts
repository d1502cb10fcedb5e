import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type AuditReport, audit } from '../../audit/index.js';
import { BaselineError, excusedChecks } from '../../audit/report/baseline.js';
import { auditExitCode, FAIL_ON_VALUES, type FailOn } from '../../audit/report/exit-code.js';
import { formatAuditJunit } from '../../audit/report/junit.js';
import { formatAuditMarkdown } from '../../audit/report/markdown.js';
import { formatAuditSarif, sarifAnchorUri } from '../../audit/report/sarif.js';
import { formatAuditText } from '../../audit/report/text.js';
import { AuditUsageError } from '../../audit/resolve-settings.js';
import { UnknownSelectorError } from '../../audit/selection.js';
import type { BrowserChoice } from '../../audit/settings.js';
import { CliError, readStdin } from '../output.js';
import { checkReportFiles, commaList, type ReportFile, readBaselineFile, writeReportFiles } from '../report-files.js';

interface AuditCommandOptions {
  login?: boolean;
  only?: string;
  skip?: string;
  slow?: boolean;
  failOn: string;
  baseline?: string;
  strictBaseline?: boolean;
  json?: boolean;
  sarif?: string;
  sarifAnchor?: string;
  junit?: string;
  md?: string;
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
  foreignTokenFile?: string;
  verifyCallTool?: boolean;
  timeout: string;
  budget: string;
  pace: string;
}

/** A usage error of `audit`: one line on stderr, exit code 2 (the auditor's contract). */
class AuditCommandError extends Error {}

function browserChoice(options: AuditCommandOptions): BrowserChoice {
  if (options.browserCommand !== undefined) return { kind: 'command', command: options.browserCommand };
  if (options.browser === 'auto' || options.browser === 'system') return { kind: options.browser };
  throw new AuditCommandError(`--browser ${options.browser}: use auto, system, or --browser-command CMD`);
}

/**
 * The report files of --sarif, --junit and --md, checked before the audit runs (so a long run is
 * not lost to a typo).
 */
function reportFiles(options: AuditCommandOptions, failOn: FailOn, excused: ReadonlySet<string>): ReportFile<AuditReport>[] {
  if (options.sarifAnchor !== undefined && options.sarif === undefined) throw new AuditCommandError('--sarif-anchor only applies with --sarif FILE');
  const anchor = options.sarifAnchor ?? 'README.md';
  try {
    sarifAnchorUri(anchor);
  } catch (error) {
    throw new AuditCommandError(`--sarif-anchor ${(error as Error).message}`);
  }
  const files: ReportFile<AuditReport>[] = [];
  if (options.sarif !== undefined) files.push({ option: '--sarif', path: options.sarif, format: (report) => formatAuditSarif(report, { anchor, excused }) });
  if (options.junit !== undefined) files.push({ option: '--junit', path: options.junit, format: formatAuditJunit });
  if (options.md !== undefined) files.push({ option: '--md', path: options.md, format: (report) => formatAuditMarkdown(report, failOn, excused) });
  try {
    checkReportFiles(files);
  } catch (error) {
    throw new AuditCommandError((error as Error).message);
  }
  return files;
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
    .option('--sarif <file>', 'also write the findings as SARIF 2.1.0 for GitHub code scanning (written only when the audit completes)')
    .option('--sarif-anchor <path>', 'the repository file SARIF results point at, line 1 (default README.md)')
    .option('--junit <file>', 'also write the checks as JUnit XML, a test suite per area')
    .option('--md <file>', 'also write a Markdown summary for a pull-request comment')
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
    .option('--foreign-token-file <file>', 'a token another issuer gave, which the resource must refuse (RS-05); a file, so it never shows in the process list')
    .option('--verify-call-tool', 'make one real MCP call (tools/list) with the token obtained (RS-09)')
    .option('--timeout <seconds>', 'per request', '10')
    .option('--budget <requests>', 'the most requests of the whole audit', '600')
    .option('--pace <ms>', 'milliseconds between requests', '0')
    .action(async (url: string, options: AuditCommandOptions) => {
      let run: Awaited<ReturnType<typeof runAudit>>;
      try {
        run = await runAudit(url, options);
      } catch (error) {
        return failWithExitCode2(error);
      }
      const { report, failOn, excused, files } = run;
      if (options.json === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(formatAuditText(report, failOn, excused));
      // An incomplete audit writes no report file: a SARIF upload without the findings it could not look for would close their alerts.
      if (report.incomplete && files.length > 0) process.stderr.write('portcullis audit: the audit is incomplete, so no report file was written\n');
      else {
        try {
          writeReportFiles(files, report);
        } catch (error) {
          return failWithExitCode2(new AuditCommandError((error as Error).message));
        }
      }
      process.exitCode = auditExitCode(report, failOn, excused, options.strictBaseline === true);
    });
}

/** Checks the options, reads the baseline and the secrets, then audits; files are checked, not written. */
async function runAudit(url: string, options: AuditCommandOptions) {
  if (!(FAIL_ON_VALUES as readonly string[]).includes(options.failOn))
    throw new AuditCommandError(`--fail-on ${options.failOn}: use ${FAIL_ON_VALUES.join(', ')}`);
  const failOn = options.failOn as FailOn;
  let excused = new Set<string>();
  if (options.baseline !== undefined) excused = excusedChecks(readBaselineFile(options.baseline), options.baseline);
  const files = reportFiles(options, failOn, excused);
  const browser = browserChoice(options);
  const secrets = await stdinSecrets(options);
  let foreignToken: string | undefined;
  if (options.foreignTokenFile !== undefined) {
    try {
      foreignToken = readFileSync(options.foreignTokenFile, 'utf8').trim();
    } catch {
      throw new AuditCommandError(`--foreign-token-file ${options.foreignTokenFile}: cannot read the file`);
    }
    if (foreignToken === '') throw new AuditCommandError(`--foreign-token-file ${options.foreignTokenFile} is empty`);
  }
  const report = await audit({
    target: url,
    login: options.login === true,
    only: commaList(options.only),
    skip: commaList(options.skip),
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
    ...(foreignToken !== undefined ? { foreignToken } : {}),
    verifyCallTool: options.verifyCallTool === true,
    timeoutMs: Number(options.timeout) * 1000,
    requestBudget: Number(options.budget),
    paceMs: Number(options.pace),
    onProgress: (event) => {
      if (event.type === 'note') process.stderr.write(`audit: ${event.message}\n`);
      else if (event.status !== 'na') process.stderr.write(`audit: ${event.id} ${event.status}: ${event.summary}\n`);
    },
  });
  return { report, failOn, excused, files };
}

/**
 * The auditor's contract: whatever goes wrong in the auditor itself is exit code 2 with one line
 * on stderr (1 would read as "findings"); a usage error says what to change.
 */
function failWithExitCode2(error: unknown): void {
  const usage =
    error instanceof AuditCommandError ||
    error instanceof AuditUsageError ||
    error instanceof BaselineError ||
    error instanceof UnknownSelectorError ||
    error instanceof CliError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`portcullis audit: ${usage ? '' : 'internal error: '}${message}\n`);
  process.exitCode = 2;
}
