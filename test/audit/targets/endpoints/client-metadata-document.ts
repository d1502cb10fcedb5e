import { has, type TargetState } from '../target-state.js';

/**
 * Flaws of the target's Client ID Metadata Documents (with the `clientIdMetadataDocuments`
 * option), each loosening one rule of how a document is fetched or what is believed of it.
 */
export type ClientMetadataDocumentFlaw =
  /** REG-08: the document fetch follows redirects, wherever they point. */
  | 'cimd-follows-redirects'
  /** REG-08 (medium): redirects are followed, and the client_id is compared with the URL the fetch ended at, so the document is refused, but only after the fetch went where the redirect pointed. */
  | 'cimd-follows-redirects-checks-final-url'
  /** REG-08: a document of any size is read. */
  | 'cimd-no-size-limit'
  /** REG-08 (with --slow): the fetch has no deadline, so a document that never ends holds the authorization request. */
  | 'cimd-no-fetch-timeout'
  /** REG-08: the document's client_id is not compared with its URL. */
  | 'cimd-client-id-unchecked'
  /** REG-08: the request's redirect_uri is registered for the client too, whether the document lists it or not. */
  | 'cimd-redirect-uri-from-request'
  /** REG-08: a document that cannot be had (an address refused, a 404, a redirect, too large, too slow) is no reason to refuse: the client is taken with the request's redirect_uri. */
  | 'cimd-fetch-failure-accepted';

// Forms a correct target may take that are not flaws (see TargetOptions in target-state.ts).
declare module '../target-state.js' {
  interface TargetOptions {
    /** The authorization server takes Client ID Metadata Documents (and says so in its metadata). */
    readonly clientIdMetadataDocuments?: boolean;
  }
}

/** draft §8.7 advises 5 KB at most. */
const MAX_DOCUMENT_BYTES = 5 * 1024;
/** One deadline for the whole fetch, body included. */
const FETCH_TIMEOUT_MS = 1000;

/** Why a document was refused: `fetch` when it could not be had at all, `document` when what it says was not believed. */
class DocumentRefused extends Error {
  constructor(
    readonly stage: 'fetch' | 'document',
    reason: string,
  ) {
    super(reason);
  }
}

const follows = (state: TargetState) => has(state, 'cimd-follows-redirects') || has(state, 'cimd-follows-redirects-checks-final-url');

/** The body, at most `limit` bytes of it (more is refused, and the rest never read). */
async function readLimited(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await reader?.read();
    if (next === undefined || next.done) break;
    size += next.value.byteLength;
    if (size > limit) {
      await reader?.cancel();
      throw new DocumentRefused('fetch', 'too large');
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The redirect URIs the document at `clientId` lists, or DocumentRefused. The target and its
 * tests' documents are on loopback, so any other host is refused before a connection is made
 * (draft §8.6); 200 only, no redirects followed (§5); the client_id must be the URL (§4).
 */
async function documentRedirectUris(state: TargetState, clientId: string): Promise<string[]> {
  if (new URL(clientId).hostname !== '127.0.0.1') throw new DocumentRefused('fetch', 'not a loopback address');
  let text: string;
  let fetchedFrom = clientId;
  try {
    const response = await fetch(clientId, {
      headers: { accept: 'application/json' },
      redirect: follows(state) ? 'follow' : 'manual',
      ...(has(state, 'cimd-no-fetch-timeout') ? {} : { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) }),
    });
    if (response.status !== 200) throw new DocumentRefused('fetch', `status ${response.status}`);
    fetchedFrom = response.url;
    text = await readLimited(response, has(state, 'cimd-no-size-limit') ? Number.POSITIVE_INFINITY : MAX_DOCUMENT_BYTES);
  } catch (error) {
    throw error instanceof DocumentRefused ? error : new DocumentRefused('fetch', 'fetch failed');
  }
  let document: { client_id?: unknown; redirect_uris?: unknown };
  try {
    document = JSON.parse(text) as typeof document;
  } catch {
    throw new DocumentRefused('document', 'not JSON');
  }
  const expected = has(state, 'cimd-follows-redirects-checks-final-url') ? fetchedFrom : clientId;
  if (document.client_id !== expected && !has(state, 'cimd-client-id-unchecked')) throw new DocumentRefused('document', 'client_id is not the URL');
  const uris = document.redirect_uris;
  if (!Array.isArray(uris) || uris.length === 0 || !uris.every((uri) => typeof uri === 'string')) throw new DocumentRefused('document', 'no redirect_uris');
  return uris;
}

/**
 * Before GET /authorize: a client_id that is an http(s) URL of no registered client is looked up
 * as a Client ID Metadata Document, and the client it describes is kept (a cache without expiry:
 * every document URL of an audit is new). Nothing is kept when the document is refused, so the
 * authorization endpoint answers as for an unknown client.
 */
export async function admitMetadataDocumentClient(state: TargetState, url: URL): Promise<void> {
  const clientId = url.searchParams.get('client_id');
  if (state.options.clientIdMetadataDocuments !== true || clientId === null || state.clients.has(clientId)) return;
  if (!/^https?:\/\//.test(clientId) || !URL.canParse(clientId)) return;
  const presented = url.searchParams.get('redirect_uri');
  let redirectUris: string[];
  try {
    redirectUris = await documentRedirectUris(state, clientId);
  } catch (error) {
    if (!(error instanceof DocumentRefused) || error.stage !== 'fetch' || !has(state, 'cimd-fetch-failure-accepted')) return;
    redirectUris = [];
  }
  const fromRequest = presented !== null && (has(state, 'cimd-redirect-uri-from-request') || redirectUris.length === 0);
  state.clients.set(clientId, {
    clientId,
    clientSecret: undefined,
    redirectUris: fromRequest ? [...redirectUris, presented] : redirectUris,
    registrationAccessToken: '',
  });
}
