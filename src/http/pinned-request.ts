import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

/**
 * One HTTP request to an address already checked, for clients that fetch URLs someone else chose
 * (a Client ID Metadata Document, the auditor's probes of a hostile server): the connection goes
 * to that address and nowhere else, so DNS rebinding between the check and the connection is
 * impossible; no redirect is followed; the body is read up to a limit; one deadline covers it all.
 */

/** A DNS lookup with the shape of `node:dns` `lookup(hostname, { all: true }, callback)`. */
export type AddressLookup = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** Every address of `url`'s host: the host itself when it is an IP literal (no DNS lookup is asked about those). */
export function addressesOf(url: URL, lookup: AddressLookup = dnsLookup): Promise<LookupAddress[]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(host);
  if (family !== 0) return Promise.resolve([{ address: host, family }]);
  return new Promise((resolve, reject) => {
    lookup(host, { all: true }, (error, addresses) => (error === null ? resolve(addresses) : reject(error)));
  });
}

/** A lookup that answers with `address` whatever it is asked, so the connection cannot go elsewhere. */
export function pinnedLookup(address: LookupAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all === true) callback(null, [address]);
    else callback(null, address.address, address.family);
  };
}

export interface PinnedRequest {
  readonly url: URL;
  readonly address: LookupAddress;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** The most body bytes kept; the rest is not read. */
  readonly maxBytes: number;
  readonly signal: AbortSignal;
}

export interface PinnedResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body went past `maxBytes`: `body` holds the first `maxBytes`. */
  readonly truncated: boolean;
}

/** Sends one request to the pinned address; rejects on a network error or once `signal` aborts. */
export function sendPinnedRequest(request: PinnedRequest): Promise<PinnedResponse> {
  return new Promise((resolve, reject) => {
    const send = request.url.protocol === 'https:' ? httpsRequest : httpRequest;
    // agent: false — a fresh connection every time, never a pooled socket resolved some other way.
    const outgoing = send(request.url, { method: request.method, agent: false, lookup: pinnedLookup(request.address), headers: request.headers });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      request.signal.removeEventListener('abort', abort);
      outcome();
    };
    const fail = (error: Error) =>
      settle(() => {
        outgoing.destroy();
        reject(error);
      });
    const abort = () => fail(request.signal.reason instanceof Error ? request.signal.reason : new Error('aborted'));
    if (request.signal.aborted) return abort();
    request.signal.addEventListener('abort', abort, { once: true });
    outgoing.on('error', fail);
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (truncated: boolean) =>
        settle(() => {
          if (truncated) response.destroy();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).subarray(0, request.maxBytes), truncated });
        });
      response.on('error', fail);
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        chunks.push(chunk);
        if (size > request.maxBytes) finish(true);
      });
      response.on('end', () => finish(false));
      response.on('close', () => {
        if (!response.complete) fail(new Error('connection closed before the response ended'));
      });
    });
    outgoing.end(request.body);
  });
}
