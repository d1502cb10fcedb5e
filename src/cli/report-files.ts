import { randomBytes } from 'node:crypto';
import { accessSync, constants, readFileSync, renameSync, rmSync, type Stats, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { BaselineError } from '../audit/report/baseline.js';

/** A report file asked for on the command line: which option, where, and how to write it once the run is done. */
export interface ReportFile<Report> {
  readonly option: string;
  readonly path: string;
  readonly format: (report: Report) => string;
}

/** A report file that cannot be written; the message names the option and the file. */
export class ReportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportFileError';
  }
}

/**
 * Checks report files before the run (so a long run is not lost to a typo): each in an existing,
 * writable folder, not a folder itself, no two at the same path. Throws {@link ReportFileError}.
 */
export function checkReportFiles(files: readonly ReportFile<never>[]): void {
  const seen = new Map<string, string>();
  for (const file of files) {
    const path = resolve(file.path);
    const other = seen.get(path);
    if (other !== undefined) throw new ReportFileError(`${other} and ${file.option} name the same file ${file.path}`);
    seen.set(path, file.option);
    let existing: Stats | undefined;
    try {
      existing = statSync(path);
    } catch {
      existing = undefined;
    }
    if (existing?.isDirectory() === true) throw new ReportFileError(`${file.option} ${file.path} is a folder: give a file name`);
    try {
      if (!statSync(dirname(path)).isDirectory()) throw new Error('not a folder');
      accessSync(dirname(path), constants.W_OK);
      if (existing !== undefined) accessSync(path, constants.W_OK);
    } catch {
      throw new ReportFileError(`${file.option} ${file.path}: cannot write there (no such folder, or not writable)`);
    }
  }
}

const cannotWrite = (file: ReportFile<never>, error: unknown) =>
  new ReportFileError(`${file.option} ${file.path}: cannot write the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);

/**
 * Writes every report file in one step each: all to temporary files beside their targets, then
 * each renamed over its target, so a reader never sees half a file, and a failed write leaves no
 * temporary file behind. Throws {@link ReportFileError} naming the file that could not be written.
 */
export function writeReportFiles<Report>(files: readonly ReportFile<Report>[], report: Report): void {
  const written: { file: ReportFile<Report>; temporary: string }[] = [];
  try {
    for (const file of files) {
      const path = resolve(file.path);
      const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      written.push({ file, temporary });
      try {
        writeFileSync(temporary, file.format(report), { flag: 'wx', mode: 0o644 });
      } catch (error) {
        throw cannotWrite(file, error);
      }
    }
    for (const { file, temporary } of written) {
      try {
        renameSync(temporary, resolve(file.path));
      } catch (error) {
        throw cannotWrite(file, error);
      }
    }
  } finally {
    for (const { temporary } of written) rmSync(temporary, { force: true });
  }
}

/** The text of the `--baseline` file of `audit` or `scan`; {@link BaselineError} when it cannot be read. */
export function readBaselineFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new BaselineError(`--baseline ${path}: cannot read the file`);
  }
}

/** A comma-separated option (`--only a,b`) as its items, blanks dropped. */
export function commaList(value: string | undefined): string[] {
  return value === undefined
    ? []
    : value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
}
