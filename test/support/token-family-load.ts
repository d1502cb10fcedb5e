/**
 * A load driver for durability tests: returning users' clients that run full authorization-code +
 * PKCE flows (a logged-in session and remembered consent, so `/authorize` goes straight back with
 * a code) and refresh rotations, one request at a time per client and several clients at once,
 * and that remember exactly what they were answered: every code and whether its redemption was
 * answered, every token family with every refresh and access token it received, and which
 * rotation was sent but never answered. A request that fails (the server died) ends that client.
 */
import { computeS256Challenge } from '../../src/core/pkce.js';
import { randomSecret } from '../../src/core/secrets.js';
import {
  authorizationParams,
  authorizationUrl,
  DEFAULT_REDIRECT_URI,
  type Login,
  obtainCode,
  redeemCode,
  refreshTokens,
  registerPublicClient,
  type ServerMetadata,
} from './authorization-flow.js';
import { FormBrowser } from './browser.js';

/** One refresh-token family (a grant), as its client knows it. */
export interface KnownFamily {
  readonly grantId: string;
  readonly clientId: string;
  /** Every refresh token received, oldest first; the last is the one to use. */
  readonly refreshTokens: string[];
  readonly accessTokens: string[];
  /** The generation of the last refresh token received (refresh-token-value.ts: `<grant>.<generation>.<MAC>`). */
  generation: number;
  /** A rotation was sent and never answered. */
  rotationUnanswered: boolean;
}

/** A code obtained from `/authorize` and sent to the token endpoint. */
export interface SentCode {
  readonly clientId: string;
  readonly code: string;
  readonly verifier: string;
  /** The token endpoint answered its redemption (with tokens, or with a refusal in `unexpected`). */
  answered: boolean;
  /** The family its tokens belong to, once answered with tokens. */
  grantId?: string;
}

export interface LoadRecord {
  readonly families: Map<string, KnownFamily>;
  readonly codes: SentCode[];
  /** Answers that were neither tokens nor a dead connection: none is expected. */
  readonly unexpected: string[];
  flows: number;
  rotations: number;
  /** Token requests sent and not yet answered, now. */
  tokenRequestsInFlight: number;
}

export interface LoadClient {
  readonly clientId: string;
  readonly browser: FormBrowser;
}

/** The grant and generation a refresh token names. */
export function refreshTokenId(token: string): { grantId: string; generation: number } {
  const match = /^([A-Za-z0-9_-]+)\.(\d+)\.[A-Za-z0-9_-]+$/.exec(token);
  if (match === null) throw new Error('not a refresh token of this server');
  return { grantId: match[1]!, generation: Number(match[2]) };
}

/** Registers `count` public clients and signs `login` in once for each (login and consent pages), keeping each session. */
export async function prepareLoadClients(as: ServerMetadata, login: Login, resource: string, count: number): Promise<LoadClient[]> {
  const clients: LoadClient[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = await registerPublicClient(as);
    const browser = new FormBrowser(new URL(as.issuer).origin);
    // Leaves the session cookie and the remembered consent; the code is not used.
    await obtainCode(as, clientId, login, { resource, browser });
    clients.push({ clientId, browser });
  }
  return clients;
}

export interface LoadOptions {
  /** Checked before each request: true ends the client's loop. */
  stopped(): boolean;
  /** Share of operations that are new flows once a client has two families (default 0.35). */
  flowShare?: number;
}

/** Runs every client's loop until `stopped()` or its connection fails; resolves when all have ended. */
export function runTokenFamilyLoad(
  as: ServerMetadata,
  clients: readonly LoadClient[],
  resource: string,
  options: LoadOptions,
): { record: LoadRecord; done: Promise<void> } {
  const record: LoadRecord = { families: new Map(), codes: [], unexpected: [], flows: 0, rotations: 0, tokenRequestsInFlight: 0 };
  const tokenRequest = async <T>(send: () => Promise<T>): Promise<T> => {
    record.tokenRequestsInFlight += 1;
    try {
      return await send();
    } finally {
      record.tokenRequestsInFlight -= 1;
    }
  };
  const flowShare = options.flowShare ?? 0.35;

  const receive = (clientId: string, body: Record<string, unknown>): string => {
    const refreshToken = body['refresh_token'] as string;
    const { grantId, generation } = refreshTokenId(refreshToken);
    const known = record.families.get(grantId);
    if (known === undefined) {
      record.families.set(grantId, {
        grantId,
        clientId,
        refreshTokens: [refreshToken],
        accessTokens: [body['access_token'] as string],
        generation,
        rotationUnanswered: false,
      });
    } else {
      known.refreshTokens.push(refreshToken);
      known.accessTokens.push(body['access_token'] as string);
      known.generation = generation;
    }
    return grantId;
  };

  /** One full flow; false once the server is gone. */
  const flow = async (client: LoadClient): Promise<boolean> => {
    const verifier = randomSecret(32);
    const url = authorizationUrl(as, { ...authorizationParams(client.clientId, { code_challenge: computeS256Challenge(verifier) }), resource });
    let code: string | null;
    try {
      const step = await client.browser.navigate(url);
      if (step.leftTo === undefined) {
        record.unexpected.push(`authorize answered ${step.response.status} without redirecting`);
        return false;
      }
      code = new URL(step.leftTo).searchParams.get('code');
    } catch {
      return false;
    }
    if (code === null) {
      record.unexpected.push('authorize redirected without a code');
      return false;
    }
    const sent: SentCode = { clientId: client.clientId, code, verifier, answered: false };
    record.codes.push(sent);
    let answer: Awaited<ReturnType<typeof redeemCode>>;
    try {
      answer = await tokenRequest(() => redeemCode(as, { clientId: client.clientId, code, verifier, redirectUri: DEFAULT_REDIRECT_URI, resource }));
    } catch {
      return false;
    }
    sent.answered = true;
    if (answer.status !== 200) {
      record.unexpected.push(`code redemption answered ${answer.status} ${String(answer.body['error'])}`);
      return false;
    }
    sent.grantId = receive(client.clientId, answer.body);
    record.flows += 1;
    return true;
  };

  /** One rotation of `family`; false once the server is gone. */
  const rotate = async (family: KnownFamily): Promise<boolean> => {
    let answer: Awaited<ReturnType<typeof refreshTokens>>;
    try {
      answer = await tokenRequest(() => refreshTokens(as, { clientId: family.clientId, refreshToken: family.refreshTokens.at(-1)! }));
    } catch {
      family.rotationUnanswered = true;
      return false;
    }
    if (answer.status !== 200) {
      record.unexpected.push(`rotation answered ${answer.status} ${String(answer.body['error'])}`);
      return false;
    }
    receive(family.clientId, answer.body);
    record.rotations += 1;
    return true;
  };

  const loop = async (client: LoadClient) => {
    for (;;) {
      if (options.stopped()) return;
      const mine = [...record.families.values()].filter((f) => f.clientId === client.clientId);
      const going = mine.length < 2 || Math.random() < flowShare ? await flow(client) : await rotate(mine[Math.floor(Math.random() * mine.length)]!);
      if (!going) return;
    }
  };
  return { record, done: Promise.all(clients.map(loop)).then(() => undefined) };
}
