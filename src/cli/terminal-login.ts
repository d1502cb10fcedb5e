import { ClientAuthError, type ClientContext, type ClientMetadata, createMcpOAuth, listStoredServers, type StoredServer } from '../client/index.js';
import { LoopbackTimeoutError, startLoopbackRedirect } from '../client/loopback-redirect.js';
import { openBrowser, UnsafeBrowserUrlError } from '../os/open-browser.js';
import { isSameServer } from './client-context.js';
import { CliError } from './output.js';

export interface TerminalLoginOptions {
  context: ClientContext;
  userId: string;
  serverUrl: string;
  /** Scope the person asks for on top of what the server's challenge or metadata selects (`--scope`). */
  scope?: string;
  /** Print the URL instead of starting a browser. */
  noBrowser: boolean;
  /** How long to wait for the browser to come back. */
  timeoutMs: number;
  /** Progress for the person at the terminal (stderr: stdout may be JSON or JSON-RPC). */
  progress: (line: string) => void;
}

/**
 * The client metadata the CLI registers with (RFC 7591): a public native app on a loopback
 * redirect, which says so (`application_type`, required by MCP "Client Registration").
 */
export function cliClientMetadata(redirectUrl: string): ClientMetadata {
  return {
    client_name: 'Portcullis CLI',
    application_type: 'native',
    redirect_uris: [redirectUrl],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}

/**
 * A login from a terminal: a loopback redirect on 127.0.0.1 with a port the OS picks, the
 * authorization URL opened in the browser (http/https only, no shell), the one response with our
 * `state` taken, the code redeemed and the tokens stored sealed by the client library.
 * @see RFC 8252 §7.3 (loopback redirect), §8.3 (IP literal); MCP Authorization (2026-07-28)
 */
export async function terminalLogin(options: TerminalLoginOptions): Promise<StoredServer> {
  const receiver = await startLoopbackRedirect();
  const cancel = new AbortController();
  const onSignal = () => cancel.abort(new CliError('login cancelled'));
  process.once('SIGINT', onSignal);
  try {
    const oauth = createMcpOAuth({
      ...options.context,
      userId: options.userId,
      serverUrl: options.serverUrl,
      redirectUrl: receiver.redirectUrl,
      clientMetadata: cliClientMetadata(receiver.redirectUrl),
    });
    // The scope follows the server (its challenge, then its metadata); --scope adds to it.
    const start = await oauth.start(options.scope !== undefined ? { extraScope: options.scope } : {}).catch(rethrowForCli);
    cancel.signal.throwIfAborted();
    receiver.expectState(start.state);
    if (options.noBrowser) {
      options.progress(`open this URL in your browser to log in:\n  ${start.url.href}`);
    } else {
      options.progress('opening the browser…');
      const opened = await openBrowser(start.url).catch(rethrowForCli);
      if (!opened.opened)
        options.progress(`could not start a browser${opened.detail ? ` (${opened.detail})` : ''}; open this URL to log in:\n  ${start.url.href}`);
      else options.progress(`if it did not open, visit:\n  ${start.url.href}`);
    }
    options.progress(`waiting for the redirect on ${receiver.redirectUrl} …`);
    const callback = await receiver.waitForCallback({ timeoutMs: options.timeoutMs, signal: cancel.signal }).catch((error: unknown) => {
      if (error instanceof LoopbackTimeoutError)
        throw new CliError(`login timed out: ${error.message}; run the command again (--timeout SECONDS to wait longer)`);
      throw error;
    });
    try {
      await oauth.callback(callback.params);
    } catch (error) {
      const code = error instanceof ClientAuthError ? error.code : 'login_failed';
      callback.respond({
        ok: false,
        error: code,
        description: error instanceof ClientAuthError ? error.message : 'The login could not be completed. See the terminal.',
      });
      rethrowForCli(error);
    }
    callback.respond({ ok: true, message: `You are logged in to ${new URL(options.serverUrl).host}. You can close this tab and return to the terminal.` });
    const stored = (await listStoredServers(options.context.store, options.userId)).find((s) => isSameServer(s.serverUrl, options.serverUrl));
    if (stored === undefined) throw new CliError(`the login finished but no tokens for ${options.serverUrl} were stored`);
    return stored;
  } finally {
    process.off('SIGINT', onSignal);
    await receiver.close();
  }
}

/** Turns the library's typed refusals into one-line CLI errors; anything else is passed on. */
export function rethrowForCli(error: unknown): never {
  if (error instanceof ClientAuthError) throw new CliError(`login failed (${error.code}): ${error.message}`);
  if (error instanceof UnsafeBrowserUrlError) throw new CliError(`login failed: ${error.message}`);
  throw error;
}
