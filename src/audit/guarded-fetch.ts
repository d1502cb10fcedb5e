import type { LookupAddress } from 'node:dns';
import type { IncomingHttpHeaders } from 'node:http';
import { type AddressKind, addressKind } from '../core/ip-address.js';
import { type AddressLookup, addressesOf, sendPinnedRequest } from '../http/pinned-request.js';
import type { Exchange } from './exchange.js';

/**
 * The one way the auditor reaches a URL. The auditor is a client that hostile servers will point
 * at internal addresses, so every URL a server supplies goes through here: http(s) only; every
 * address of the host is checked (IP literals too, which DNS hooks never see) and the connection
 * is pinned to the checked address; link-local and cloud-metadata addresses are always refused,
 * loopback only when the target itself is on loopback, private ranges only when the target is on
 * a private address, anything else not public only with `--allow-private`; redirects are never
 * followed (they are answers to look at); the body is read up to a limit and the whole exchange
 * has a deadline; the number of requests is bounded.
 * @see MCP Security Best Practices, "Server-Side Request Forgery"; RFC 9728 §7.7
 */

export interface ProbeRequest {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | URLSearchParams;
}

export interface ProbeResponse {
  readonly url: URL;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly truncated: boolean;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json(): unknown;
  /** The `Location` of a redirect, resolved against the request URL; undefined when there is none or it is not a URL. */
  location(): URL | undefined;
}

/** The auditor refused to send a request: the URL is not one it may fetch. */
export class RefusedUrlError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`refused to fetch ${url}: ${reason}`);
    this.name = 'RefusedUrlError';
  }
}

/** The request budget is spent: the audit stops probing rather than load the server. */
export class BudgetExhaustedError extends Error {
  constructor(readonly budget: number) {
    super(`the request budget (${budget}) is spent`);
    this.name = 'BudgetExhaustedError';
  }
}

export interface GuardedFetchOptions {
  /** What kind of address the target is on, which decides where else the auditor may go. */
  readonly targetKind: AddressKind;
  /** DANGEROUS: also reach private, loopback and other non-public addresses for a public target. */
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** The most requests of the whole audit. */
  readonly budget: number;
  /** Milliseconds between two requests (politeness to a shared server). */
  readonly paceMs: number;
  readonly lookup?: AddressLookup;
}

/** Whether the auditor may connect to an address of this kind, for a target on an address of `target`'s kind. */
export function mayConnect(kind: AddressKind, target: AddressKind, allowPrivate: boolean): boolean {
  switch (kind) {
    case 'public':
      return true;
    case 'link-local':
      // Cloud metadata services live here; nothing an OAuth server names may point there.
      return false;
    case 'loopback':
      return target === 'loopback' || allowPrivate;
    case 'private':
      return target === 'private' || allowPrivate;
    case 'special':
      return allowPrivate;
  }
}

export type GuardedFetch = (url: string | URL, request?: ProbeRequest) => Promise<ProbeResponse>;

/** A guarded fetch that records into the sink it is called with (each check and each fact keeps its own exchanges). */
export type RecordingFetch = (url: string | URL, request: ProbeRequest, record: (exchange: Exchange) => void) => Promise<ProbeResponse>;

/** The request as sent: the method, the auditor's default headers under the caller's, and the body as text. */
function outgoing(request: ProbeRequest): { method: string; headers: Record<string, string>; body: string | undefined } {
  const method = request.method ?? (request.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json, text/html;q=0.9, */*;q=0.1', 'user-agent': 'portcullis-audit', ...request.headers };
  const body = request.body instanceof URLSearchParams ? request.body.toString() : request.body;
  if (request.body instanceof URLSearchParams && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  return { method, headers, body };
}

/** The URL to fetch, or RefusedUrlError: only absolute http(s) URLs are ever fetched. */
function fetchableUrl(href: string): URL {
  if (!URL.canParse(href)) throw new RefusedUrlError(href, 'not a URL');
  const url = new URL(href);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RefusedUrlError(href, `the ${url.protocol} scheme is never fetched`);
  return url;
}

function headersOf(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

/** A guarded fetch; `record` sees every exchange, answered or not. */
export function createGuardedFetch(options: GuardedFetchOptions): RecordingFetch & { readonly used: () => number } {
  let used = 0;
  let last = 0;
  /** Spends one request of the budget, after the pause `--pace` asks for. */
  const take = async () => {
    if (used >= options.budget) throw new BudgetExhaustedError(options.budget);
    used++;
    const wait = last + options.paceMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    last = Date.now();
  };
  const fetch = async (input: string | URL, request: ProbeRequest, record: (exchange: Exchange) => void): Promise<ProbeResponse> => {
    const { method, headers, body } = outgoing(request);
    const href = String(input);
    const started = performance.now();
    const exchange = { method, url: href, requestHeaders: headers, requestBody: body };
    const recordFailure = (error: string) =>
      record({ ...exchange, status: undefined, responseHeaders: {}, responseBody: undefined, error, durationMs: performance.now() - started });
    let url: URL;
    let address: LookupAddress;
    try {
      url = fetchableUrl(href);
      await take();
      address = await checkedAddress(url, options);
    } catch (error) {
      if (!(error instanceof BudgetExhaustedError)) recordFailure((error as Error).message);
      throw error;
    }
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      const response = await sendPinnedRequest({ url, address, method, headers, ...(body !== undefined ? { body } : {}), maxBytes: options.maxBytes, signal });
      const responseHeaders = headersOf(response.headers);
      const text = response.body.toString('utf8');
      const shown = Object.fromEntries([...responseHeaders.entries()]);
      record({
        ...exchange,
        status: response.status,
        responseHeaders: shown,
        responseBody: text.slice(0, 8192),
        error: undefined,
        durationMs: performance.now() - started,
      });
      return probeResponse(url, response.status, responseHeaders, text, response.truncated);
    } catch (error) {
      const message = signal.aborted ? `no answer within ${options.timeoutMs} ms` : (error as Error).message;
      recordFailure(message);
      throw new Error(`${method} ${url.origin}${url.pathname}: ${message}`, { cause: error });
    }
  };
  return Object.assign(fetch, { used: () => used });
}

async function checkedAddress(url: URL, options: GuardedFetchOptions): Promise<LookupAddress> {
  let addresses: LookupAddress[];
  try {
    addresses = await addressesOf(url, options.lookup);
  } catch (error) {
    throw new Error(`${url.hostname} could not be resolved (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (addresses.length === 0) throw new Error(`${url.hostname} has no addresses`);
  for (const { address } of addresses) {
    const kind = addressKind(address);
    if (!mayConnect(kind, options.targetKind, options.allowPrivate)) {
      throw new RefusedUrlError(
        url.href,
        `${url.hostname} is at ${address}, a ${kind} address${kind === 'link-local' ? '' : ' (allowed only with --allow-private, or when the target is one too)'}`,
      );
    }
  }
  return addresses[0]!;
}

function probeResponse(url: URL, status: number, headers: Headers, text: string, truncated: boolean): ProbeResponse {
  let parsed: { value: unknown } | undefined;
  return {
    url,
    status,
    headers,
    text,
    truncated,
    json() {
      if (parsed === undefined) {
        try {
          parsed = { value: JSON.parse(text) };
        } catch {
          parsed = { value: undefined };
        }
      }
      return parsed.value;
    },
    location() {
      const location = headers.get('location');
      if (location === null || !URL.canParse(location, url)) return undefined;
      return new URL(location, url);
    },
  };
}
