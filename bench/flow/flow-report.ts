import { median } from '../support/run-options.js';
import type { CaseMeasurement } from './measure-case.js';

export interface CaseRound extends CaseMeasurement {
  round: number;
  /** Requests the proxy sent to each instance (proxied cases). */
  forwarded: number[] | undefined;
}

export interface CaseSummary {
  id: string;
  label: string;
  /** Medians over the rounds that ran. */
  flowsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuUsPerFlow: number;
  databaseCpuUsPerFlow: number;
  proxyCpuUsPerFlow: number;
  driverCpuShare: number;
  benchmarkCpuShare: number;
  /** The highest over the rounds. */
  otherShare: number;
  failedFlows: number;
  rounds: CaseRound[];
}

export function summarize(id: string, label: string, rounds: CaseRound[]): CaseSummary {
  const mid = (pick: (r: CaseRound) => number) => (rounds.length === 0 ? 0 : median(rounds.map(pick)));
  return {
    id,
    label,
    flowsPerSecond: mid((r) => r.flowsPerSecond),
    p50Ms: mid((r) => r.p50Ms),
    p99Ms: mid((r) => r.p99Ms),
    serverCpuUsPerFlow: mid((r) => r.serverCpuUsPerFlow),
    databaseCpuUsPerFlow: mid((r) => r.databaseCpuUsPerFlow),
    proxyCpuUsPerFlow: mid((r) => r.proxyCpuUsPerFlow),
    driverCpuShare: mid((r) => r.driverCpuShare),
    benchmarkCpuShare: mid((r) => r.benchmarkCpuShare),
    otherShare: Math.max(0, ...rounds.map((r) => r.otherShare)),
    failedFlows: rounds.reduce((sum, r) => sum + Object.values(r.failures).reduce((a, b) => a + b, 0), 0),
    rounds,
  };
}

export interface Ratio {
  name: string;
  /** flows/s of the first over the second. */
  flowsPerSecond: number;
  /** server CPU per flow of the first over the second (above 1: the first spends more per flow). */
  serverCpuPerFlow: number;
}

/** The comparisons the benchmark is for, where both cases ran. */
export function ratios(summaries: readonly CaseSummary[]): Ratio[] {
  const byId = new Map(summaries.map((s) => [s.id, s]));
  const pairs: Array<[string, string, string]> = [
    ['PostgreSQL / SQLite', 'postgres', 'sqlite'],
    ['2 instances / 1 instance (both via proxy)', 'postgres-proxy-2', 'postgres-proxy-1'],
    ['1 instance via proxy / direct (PostgreSQL)', 'postgres-proxy-1', 'postgres'],
    ['SQLite / oidc-provider', 'sqlite', 'oidc-provider'],
    ['SQLite / bare node:http', 'sqlite', 'bare'],
  ];
  return pairs.flatMap(([name, a, b]) => {
    const first = byId.get(a);
    const second = byId.get(b);
    if (first === undefined || second === undefined || second.flowsPerSecond === 0 || second.serverCpuUsPerFlow === 0) return [];
    return [{ name, flowsPerSecond: first.flowsPerSecond / second.flowsPerSecond, serverCpuPerFlow: first.serverCpuUsPerFlow / second.serverCpuUsPerFlow }];
  });
}

const percent = (share: number) => `${(share * 100).toFixed(0)} %`;

/** The table on stdout (without --json). */
export function formatReport(summaries: readonly CaseSummary[], cpuCount: number): string {
  const headers = [
    'case',
    'flows/s',
    'p50 ms',
    'p99 ms',
    'failed',
    'server CPU µs/flow',
    'PostgreSQL CPU µs/flow',
    'proxy CPU µs/flow',
    'driver CPU',
    `all bench CPU (of ${cpuCount})`,
    'other CPU',
  ];
  const rows = summaries.map((s) => [
    s.label,
    s.failedFlows > 0 ? `FAILED ${s.flowsPerSecond.toFixed(0)}` : s.flowsPerSecond.toFixed(0),
    s.p50Ms.toFixed(2),
    s.p99Ms.toFixed(2),
    String(s.failedFlows),
    s.serverCpuUsPerFlow.toFixed(0),
    s.databaseCpuUsPerFlow === 0 ? '–' : s.databaseCpuUsPerFlow.toFixed(0),
    s.proxyCpuUsPerFlow === 0 ? '–' : s.proxyCpuUsPerFlow.toFixed(0),
    percent(s.driverCpuShare),
    percent(s.benchmarkCpuShare),
    percent(s.otherShare),
  ]);
  const ratioRows = ratios(summaries).map((r) => [r.name, `${r.flowsPerSecond.toFixed(2)}×`, `${r.serverCpuPerFlow.toFixed(2)}×`]);
  return [alignColumns(headers, rows), '', alignColumns(['ratio', 'flows/s', 'server CPU µs/flow'], ratioRows)].join('\n');
}

function alignColumns(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}
