import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Handlers log event names and ids, never a token, code or secret; the
 * redact paths are a second line of defence for anything passed by mistake.
 */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      name: 'portcullis',
      level: options.level ?? process.env['PORTCULLIS_LOG_LEVEL'] ?? 'info',
      redact: {
        paths: ['*.password', '*.client_secret', '*.code', '*.code_verifier', '*.refresh_token', '*.access_token', '*.token', '*.authorization', '*.cookie'],
        censor: '[redacted]',
      },
    },
    options.destination ?? pino.destination(2),
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
