import type { AuthorizationDriver } from '../login/authorization-driver.js';
import { createAutoBrowser } from '../login/auto-browser.js';
import { createExternalBrowser } from '../login/external-browser.js';
import type { Probe } from '../probe.js';

/** The browser of `--browser`: built in (`auto`), the user's (`system`), or a command. */
export async function chooseDriver(probe: Probe): Promise<AuthorizationDriver> {
  const { browser, username, password } = probe.settings;
  if (browser.kind === 'auto') return createAutoBrowser({ fetch: probe.fetch, username, password });
  return createExternalBrowser(await probe.fact('canary'), browser, (message) => probe.note(message));
}
