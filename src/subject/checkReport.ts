import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Hello } from './protocol.ts';
import type { CheckResult } from './runChecks.ts';

export const CHECK_REPORT_FORMAT = 'scorecheck-check-report/1';

export interface CheckReport {
  readonly format: typeof CHECK_REPORT_FORMAT;
  readonly subject: { readonly spec: string; readonly hello?: Hello; readonly stderrTail?: string };
  readonly settings: { readonly seed: number; readonly runs: number; readonly statisticalRuns: number; readonly timeoutMs: number; readonly only?: readonly string[] };
  readonly verdict: 'pass' | 'fail' | 'error';
  readonly exitCode: 0 | 1 | 2;
  /** A failure that prevented the checks from running at all (start-up, handshake). */
  readonly fatal?: string;
  readonly checks: readonly CheckResult[];
  readonly callsPerOp: Readonly<Record<string, number>>;
  readonly durationMs: number;
  readonly replay: string;
}

/** Exit code: 2 if the subject misbehaved (error) or nothing ran, 1 if a check failed, else 0. */
export function verdictOf(checks: readonly CheckResult[], fatal?: string): { verdict: CheckReport['verdict']; exitCode: 0 | 1 | 2 } {
  if (fatal || checks.some((c) => c.status === 'error')) return { verdict: 'error', exitCode: 2 };
  if (checks.some((c) => c.status === 'fail')) return { verdict: 'fail', exitCode: 1 };
  if (!checks.some((c) => c.status === 'pass')) return { verdict: 'error', exitCode: 2 };
  return { verdict: 'pass', exitCode: 0 };
}

export function writeCheckReport(file: string, report: CheckReport): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

const short = (v: unknown) => {
  const s = JSON.stringify(v, (_k, x) => (typeof x === 'number' ? Number(x.toPrecision(10)) : x));
  return s === undefined ? String(v) : s.length > 400 ? `${s.slice(0, 397)}...` : s;
};

/** The verdict table and, for every failure, the shrunk counterexample. */
export function formatCheckReport(r: CheckReport): string {
  const out: string[] = [];
  out.push(`scorecheck check — ${r.subject.hello?.name ?? r.subject.spec}${r.subject.hello ? ` (parameterization ${r.subject.hello.parameterization ?? '—'})` : ''}`);
  if (r.fatal) out.push(`ERROR ${r.fatal}`);
  out.push(`${pad('check', 24)}${pad('status', 9)}${pad('runs', 6)}${pad('calls', 7)}detail`);
  for (const c of r.checks) {
    const detail = c.status === 'pass' ? (c.kind === 'statistical' ? `${c.assertions} z-tests at α = ${c.falseAlarm?.toExponential(1)}` : c.reason ?? '') : c.reason ?? '';
    out.push(`${pad(c.id, 24)}${pad(c.status.toUpperCase(), 9)}${pad(String(c.runs), 6)}${pad(String(c.calls), 7)}${detail.length > 160 ? `${detail.slice(0, 157)}...` : detail}`);
  }
  for (const c of r.checks) {
    if (!(c.status === 'fail' || c.status === 'error') || !c.counterexample) continue;
    const o = c.counterexample.outcome;
    out.push('');
    out.push(`✗ ${c.id} — op "${o.op ?? c.op}", request ${o.requestId ?? '?'}; shrunk to d = ${c.counterexample.size.d}, batch = ${c.counterexample.size.batch} after ${c.shrinks} shrinks${c.path ? ` (fast-check seed ${c.seed}, path ${c.path})` : ''}`);
    if (o.inputs !== undefined) out.push(`  inputs:   ${short(o.inputs)}`);
    if (o.expected !== undefined) out.push(`  expected: ${short(o.expected)}`);
    if (o.got !== undefined) out.push(`  got:      ${short(o.got)}`);
    if (o.maxError !== undefined) out.push(`  error ${o.maxError.toExponential(3)} > tolerance ${o.tolerance?.toExponential(3)}`);
    if (o.note) out.push(`  ${o.note}`);
  }
  out.push('');
  out.push(`verdict: ${r.verdict.toUpperCase()} (exit ${r.exitCode}); replay: ${r.replay}`);
  return out.join('\n');
}
