import type { Logger } from 'pino';
import type { ClientRecord, ClientStore } from '../../store/types.js';
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config.js';
import type { ServerContext } from '../context.js';
import { createClientMetadataDocumentResolver } from './client-metadata-document.js';
import { isClientMetadataDocumentUrl } from './client-metadata-document-url.js';
import { createRegisteredClientCache } from './registered-client-cache.js';

/** The two ways request handlers find a client (see ServerContext). */
export type ClientResolution = Pick<ServerContext, 'resolveClient' | 'resolveAuthenticatingClient'>;

/**
 * How a client_id is resolved: a registered client first (DCR or pre-registered), else, when
 * Client ID Metadata Documents are enabled and the id is a document URL, the client its document
 * describes; else none. Client authentication reads registered clients through a 2 s cache
 * (registered-client-cache.ts); the browser pages always read the store. Warns at start when
 * documents may be fetched from loopback and private addresses.
 * @see MCP Authorization (2026-07-28) "Client Registration"; draft-ietf-oauth-client-id-metadata-document-02 §3
 */
export function createClientResolution(
  settings: Pick<ServerConfig, 'clientMetadataDocuments'>,
  clients: Pick<ClientStore, 'find'>,
  clock: Clock,
  logger: Logger,
): ClientResolution {
  const { enabled, dangerouslyAllowLoopback } = settings.clientMetadataDocuments;
  if (dangerouslyAllowLoopback) {
    logger.warn(
      { event: 'insecure_setting', setting: 'clientMetadataDocuments.dangerouslyAllowLoopback' },
      'DANGEROUS: client metadata documents may be fetched from loopback and private addresses',
    );
  }
  const metadataDocuments = createClientMetadataDocumentResolver({ dangerouslyAllowLoopback, now: () => clock.now() });
  const registeredClients = createRegisteredClientCache((clientId) => clients.find(clientId));

  const resolve = async (clientId: string, findRegistered: (clientId: string) => Promise<ClientRecord | undefined>) => {
    const registered = await findRegistered(clientId);
    if (registered !== undefined) return registered;
    if (enabled && isClientMetadataDocumentUrl(clientId, dangerouslyAllowLoopback)) return metadataDocuments.resolve(clientId);
    return undefined;
  };
  return {
    resolveClient: (clientId) => resolve(clientId, (id) => clients.find(id)),
    resolveAuthenticatingClient: (clientId) => resolve(clientId, registeredClients.find),
  };
}
