import { type AddressKind, addressKind } from '../core/ip-address.js';
import { addressesOf } from '../http/pinned-request.js';
import type { Exchange } from './exchange.js';
import type { FactName, Facts, FactValues } from './facts/index.js';
import type { GuardedFetch, ProbeRequest, RecordingFetch } from './guarded-fetch.js';
import type { Redactor } from './redactor.js';
import type { AuditSettings } from './settings.js';
import { NotReachedError } from './verdict.js';

/**
 * What a check works with: the settings, a guarded fetch whose exchanges become this check's
 * evidence, the facts earlier steps established (their exchanges become evidence of each check
 * that relies on them), and the redactor, told of every secret the check obtains.
 */
export interface Probe {
  readonly settings: AuditSettings;
  readonly fetch: GuardedFetch;
  fact<K extends FactName>(name: K): Promise<FactValues[K]>;
  /** {@link fact}, or undefined when the server broke the flow before it (NotReachedError): for checks that can go on without it. */
  factIfReached<K extends FactName>(name: K): Promise<FactValues[K] | undefined>;
  /** The kinds of address `url`'s host resolves to (nothing is fetched); empty when it does not resolve. */
  addressKinds(url: URL): Promise<AddressKind[]>;
  /** A secret obtained (a code, a token): kept out of every report. */
  remember(secret: string | undefined): void;
  /** Tells the user something while the audit runs (progress on stderr): a URL to open, a wait. */
  note(message: string): void;
  /** Work to undo when the audit ends (a client to delete). */
  onCleanup(work: () => Promise<void>): void;
}

export interface ProbeEnvironment {
  readonly settings: AuditSettings;
  readonly fetch: RecordingFetch;
  readonly facts: Facts;
  readonly redactor: Redactor;
  readonly cleanups: (() => Promise<void>)[];
  readonly onNote?: (message: string) => void;
}

/** A probe for one check, and the exchanges it collected. */
export function createProbe(environment: ProbeEnvironment): { probe: Probe; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const record = (exchange: Exchange) => exchanges.push(exchange);
  const seenFacts = new Set<FactName>();
  const probe: Probe = {
    settings: environment.settings,
    fetch: (url, request: ProbeRequest = {}) => environment.fetch(url, request, record),
    async fact(name) {
      const { value, exchanges: factExchanges } = environment.facts.get(name);
      try {
        return await value;
      } finally {
        if (!seenFacts.has(name)) {
          seenFacts.add(name);
          exchanges.push(...factExchanges);
        }
      }
    },
    addressKinds: (url) =>
      addressesOf(url, environment.settings.lookup).then(
        (addresses) => addresses.map(({ address }) => addressKind(address)),
        () => [],
      ),
    factIfReached(name) {
      return probe.fact(name).catch((error: unknown) => {
        if (error instanceof NotReachedError) return undefined;
        throw error;
      });
    },
    remember: (secret) => environment.redactor.remember(secret),
    onCleanup: (work) => environment.cleanups.push(work),
    note: (message) => environment.onNote?.(environment.redactor.text(message)),
  };
  return { probe, exchanges };
}
