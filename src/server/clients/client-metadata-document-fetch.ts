import type { LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { OAuthError } from '../../core/errors.js';
import { addressKind, isLoopbackAddress, isPrivateAddress } from '../../core/ip-address.js';
import { type AddressLookup, pinnedLookup } from '../../http/pinned-request.js';
import { metadataDocumentRefusal as refuse } from './client-metadata-document-refusal.js';

export type { AddressLookup } from '../../http/pinned-request.js';

export interface DocumentFetchLimits {
  /** The whole fetch, DNS included, in milliseconds. */
  readonly timeoutMs: number;
  /** The most response body read; more is an error. */
  readonly maxBytes: number;
  /** DANGEROUS: fetch from loopback and private addresses (see ClientMetadataDocumentOptions). */
  readonly allowLoopback: boolean;
  readonly lookup: AddressLookup;
}

/** A document as served: its body (UTF-8 text) and its response headers, read by lower-case name. */
export interface FetchedDocument {
  readonly body: string;
  header(name: string): string | undefined;
}

/** Media types that are JSON: `application/json` and `application/<anything>+json` (draft §4; RFC 6839 §3.1). */
function isJsonContentType(value: string | undefined): boolean {
  return /^application\/(?:[a-z0-9!#$&^_.-]+\+)?json[\t ]*(?:;|$)/i.test(value ?? '');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

const timedOut = (timeoutMs: number) => refuse('Fetching the client metadata document took too long.', `timeout: after ${timeoutMs} ms`);

/** A promise that rejects with `onAbort()` once `signal` aborts, whatever `work` does. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, onAbort: () => OAuthError): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

function lookupAll(lookup: AddressLookup, hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all: true }, (error, addresses) => {
      if (error !== null) reject(refuse("The client_id URL's host could not be resolved.", `dns: ${hostname}: ${error.code ?? error.message}`));
      else resolve(addresses);
    });
  });
}

/** The address to connect to, after checking every address the host has (draft §8.6). */
async function checkedAddress(url: URL, limits: DocumentFetchLimits): Promise<LookupAddress> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  const addresses = family !== 0 ? [{ address: host, family }] : await lookupAll(limits.lookup, host);
  if (addresses.length === 0) throw refuse("The client_id URL's host could not be resolved.", `dns: ${host}: no addresses`);
  for (const { address } of addresses) {
    // http is only ever allowed (under the dangerous switch) to this machine itself; cloud metadata
    // and other link-local addresses never, whatever the switch (draft §8.6: SSRF's first target).
    const refused =
      addressKind(address) === 'link-local' || (url.protocol === 'http:' ? !isLoopbackAddress(address) : !limits.allowLoopback && isPrivateAddress(address));
    if (refused) throw refuse('The client_id URL does not point to a public address.', `address: ${host} -> ${address}`);
  }
  return addresses[0]!;
}

/** Refuses a response before its body is read: §5 (200 only, no redirects), §4 (JSON), §8.7 (size). */
function checkResponseHead(response: IncomingMessage, maxBytes: number): OAuthError | null {
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    return refuse('The client_id URL answered with a redirect, which is not followed.', `redirect: status ${status}`);
  }
  if (status !== 200) return refuse('The client metadata document could not be fetched.', `status: ${status}`);
  const type = header(response.headers, 'content-type');
  if (!isJsonContentType(type)) {
    return refuse('The client metadata document is not served as JSON.', `content-type: ${(type ?? 'none').slice(0, 80)}`);
  }
  const length = Number(header(response.headers, 'content-length') ?? '0');
  if (length > maxBytes) return refuse('The client metadata document is too large.', `size: content-length ${length} > ${maxBytes}`);
  return null;
}

/** Reads a checked response's body, at most `maxBytes` of UTF-8 (RFC 8259 §8.1), failing through `fail`. */
function readBody(response: IncomingMessage, maxBytes: number, fail: (error: OAuthError) => void, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    // §8.7: stop reading at the limit rather than buffer whatever the client serves.
    if (size > maxBytes) fail(refuse('The client metadata document is too large.', `size: over ${maxBytes} bytes`));
    else chunks.push(chunk);
  });
  response.on('end', () => {
    let body: string;
    try {
      body = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch {
      return fail(refuse('The client metadata document is not valid JSON.', 'json: not UTF-8'));
    }
    done(body);
  });
  response.on('close', () => {
    if (!response.complete) fail(refuse('The client metadata document could not be fetched.', 'fetch: connection closed early'));
  });
}

/** One GET to the pinned address, reading at most `maxBytes`; settles once, on the first outcome. */
function getDocument(url: URL, address: LookupAddress, maxBytes: number, signal: AbortSignal, onAbort: () => OAuthError): Promise<FetchedDocument> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // agent: false — a fresh connection every time, never a pooled socket resolved some other way.
    const request = send(url, {
      method: 'GET',
      agent: false,
      lookup: pinnedLookup(address),
      headers: { accept: 'application/json', 'accept-encoding': 'identity', 'user-agent': 'portcullis' },
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', abort);
      outcome();
    };
    const fail = (error: OAuthError) =>
      settle(() => {
        request.destroy();
        reject(error);
      });
    const abort = () => fail(onAbort());
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    request.on('error', (error) => fail(refuse('The client metadata document could not be fetched.', `fetch: ${error.message}`)));
    request.on('response', (response) => {
      response.on('error', (error) => fail(refuse('The client metadata document could not be fetched.', `fetch: ${error.message}`)));
      const problem = checkResponseHead(response, maxBytes);
      if (problem !== null) return fail(problem);
      readBody(response, maxBytes, fail, (body) => settle(() => resolve({ body, header: (name) => header(response.headers, name) })));
    });
    request.end();
  });
}

/**
 * Fetches a Client ID Metadata Document: bounded in time (DNS included) and size, following no
 * redirect, and only from public addresses: the host's addresses are checked, and the connection
 * is made to the checked address, so DNS rebinding between check and connect is impossible.
 * Throws OAuthError `invalid_client` (client-metadata-document-refusal.ts).
 * @see draft-ietf-oauth-client-id-metadata-document-02 §5, §8.6, §8.7
 */
export async function fetchClientMetadataDocument(url: URL, limits: DocumentFetchLimits): Promise<FetchedDocument> {
  // One deadline for DNS, connection and body, so a slow or silent host cannot hold a request
  // (MCP Authorization "Authorization Server Abuse Protection"; draft §8.6, §8.7).
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  const onAbort = () => timedOut(limits.timeoutMs);
  try {
    const address = await untilAborted(checkedAddress(url, limits), controller.signal, onAbort);
    return await getDocument(url, address, limits.maxBytes, controller.signal, onAbort);
  } finally {
    clearTimeout(timer);
  }
}
