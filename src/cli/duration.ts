import { CliError } from './output.js';

const SECONDS_PER_UNIT = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

/** About 100 years: beyond it a cut-off is before any Portcullis database, and the arithmetic stays exact. */
const MAX_SECONDS = 100 * 365 * 86_400;

/**
 * Seconds in a duration written as a whole number and one unit: `90s`, `90m`, `12h`, `30d`, `2w`.
 * Undefined for anything else (no unit, a fraction, a sign, zero, several parts, over 100 years).
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,10})([smhdw])$/.exec(text.trim());
  if (match === null) return undefined;
  const seconds = Number(match[1]) * SECONDS_PER_UNIT[match[2] as keyof typeof SECONDS_PER_UNIT];
  return seconds > 0 && seconds <= MAX_SECONDS ? seconds : undefined;
}

/** {@link parseDuration} for a command's option: a CliError naming the option and the forms it takes. */
export function requireDuration(text: string, option: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined)
    throw new CliError(`${option} takes a duration such as 30d, 12h, 90m or 45s (a whole number and one unit, at most 100 years), not ${JSON.stringify(text)}`);
  return seconds;
}
