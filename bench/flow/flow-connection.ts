import { Agent, request } from 'node:http';
import { computeS256Challenge } from '../../src/core/pkce.js';
import { randomSecret } from '../../src/core/secrets.js';
import { parseForm } from '../../test/support/html-form.js';

/** Where a flow goes and as whom: what a returning user's MCP client knows. */
export interface FlowTarget {
  /** The `iss` every authorization response must carry (RFC 9207 §2). */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
  /** RFC 8707 resource indicator, sent on both requests; undefined sends none. */
  resource: string | undefined;
  /** `scope` of the authorization request; undefined sends none (the server's default scopes). */
  scope: string | undefined;
  username: string;
  password: string;
}

interface Answer {
  status: number;
  location: string | undefined;
  setCookies: readonly string[];
  body: string;
}

/** What went wrong with one flow, without any code or token in it; undefined when it succeeded. */
export type FlowFailure = string | undefined;

/**
 * One client connection (one keep-alive socket) of one returning user: it signs in once through
 * the real login and consent pages, keeping the session cookie, and then runs flows whose
 * `GET /authorize` goes straight back to the redirect URI because the consent is remembered.
 */
export class FlowConnection {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly cookies = new Map<string, string>();

  constructor(private readonly target: FlowTarget) {}

  /**
   * Opens the authorization URL and answers the pages the server shows (the DESIGN.md contract:
   * `username`/`password`, then `decision=approve`) until it redirects to the client; then redeems
   * that code, so a connection that signed in has also proved the token endpoint works.
   */
  async signIn(): Promise<void> {
    const request = this.authorizationRequest();
    let answer = await this.send('GET', request.url);
    let at = request.url;
    for (let step = 0; step < 8; step++) {
      if (answer.status >= 300 && answer.status < 400 && answer.location !== undefined) {
        const next = new URL(answer.location, at).href;
        if (next.startsWith(this.target.redirectUri)) {
          const failure = await this.finishFlow(request, answer);
          if (failure !== undefined) throw new Error(`sign-in flow failed: ${failure}`);
          return;
        }
        at = next;
        answer = await this.send('GET', at);
      } else if (answer.status === 200 && /name="password"/.test(answer.body)) {
        answer = await this.submit(answer.body, at, { username: this.target.username, password: this.target.password });
      } else if (answer.status === 200 && /name="decision"/.test(answer.body)) {
        answer = await this.submit(answer.body, at, { decision: 'approve' });
      } else {
        throw new Error(`sign-in: unexpected ${answer.status} at ${new URL(at).pathname}: ${answer.body.slice(0, 200)}`);
      }
    }
    throw new Error('sign-in: no redirect back to the client after 8 steps');
  }

  /** One flow: a fresh PKCE pair and state, `GET /authorize`, then `POST /token`. */
  async runFlow(): Promise<FlowFailure> {
    const request = this.authorizationRequest();
    const answer = await this.send('GET', request.url);
    return this.finishFlow(request, answer);
  }

  close(): void {
    this.agent.destroy();
  }

  private authorizationRequest() {
    const verifier = randomSecret(32);
    const state = randomSecret(12);
    const url = new URL(this.target.authorizationEndpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.target.clientId);
    url.searchParams.set('redirect_uri', this.target.redirectUri);
    url.searchParams.set('code_challenge', computeS256Challenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', state);
    if (this.target.resource !== undefined) url.searchParams.set('resource', this.target.resource);
    if (this.target.scope !== undefined) url.searchParams.set('scope', this.target.scope);
    return { url: url.href, verifier, state };
  }

  /** Checks the authorization response (OAuth 2.1 §4.1.2, RFC 9207) and redeems its code. */
  private async finishFlow(request: { verifier: string; state: string }, answer: Answer): Promise<FlowFailure> {
    if (answer.status !== 302 && answer.status !== 303) return `authorize: status ${answer.status}`;
    if (answer.location === undefined || !answer.location.startsWith(this.target.redirectUri)) return 'authorize: redirect elsewhere than the redirect URI';
    const callback = new URL(answer.location).searchParams;
    if (callback.has('error')) return `authorize: error ${callback.get('error')}`;
    if (callback.get('state') !== request.state) return 'authorize: wrong state';
    if (callback.get('iss') !== this.target.issuer) return 'authorize: wrong iss';
    const code = callback.get('code');
    if (code === null) return 'authorize: no code';

    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.target.redirectUri,
      client_id: this.target.clientId,
      code_verifier: request.verifier,
    });
    if (this.target.resource !== undefined) form.set('resource', this.target.resource);
    const token = await this.send('POST', this.target.tokenEndpoint, form.toString());
    if (token.status !== 200) return `token: status ${token.status} ${errorCodeOf(token.body)}`.trimEnd();
    const body = JSON.parse(token.body) as Record<string, unknown>;
    if (typeof body['access_token'] !== 'string') return 'token: no access_token';
    if (typeof body['refresh_token'] !== 'string') return 'token: no refresh_token';
    return undefined;
  }

  private submit(html: string, pageUrl: string, fields: Record<string, string>): Promise<Answer> {
    const form = parseForm(html);
    return this.send('POST', new URL(form.action, pageUrl).href, new URLSearchParams({ ...form.hidden, ...fields }).toString());
  }

  private send(method: 'GET' | 'POST', url: string, form?: string): Promise<Answer> {
    const target = new URL(url);
    const headers: Record<string, string> = { Accept: method === 'GET' ? 'text/html' : 'application/json' };
    if (this.cookies.size > 0) headers['Cookie'] = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = String(Buffer.byteLength(form));
    }
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method, headers, agent: this.agent },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => {
            const setCookies = incoming.headers['set-cookie'] ?? [];
            this.remember(setCookies);
            resolve({ status: incoming.statusCode ?? 0, location: incoming.headers.location, setCookies, body: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(form);
    });
  }

  private remember(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const pair = line.split(';', 1)[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** The OAuth `error` code of an error body, or '' (never the description: it may echo input). */
function errorCodeOf(body: string): string {
  try {
    const error = (JSON.parse(body) as Record<string, unknown>)['error'];
    return typeof error === 'string' ? error : '';
  } catch {
    return '';
  }
}
