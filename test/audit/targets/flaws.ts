import type { AuthorizeFlaw } from './endpoints/authorize.js';
import type { ClientMetadataDocumentFlaw } from './endpoints/client-metadata-document.js';
import type { McpFlaw } from './endpoints/mcp.js';
import type { MetadataFlaw } from './endpoints/metadata.js';
import type { RegisterFlaw } from './endpoints/register.js';
import type { RevocationFlaw } from './endpoints/revocation.js';
import type { TokenFlaw } from './endpoints/token.js';

/**
 * One flaw each: a target started with a flaw behaves correctly in every other respect, so the
 * check that must catch it is the only one that may change its verdict. Each endpoint file names
 * its own flaws and documents what each one does.
 */
export type Flaw = MetadataFlaw | McpFlaw | AuthorizeFlaw | RegisterFlaw | TokenFlaw | RevocationFlaw | ClientMetadataDocumentFlaw;
