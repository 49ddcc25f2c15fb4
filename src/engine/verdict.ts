import type { Finding, PropertyRun } from './runProperty.ts';

/**
 * What a run concluded about one claim or check, against what was expected.
 * - `holds`: expected to hold; no case failed and every Monte Carlo case had its stated power.
 * - `refuted-as-expected`: expected to be refuted; a (shrunk) counterexample was found — the evidence.
 * - `counterexample`: unexpected — a property expected to hold failed, or one expected to be refuted did not.
 * - `inconclusive`: no failure, but the evidence cannot earn "holds" (not enough power, or interrupted).
 * - `error`: the check threw, the subject crashed or hung, or the run broke its false-alarm plan.
 * - `skipped`: not run (a subject that does not declare the op); listed with its reason.
 */
export type Verdict = 'holds' | 'refuted-as-expected' | 'counterexample' | 'inconclusive' | 'error' | 'skipped';

export const VERDICTS: readonly Verdict[] = ['holds', 'refuted-as-expected', 'counterexample', 'inconclusive', 'error', 'skipped'];

export function verdictOf(run: Pick<PropertyRun, 'finding' | 'expected'>): Verdict {
  const f: Finding = run.finding;
  if (f === 'error') return 'error';
  if (f === 'inconclusive') return 'inconclusive';
  if (f === 'skipped') return 'skipped';
  if (f === 'fails') return run.expected === 'refuted' ? 'refuted-as-expected' : 'counterexample';
  return run.expected === 'holds' ? 'holds' : 'counterexample';
}

/** Is this verdict what the registry (or the user's declaration) expects? `skipped` is decided by the gate, not here. */
export function verdictIsExpected(v: Verdict): boolean {
  return v === 'holds' || v === 'refuted-as-expected' || v === 'skipped';
}
