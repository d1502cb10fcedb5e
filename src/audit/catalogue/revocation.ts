import type { CheckDefinition } from '../check-definition.js';
import { rfc } from './spec.js';

export const REV_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'REV-01',
    area: 'REV',
    step: 'revocation',
    title: "client A cannot revoke client B's token",
    severity: 'high',
    needs: ['login', 'second-client'],
    spec: [rfc(7009, '2.1')],
    remediation: 'TODO',
    destructive: true,
  },
  {
    id: 'REV-02',
    area: 'REV',
    step: 'revocation',
    title: 'unknown token \u21d2 200; revoking RT kills its ATs (SHOULD)',
    severity: 'low',
    needs: [],
    spec: [rfc(7009, '2.1'), rfc(7009, '2.2')],
    remediation: 'TODO',
    destructive: true,
  },
  {
    id: 'REV-03',
    area: 'REV',
    step: 'revocation',
    title: 'introspection without client auth \u21d2 401',
    severity: 'high',
    needs: [],
    spec: [rfc(7662, '2.1')],
    remediation: 'TODO',
  },
];
