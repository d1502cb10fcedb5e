import { z } from 'zod';
import type { Keyring } from '../core/seal.js';

/**
 * What the client seals at rest (docs/design.md invariant 7), each bound by its context (AES-GCM
 * associated data) to the row it belongs to, so a sealed value copied into another row, another
 * user's or another server's, does not open.
 */

const tokenSecretsSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string().optional(),
  token_type: z.string(),
});
export type TokenSecrets = z.infer<typeof tokenSecretsSchema>;

const pendingSecretsSchema = z.object({
  verifier: z.string(),
  clientId: z.string(),
  redirectUri: z.string(),
  scope: z.array(z.string()),
  resource: z.string(),
});
export type PendingSecrets = z.infer<typeof pendingSecretsSchema>;

const tokensContext = (userId: string, serverUrl: string, issuer: string) => `client_tokens.sealed\n${userId}\n${serverUrl}\n${issuer}`;
const pendingContext = (stateHash: string) => `client_pending_logins.sealed\n${stateHash}`;
const secretContext = (issuer: string, redirectUri: string) => `client_registrations.client_secret_sealed\n${issuer}\n${redirectUri}`;

export function sealTokens(keyring: Keyring, row: { userId: string; serverUrl: string; issuer: string }, secrets: TokenSecrets): string {
  return keyring.seal(JSON.stringify(secrets), tokensContext(row.userId, row.serverUrl, row.issuer));
}

export function openTokens(keyring: Keyring, row: { userId: string; serverUrl: string; issuer: string; sealed: string }): TokenSecrets {
  return tokenSecretsSchema.parse(JSON.parse(keyring.open(row.sealed, tokensContext(row.userId, row.serverUrl, row.issuer))));
}

export function sealPending(keyring: Keyring, stateHash: string, secrets: PendingSecrets): string {
  return keyring.seal(JSON.stringify(secrets), pendingContext(stateHash));
}

export function openPending(keyring: Keyring, stateHash: string, sealed: string): PendingSecrets {
  return pendingSecretsSchema.parse(JSON.parse(keyring.open(sealed, pendingContext(stateHash))));
}

export function sealClientSecret(keyring: Keyring, issuer: string, redirectUri: string, secret: string): string {
  return keyring.seal(secret, secretContext(issuer, redirectUri));
}

export function openClientSecret(keyring: Keyring, issuer: string, redirectUri: string, sealed: string): string {
  return keyring.open(sealed, secretContext(issuer, redirectUri));
}
