import type { Redactor } from './redactor.js';

/** One request the auditor sent and what came back, as recorded (raw: redacted only when reported). */
export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: string | undefined;
  /** Undefined when no response came (refused by the auditor's own guard, network error, timeout). */
  readonly status: number | undefined;
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** The first bytes of the body, as text. */
  readonly responseBody: string | undefined;
  /** Why there is no response. */
  readonly error: string | undefined;
  readonly durationMs: number;
}

/** How an exchange appears in a report: redacted, with bodies cut to a readable length. */
export interface ReportedExchange {
  readonly method: string;
  readonly url: string;
  readonly requestHeaders?: Record<string, string>;
  readonly requestBody?: string;
  readonly status?: number;
  readonly responseHeaders?: Record<string, string>;
  readonly responseBody?: string;
  readonly error?: string;
  readonly durationMs: number;
}

const SHOWN_BODY = 2048;
/** Response headers that say something about OAuth or security; the rest is noise in a report. */
const SHOWN_RESPONSE_HEADERS =
  /^(location|www-authenticate|content-type|cache-control|pragma|set-cookie|access-control-[\w-]+|content-security-policy|x-frame-options|referrer-policy|strict-transport-security|retry-after|mcp-session-id)$/;

export function reportExchange(exchange: Exchange, redactor: Redactor): ReportedExchange {
  const requestHeaders = Object.fromEntries(Object.entries(exchange.requestHeaders).map(([name, value]) => [name, redactor.header(name, value)]));
  const responseHeaders = Object.fromEntries(
    Object.entries(exchange.responseHeaders)
      .filter(([name]) => SHOWN_RESPONSE_HEADERS.test(name))
      .map(([name, value]) => [name, redactor.header(name, value)]),
  );
  return {
    method: exchange.method,
    url: redactor.text(exchange.url),
    ...(Object.keys(requestHeaders).length > 0 ? { requestHeaders } : {}),
    ...(exchange.requestBody !== undefined && exchange.requestBody !== '' ? { requestBody: redactBody(exchange.requestBody, redactor) } : {}),
    ...(exchange.status !== undefined ? { status: exchange.status } : {}),
    ...(Object.keys(responseHeaders).length > 0 ? { responseHeaders } : {}),
    ...(exchange.responseBody !== undefined && exchange.responseBody !== '' ? { responseBody: redactBody(exchange.responseBody, redactor) } : {}),
    ...(exchange.error !== undefined ? { error: redactor.text(exchange.error) } : {}),
    durationMs: Math.round(exchange.durationMs),
  };
}

/** A body redacted as JSON when it is JSON, as a form when it looks like one, else as text; then cut. */
function redactBody(body: string, redactor: Redactor): string {
  let shown: string;
  try {
    shown = JSON.stringify(redactor.json(JSON.parse(body)));
  } catch {
    shown = /^[\w.%-]+=[^\s]*(&[\w.%-]+=[^\s]*)*$/.test(body) ? redactor.text(`?${body}`).slice(1) : redactor.text(body);
  }
  return shown.length > SHOWN_BODY ? `${shown.slice(0, SHOWN_BODY)}… (${shown.length} characters)` : shown;
}
