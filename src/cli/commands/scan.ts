import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { BaselineError } from '../../audit/report/baseline.js';
import { exitCode, FAIL_ON_VALUES, type FailOn, isAtOrAbove } from '../../audit/report/exit-code.js';
import { RULE_DESCRIPTIONS, scan, UnknownRuleError } from '../../audit/scan/run-scan.js';
import { excusedFindings } from '../../audit/scan/scan-baseline.js';
import type { ScanFinding, ScanReport } from '../../audit/scan/scan-report.js';
import { scanSarifLog } from '../../audit/scan/scan-sarif.js';
import { formatScanText } from '../../audit/scan/scan-text.js';
import { checkReportFiles, commaList, type ReportFile, ReportFileError, readBaselineFile, writeReportFiles } from '../report-files.js';

interface ScanCommandOptions {
  only?: string;
  skip?: string;
  failOn: string;
  baseline?: string;
  json?: boolean;
  sarif?: string;
}

/** A usage error of `scan`: one line on stderr, exit code 2 (the contract `audit` has too). */
class ScanCommandError extends Error {}

function prepare(directory: string, options: ScanCommandOptions) {
  if (!(FAIL_ON_VALUES as readonly string[]).includes(options.failOn))
    throw new ScanCommandError(`--fail-on ${options.failOn}: use ${FAIL_ON_VALUES.join(', ')}`);
  try {
    statSync(directory);
  } catch {
    throw new ScanCommandError(`${directory}: no such file or folder`);
  }
  let excused: (finding: ScanFinding) => boolean = () => false;
  if (options.baseline !== undefined) excused = excusedFindings(readBaselineFile(options.baseline), options.baseline);
  const files: ReportFile<ScanReport>[] = [];
  if (options.sarif !== undefined)
    files.push({ option: '--sarif', path: options.sarif, format: (report) => `${JSON.stringify(scanSarifLog(report, RULE_DESCRIPTIONS), null, 2)}\n` });
  checkReportFiles(files);
  return { failOn: options.failOn as FailOn, excused, files };
}

export function registerScanCommand(program: Command): void {
  program
    .command('scan [dir]')
    .description('find PKCE and OAuth mistakes in TypeScript and JavaScript source (exit 0 clean, 1 findings, 2 usage error)')
    .option('--only <rules>', 'comma-separated rule IDs to run')
    .option('--skip <rules>', 'comma-separated rule IDs not to run')
    .option('--fail-on <severity>', `lowest severity that fails the run: ${FAIL_ON_VALUES.join(', ')}`, 'high')
    .option('--baseline <file>', 'known findings (an earlier --json report, or rule IDs) that do not fail the run')
    .option('--json', 'print the JSON report on stdout')
    .option('--sarif <file>', 'also write the findings as SARIF 2.1.0 for GitHub code scanning')
    .action((dir: string | undefined, options: ScanCommandOptions) => {
      try {
        const { failOn, excused, files } = prepare(dir ?? '.', options);
        const progress = process.stderr.isTTY === true;
        const report = scan({
          root: dir ?? '.',
          only: commaList(options.only),
          skip: commaList(options.skip),
          ...(progress ? { onFile: (done, total) => done % 200 === 0 && process.stderr.write(`scan: ${done}/${total} files\r`) } : {}),
        });
        process.stdout.write(options.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatScanText(report, RULE_DESCRIPTIONS, failOn, excused));
        writeReportFiles(files, report);
        const open = report.findings.filter((finding) => finding.suppressed === undefined);
        process.exitCode = exitCode({
          internalError: false,
          blocking: open.some((finding) => isAtOrAbove(finding.severity, failOn) && !excused(finding)),
          staleBaseline: false,
          // scan's codes are 0, 1 and 2: a file it cannot parse is listed in the report, never a pass in silence.
          incomplete: false,
        });
      } catch (error) {
        const usage =
          error instanceof ScanCommandError || error instanceof BaselineError || error instanceof UnknownRuleError || error instanceof ReportFileError;
        process.stderr.write(`portcullis scan: ${usage ? '' : 'internal error: '}${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 2;
      }
    });
}
