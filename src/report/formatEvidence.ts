import type { ClaimReport } from './reportModel.ts';
import { formatNumber } from './formatNumber.ts';

/**
 * One line of evidence: the worst closed-form error against its tolerance, the
 * worst Monte Carlo |z| against its critical value, samples and runs, e.g.
 * `err 3.1e-12 ≤ 1e-9 · |z| 2.13 < 5.33 · 4e5 samples · 100 runs`.
 */
export function formatEvidence(c: Pick<ClaimReport, 'evidence' | 'verdict' | 'counterexample'>): string {
  const e = c.evidence;
  const parts: string[] = [];
  if (e.replay === 'reproduced') parts.push('saved counterexample reproduced');
  if (e.maxError !== undefined) {
    const op = e.tolerance === undefined ? '' : e.maxError <= e.tolerance ? ' ≤ ' : ' > ';
    const [shown, limit] = distinguishable(e.maxError, e.tolerance);
    parts.push(`${e.metric ?? 'err'} ${shown}${limit !== undefined ? `${op}${limit}` : ''}`);
  }
  if (e.z !== undefined) {
    const az = Math.abs(e.z);
    const op = e.zCritical === undefined ? '' : az <= e.zCritical ? ' ≤ ' : ' > ';
    parts.push(`|z| ${formatNumber(az, 3)}${e.zCritical !== undefined ? `${op}${formatNumber(e.zCritical, 3)}` : ''}`);
  }
  if (e.samples !== undefined && e.samples > 0) parts.push(`${formatNumber(e.samples, 2)} samples`);
  parts.push(`${e.runs} run${e.runs === 1 ? '' : 's'}`);
  if (e.shrinks > 0) parts.push(`${e.shrinks} shrinks`);
  if (e.replay === 'no-longer-fails') parts.push('saved counterexample no longer fails');
  if (e.replay === 'not-replayable') parts.push('saved counterexample not replayable');
  return parts.join(' · ');
}

/** Formats a value and its limit with the fewest significant digits (2…6) that keep them apart: "1.03 > 1", not "1 > 1". */
function distinguishable(value: number, limit: number | undefined): [string, string | undefined] {
  for (let digits = 2; digits <= 6; digits++) {
    const v = formatNumber(value, digits);
    const l = limit === undefined ? undefined : formatNumber(limit, digits);
    if (l === undefined || v !== l || value === limit) return [v, l];
  }
  return [formatNumber(value, 6), limit === undefined ? undefined : formatNumber(limit, 6)];
}
