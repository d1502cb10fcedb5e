import type { CheckDefinition } from '../check-definition.js';
import { rfc } from './spec.js';

export const REV_CHECKS: readonly CheckDefinition[] = [
  {
    id: 'REV-01',
    area: 'REV',
    step: 'revocation',
    title: "A client cannot revoke another client's token",
    severity: 'high',
    needs: ['login', 'second-client'],
    spec: [rfc(7009, '2.1')],
    remediation: 'Revoke a token only when the authenticated client is the one it was issued to; otherwise leave it alone.',
    destructive: true,
  },
  {
    id: 'REV-02',
    area: 'REV',
    step: 'revocation',
    title: 'Revocation accepts unknown tokens and cascades to access tokens',
    severity: 'low',
    needs: [],
    spec: [rfc(7009, '2.1'), rfc(7009, '2.2')],
    remediation: "Answer 200 to a revocation of an unknown token, and revoke a refresh token's access tokens along with it.",
    destructive: true,
  },
  {
    id: 'REV-03',
    area: 'REV',
    step: 'revocation',
    title: 'Introspection requires authentication',
    severity: 'high',
    needs: [],
    spec: [rfc(7662, '2.1')],
    remediation: 'Require client or resource-server authentication at the introspection endpoint, and answer 401 without it.',
  },
];
