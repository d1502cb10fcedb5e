import pino, { type Logger } from 'pino';
import { escapeControlCharacters } from '../core/control-characters.js';

/** `json`: one JSON object a line, for machines. `text`: one readable line, for a person at a terminal. */
export type LogFormat = 'json' | 'text';

/**
 * Structured logs. Handlers log event names and ids, never a token, code or secret; the redact
 * paths are a second line of defence for anything passed by mistake. The text format is made from
 * the same redacted JSON line, so it holds nothing the JSON does not.
 */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream; format?: LogFormat } = {}): Logger {
  const destination = options.destination ?? pino.destination(2);
  return pino(
    {
      name: 'portcullis',
      level: options.level ?? process.env['PORTCULLIS_LOG_LEVEL'] ?? 'info',
      redact: {
        paths: ['*.password', '*.client_secret', '*.code', '*.code_verifier', '*.refresh_token', '*.access_token', '*.token', '*.authorization', '*.cookie'],
        censor: '[redacted]',
      },
    },
    options.format === 'text' ? { write: (line: string) => destination.write(formatLogLine(line)) } : destination,
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has, shown in the prefix or not at all. */
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/**
 * One pino JSON line as text: `12:04:05 WARN  message  event=secret_created key=value`. Values
 * that are not plain words are JSON-quoted, and control characters are escaped, so a value that
 * came from the network cannot move the cursor or recolour the terminal.
 */
export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record['time'] === 'number' ? new Date(record['time']).toTimeString().slice(0, 8) : '--:--:--';
  const level = (LEVEL_NAMES[record['level'] as number] ?? String(record['level'])).padEnd(5);
  const fields = Object.entries(record)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value)}`);
  const message = typeof record['msg'] === 'string' ? record['msg'] : '';
  const head = `${time} ${level} ${message}`.trimEnd();
  return `${escapeControlCharacters(fields.length === 0 ? head : `${head}  ${fields.join(' ')}`)}\n`;
}
