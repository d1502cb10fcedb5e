/** Names of fields whose values are secrets and must never be logged. */
const SECRET_FIELDS =
  /^(code|code_verifier|refresh_token|access_token|token|client_secret|password|id_token|authorization|cookie|set-cookie|csrf_token|state)$/i;

/** Whether a field, parameter or header of this name holds a secret (codes, tokens, verifiers, secrets, cookies). */
export function isSecretField(name: string): boolean {
  return SECRET_FIELDS.test(name);
}

/**
 * A secret shown so that two can be told apart and none can be used: its first and last four
 * characters and its length, `abcd…wxyz (len=43)`; only the length when it is under 16 characters,
 * where eight would give too much of it away.
 */
export function redactValue(value: string): string {
  return value.length < 16 ? `… (len=${value.length})` : `${value.slice(0, 4)}…${value.slice(-4)} (len=${value.length})`;
}

/** Copies a flat record with every secret-looking field replaced, for logs. */
export function redactSecrets(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) out[key] = SECRET_FIELDS.test(key) ? '[redacted]' : value;
  return out;
}
