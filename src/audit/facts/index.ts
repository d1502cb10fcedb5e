import type { Exchange } from '../exchange.js';
import type { AuthorizationDriver } from '../login/authorization-driver.js';
import type { Probe } from '../probe.js';
import { type AuthorizationBaseline, observeAuthorizationBaseline } from './authorization-baseline.js';
import { type AuthorizationServerFact, findAuthorizationServer } from './authorization-server.js';
import { type Canary, startCanary } from './canary.js';
import { type Challenge, observeChallenge } from './challenge.js';
import { type AuditClient, obtainClient } from './client.js';
import { chooseDriver } from './driver.js';
import { observeRegistrationBaseline, type RegistrationBaseline } from './registration-baseline.js';
import { findResourceMetadata, type ResourceMetadataFact } from './resource-metadata.js';
import { obtainSecondClient } from './second-client.js';
import { obtainTokenBaseline, type TokenBaseline } from './token-baseline.js';

/**
 * What earlier steps established, which later checks build on: each is found once per audit, on
 * first use, with its own exchanges (they become evidence of every check that uses it). A fact
 * that cannot be established throws NotReachedError (the flow broke at its step) or
 * InconclusiveError, and every check that needs it says so.
 */
export interface FactValues {
  challenge: Challenge;
  resourceMetadata: ResourceMetadataFact;
  authorizationServer: AuthorizationServerFact;
  canary: Canary;
  client: AuditClient;
  authorizationBaseline: AuthorizationBaseline;
  registrationBaseline: RegistrationBaseline;
  /** How authorizations are completed when logged in (`--browser`). */
  driver: AuthorizationDriver;
  /** The compliant flow's tokens (TOK-01): the first logged-in authorization. */
  tokenBaseline: TokenBaseline;
  /** Another client registered dynamically, for the checks that a code or token is bound to its client (S2). */
  secondClient: AuditClient;
}
export type FactName = keyof FactValues;

const MAKERS: { readonly [K in FactName]: (probe: Probe) => Promise<FactValues[K]> } = {
  challenge: observeChallenge,
  resourceMetadata: findResourceMetadata,
  authorizationServer: findAuthorizationServer,
  canary: startCanary,
  client: obtainClient,
  authorizationBaseline: observeAuthorizationBaseline,
  registrationBaseline: observeRegistrationBaseline,
  driver: chooseDriver,
  tokenBaseline: obtainTokenBaseline,
  secondClient: obtainSecondClient,
};

export class Facts {
  readonly #made = new Map<FactName, { value: Promise<unknown>; exchanges: Exchange[] }>();

  /** `newProbe` gives each fact a probe of its own, so its exchanges are kept apart. */
  constructor(private readonly newProbe: () => { probe: Probe; exchanges: Exchange[] }) {}

  get<K extends FactName>(name: K): { value: Promise<FactValues[K]>; exchanges: Exchange[] } {
    let made = this.#made.get(name);
    if (made === undefined) {
      const { probe, exchanges } = this.newProbe();
      const value = MAKERS[name](probe);
      // Handled by every check that awaits it; not an unhandled rejection when none does.
      value.catch(() => {});
      made = { value, exchanges };
      this.#made.set(name, made);
    }
    return made as { value: Promise<FactValues[K]>; exchanges: Exchange[] };
  }

  /** Whether a fact was established, for the report's `incomplete` (never starts one). */
  async settled(name: FactName): Promise<'absent' | 'ok' | Error> {
    const made = this.#made.get(name);
    if (made === undefined) return 'absent';
    return made.value.then(
      () => 'ok' as const,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
  }
}
