import type { ResultRow } from './reportModel.ts';
import { formatNumber } from './formatNumber.ts';

/**
 * One line of evidence: the worst closed-form comparison, the Monte Carlo comparison
 * nearest its critical value, what the weakest Monte Carlo case could detect, samples,
 * cases and how far the targeted search climbed, e.g.
 * `err 3.1e-12 ≤ 1e-9 · |z| 2.13 ≤ 5.33 · detects 6.1 % (power 0.99) · 4e5 samples · 100 cases · climbed −3.2 → −2.9`.
 */
export function formatEvidence(c: Pick<ResultRow, 'evidence' | 'verdict' | 'storeNotes'>): string {
  const e = c.evidence;
  const parts: string[] = [];
  if (e.phases.replayed > 0 && c.storeNotes.includes('saved counterexample reproduced')) parts.push('saved counterexample reproduced');
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
  if (e.detectable) {
    const d = e.detectable;
    parts.push(`detects ${pct(d.relative)}${d.met ? '' : ` > target ${pct(d.target)}`} (power ${d.power})`);
  }
  if (e.samples !== undefined && e.samples > 0) parts.push(`${formatNumber(e.samples, 2)} samples`);
  parts.push(`${e.runs} case${e.runs === 1 ? '' : 's'}`);
  if (e.target && e.target.steps > 0) parts.push(`climbed ${formatNumber(e.target.startMargin, 2)} → ${formatNumber(e.target.bestMargin, 2)}`);
  if (e.shrinks > 0) parts.push(`${e.shrinks} shrinks`);
  if (e.note) parts.push(e.note);
  return parts.join(' · ');
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${formatNumber(100 * x, 2)} %` : '∞';
}

/** Formats a value and its limit with the fewest significant digits (2…6) that keep them apart: "1.03 > 1", not "1 > 1". */
export function distinguishable(value: number, limit: number | undefined): [string, string | undefined] {
  for (let digits = 2; digits <= 6; digits++) {
    const v = formatNumber(value, digits);
    const l = limit === undefined ? undefined : formatNumber(limit, digits);
    if (l === undefined || v !== l || value === limit) return [v, l];
  }
  return [formatNumber(value, 6), limit === undefined ? undefined : formatNumber(limit, 6)];
}
