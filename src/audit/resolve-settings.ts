import { type AddressKind, addressKind } from '../core/ip-address.js';
import { addressesOf } from '../http/pinned-request.js';
import type { AuditOptions, AuditSettings } from './settings.js';

/** Options that cannot be used, said in words a user can act on (the CLI exits 2 with it). */
export class AuditUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditUsageError';
  }
}

/** The most private kind among the target's addresses (a name with one loopback address is a loopback target). */
function targetKindOf(kinds: readonly AddressKind[]): AddressKind {
  for (const kind of ['loopback', 'private', 'link-local', 'special'] as const) if (kinds.includes(kind)) return kind;
  return 'public';
}

/** Checks the options and fills in the defaults; resolves the target's host to know what kind of address it is on. */
export async function resolveSettings(options: AuditOptions): Promise<AuditSettings> {
  if (!URL.canParse(options.target)) throw new AuditUsageError(`${options.target} is not a URL: give the MCP endpoint, e.g. https://mcp.example.com/mcp`);
  const target = new URL(options.target);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new AuditUsageError(`${options.target}: the target must be an http(s) URL`);
  if (target.username !== '' || target.password !== '') throw new AuditUsageError('the target URL must not carry a user name or password');
  target.hash = '';
  const redirectUri = options.redirectUri === undefined ? undefined : new URL(options.redirectUri);
  if (redirectUri !== undefined && (redirectUri.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(redirectUri.hostname))) {
    throw new AuditUsageError('--redirect-uri must be a loopback http URI (http://127.0.0.1/callback): the auditor listens there');
  }
  if (options.publicUrl !== undefined && !URL.canParse(options.publicUrl)) throw new AuditUsageError(`--public-url ${options.publicUrl} is not a URL`);
  const positive = (value: number | undefined, name: string, fallback: number) => {
    if (value === undefined) return fallback;
    if (!Number.isFinite(value) || value < 0) throw new AuditUsageError(`${name} must be a non-negative number`);
    return value;
  };
  let kinds: AddressKind[];
  try {
    kinds = (await addressesOf(target, options.lookup)).map(({ address }) => addressKind(address));
  } catch {
    // Unresolvable: the challenge step reports the target as unreachable.
    kinds = ['public'];
  }
  return {
    target,
    targetKind: targetKindOf(kinds),
    login: options.login ?? false,
    slow: options.slow ?? false,
    allowPrivate: options.allowPrivate ?? false,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri,
    publicUrl: options.publicUrl === undefined ? undefined : new URL(options.publicUrl),
    browser: options.browser ?? { kind: 'auto' },
    username: options.username,
    password: options.password,
    probeRateLimit: options.probeRateLimit ?? false,
    foreignToken: options.foreignToken,
    verifyCallTool: options.verifyCallTool ?? false,
    timeoutMs: positive(options.timeoutMs, 'the timeout', 10_000),
    requestBudget: positive(options.requestBudget, 'the request budget', 600),
    paceMs: positive(options.paceMs, 'the pace', 0),
    lookup: options.lookup,
  };
}
