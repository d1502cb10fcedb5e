import type { Check } from '../../check.js';
import { fail, NotReachedError, pass } from '../../verdict.js';

/**
 * DISC-03: the protected-resource metadata is where an MCP client looks: the challenge's
 * `resource_metadata`, the well-known URL with the path inserted, or the root one, as a 200 JSON object.
 * @see RFC 9728 §3.1, §3.2
 */
export const DISC_03: Check = {
  id: 'DISC-03',
  async run(probe) {
    try {
      const found = await probe.fact('resourceMetadata');
      return pass(`found at ${found.url.href} (${found.source})`);
    } catch (error) {
      if (error instanceof NotReachedError && error.step === 'resource-metadata') return fail(error.message);
      throw error;
    }
  },
};
