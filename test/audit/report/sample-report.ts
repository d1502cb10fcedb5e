/**
 * A made-up audit report with every status the report formats must show, for their tests: a
 * critical and a low failure, a warning, an inconclusive check, an auditor error, passes and
 * checks not run. Its summaries quote what a hostile server could send: markup, Markdown, a
 * mention, control characters.
 */
import { type AuditReport, CATALOGUE, type CheckReport, type Status } from '../../../src/audit/index.js';

/** A summary no format may let through raw: it would break XML, format Markdown or ping a team. */
export const HOSTILE_SUMMARY = 'server said <script>alert(1)</script> & "quoted" | piped **bold** [link](https://evil.example) @org/team \u0007bell\u001b[31m';

const OUTCOMES: Readonly<Record<string, { status: Status; summary: string; severity?: CheckReport['severity'] }>> = {
  'DISC-01': { status: 'pass', summary: 'initialize without a token: 401; GET: 405' },
  'DISC-02': { status: 'warn', summary: 'the challenge carries error="invalid_token" although no token was sent' },
  'DISC-03': { status: 'pass', summary: 'found at the path-inserted well-known URL' },
  'ASM-03': { status: 'fail', summary: 'code_challenge_methods_supported lists plain', severity: 'medium' },
  'AZ-01': { status: 'fail', summary: HOSTILE_SUMMARY },
  'AZ-10': { status: 'fail', summary: 'a duplicated state was accepted: the server redirected with a code' },
  'AZ-06': { status: 'inconclusive', summary: 'a login page appeared before the challenge was checked' },
  'TOK-13': { status: 'error', summary: 'the check failed to run: unexpected end of JSON input' },
};

export function sampleReport(): AuditReport {
  const checks: CheckReport[] = CATALOGUE.map((definition) => {
    const outcome = OUTCOMES[definition.id] ?? { status: 'na' as const, summary: 'not selected (--only / --skip)' };
    return {
      id: definition.id,
      title: definition.title,
      area: definition.area,
      step: definition.step,
      status: outcome.status,
      severity: outcome.severity ?? definition.severity,
      summary: outcome.summary,
      spec: definition.spec,
      evidence: {
        requests:
          outcome.status === 'na'
            ? []
            : [
                {
                  method: 'GET',
                  url: 'http://127.0.0.1:4000/authorize?client_id=abc',
                  status: 302,
                  responseHeaders: { location: 'http://evil/cb' },
                  durationMs: 3,
                },
              ],
      },
      remediation: definition.remediation,
      durationMs: outcome.status === 'na' ? 0 : 12,
    };
  });
  const count = (status: Status) => checks.filter((check) => check.status === status).length;
  return {
    tool: 'portcullis',
    version: '0.1.0',
    command: 'audit',
    target: 'http://127.0.0.1:4000/mcp',
    mode: 'unauthenticated',
    startedAt: '2026-09-01T10:00:00.000Z',
    durationMs: 1234,
    incomplete: false,
    summary: { pass: count('pass'), fail: count('fail'), warn: count('warn'), na: count('na'), inconclusive: count('inconclusive'), error: count('error') },
    checks,
  };
}
