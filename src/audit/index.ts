/**
 * `portcullis/audit`: audit a live MCP server's OAuth from your own tests.
 *
 * ```ts
 * const report = await audit({ target: 'https://mcp.example.com/mcp' });
 * assert.equal(report.checks.filter((check) => check.status === 'fail').length, 0);
 * ```
 */
export { CATALOGUE, checkDefinition } from './catalogue/index.js';
export type { Area, CheckDefinition, Need, Severity, SpecReference, Step } from './check-definition.js';
export { AREAS, SEVERITIES, STEPS } from './check-definition.js';
export type { ReportedExchange } from './exchange.js';
export type { AuditReport, CheckReport } from './report/audit-report.js';
export { auditExitCode, type FailOn } from './report/exit-code.js';
export { AuditUsageError } from './resolve-settings.js';
export { audit } from './run-audit.js';
export type { AuditOptions, AuditProgress, BrowserChoice } from './settings.js';
export type { Status } from './verdict.js';
