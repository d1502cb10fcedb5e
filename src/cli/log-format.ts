import type { LogFormat } from '../server/logger.js';

/**
 * Text for a person watching a terminal, JSON otherwise: when asked (`--json`) or when the output
 * goes to a file, a pipe or a log collector. Logs go to stderr and the summary to stdout, so both
 * must be a terminal for text.
 */
export function chooseLogFormat(options: { json: boolean; stdoutIsTTY: boolean; stderrIsTTY: boolean }): LogFormat {
  return !options.json && options.stdoutIsTTY && options.stderrIsTTY ? 'text' : 'json';
}
