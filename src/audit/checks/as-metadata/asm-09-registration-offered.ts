import type { Check } from '../../check.js';
import { fail, pass } from '../../verdict.js';

/**
 * ASM-09: a client has a way to register: Client ID Metadata Documents
 * (`client_id_metadata_document_supported: true`), dynamic registration (`registration_endpoint`),
 * or a client registered beforehand (`--client-id`). An MCP client meeting a server with none
 * cannot connect without someone registering it by hand.
 * @see MCP Authorization (2026-07-28) "Client Registration Approaches"; RFC 7591 §3; draft-ietf-oauth-client-id-metadata-document
 */
export const ASM_09: Check = {
  id: 'ASM-09',
  async run(probe) {
    const { metadata } = await probe.fact('authorizationServer');
    const ways = [
      ...(metadata['client_id_metadata_document_supported'] === true ? ['Client ID Metadata Documents'] : []),
      ...(typeof metadata['registration_endpoint'] === 'string' ? ['dynamic registration'] : []),
    ];
    if (ways.length > 0) return pass(`clients can register by ${ways.join(' and ')}`);
    if (probe.settings.clientId !== undefined) return pass('no registration is advertised, and a pre-registered client was given (--client-id)');
    return fail('neither client_id_metadata_document_supported nor registration_endpoint: an MCP client cannot register without help');
  },
};
