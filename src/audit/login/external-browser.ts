import { spawn } from 'node:child_process';
import { assertBrowserUrl, openBrowser } from '../../os/open-browser.js';
import type { Canary } from '../facts/canary.js';
import { InconclusiveError } from '../verdict.js';
import type { AuthorizationDriver } from './authorization-driver.js';

/** How long a person (or a script) has to finish one authorization. */
const WAIT_MS = 300_000;

/**
 * `--browser system` (the user's browser, opened as `portcullis login` opens it: http(s) only,
 * never through a shell) and `--browser-command CMD` (CMD run with the URL as its one argument,
 * no shell): the auditor waits for the browser to arrive at the redirect URI on its canary. After
 * the first, later authorizations usually go through on the server's session without a page.
 */
export function createExternalBrowser(
  canary: Canary,
  how: { kind: 'system' } | { kind: 'command'; command: string },
  onNote: (message: string) => void,
): AuthorizationDriver {
  return {
    async complete(url, redirectUri) {
      const arrived = canary.waitFor(redirectUri, WAIT_MS);
      if (how.kind === 'system') {
        const opened = await openBrowser(url);
        if (!opened.opened) onNote(`open this URL in a browser to continue the audit: ${assertBrowserUrl(url)}`);
      } else {
        const [program, ...args] = how.command.split(' ').filter((part) => part !== '');
        if (program === undefined) throw new InconclusiveError('--browser-command is empty');
        const child = spawn(program, [...args, assertBrowserUrl(url)], { stdio: 'ignore', shell: false });
        child.on('error', () => {});
      }
      try {
        return { callback: await arrived, hops: [], pages: [] };
      } catch (error) {
        throw new InconclusiveError((error as Error).message);
      }
    },
  };
}
