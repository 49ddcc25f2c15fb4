import type { VPSchedule } from '../../diffusion/schedule.ts';
import { type Precision, unitRoundoff } from '../../numerics/roundingArithmetic.ts';
import { type SubjectPrecision, coefficientSpread, explainingCoefficientPrecision, roundingNote, roundingTolerance, subjectPrecision } from '../roundingTolerance.ts';
import type { Hello } from '../protocol.ts';
import { compareBatch } from './checkDefinition.ts';

/** One compared row: the subject's answer, scorecheck's, the magnitude of its terms, and its step. */
export interface RoundedRow {
  readonly got: ArrayLike<number>;
  readonly expected: ArrayLike<number>;
  readonly scale: ArrayLike<number>;
  /** Internal step t of the row's schedule coefficients. */
  readonly t: number;
  /**
   * The row's expected value as a function of the schedule (for the coefficient spread); several
   * when real code uses forms that agree only on a consistent schedule (src/subject/equivalentForms.ts).
   */
  readonly recompute: ((s: VPSchedule) => ArrayLike<number>) | readonly ((s: VPSchedule) => ArrayLike<number>)[];
}

export interface RoundedComparison {
  readonly ok: boolean;
  /** The worst error in units of float32 rounding of its terms (u₃₂ × the entry's scale). */
  readonly float32Multiple: number;
  readonly maxError: number;
  readonly tolerance: number;
  readonly at: [number, number];
  /** log10(error/tolerance) at the worst entry (> 0 fails). */
  readonly margin: number;
  /** On failure: a coarser coefficient precision whose rounding explains every error, if any. */
  readonly explainedBy?: Precision;
  /** On failure explained by rounding: the sentence to report instead of a bug diagnosis. */
  readonly roundingNote?: string;
}

function spread(r: RoundedRow, schedule: VPSchedule, p: SubjectPrecision): Float64Array {
  const forms = typeof r.recompute === 'function' ? [r.recompute] : r.recompute;
  const out = new Float64Array(r.expected.length);
  for (const f of forms) coefficientSpread(schedule, r.t, p.coefficients, f).forEach((v, j) => (out[j] = Math.max(out[j], v)));
  return out;
}

function tolerances(rows: readonly RoundedRow[], schedule: VPSchedule, p: SubjectPrecision, d: number): Float64Array[] {
  return rows.map((r) => roundingTolerance(r.scale, spread(r, schedule, p), p, d));
}

/**
 * compareBatch with tolerances from the rounding model of the declared precisions
 * (src/subject/roundingTolerance.ts, MATH.md §7.1), and on failure the coefficient precision
 * that would explain it, so that a float32 table declared float64 reads as rounding, not a bug.
 */
export function compareRounded(rows: readonly RoundedRow[], schedule: VPSchedule, hello: Hello, d: number): RoundedComparison {
  const declared = subjectPrecision(hello);
  const got = rows.map((r) => r.got), expected = rows.map((r) => r.expected);
  const raw = compareBatch(got, expected, tolerances(rows, schedule, declared, d), 1);
  const cmp = { ok: raw.ok, maxError: raw.maxError, tolerance: raw.tolerance, at: raw.at };
  const margin = cmp.maxError === 0 ? -20 : cmp.tolerance > 0 ? Math.log10(cmp.maxError / cmp.tolerance) : Infinity;
  const float32Multiple = cmp.maxError / (unitRoundoff('float32') * Math.max(rows[cmp.at[0]].scale[cmp.at[1]], Number.MIN_VALUE));
  if (cmp.ok) return { ...cmp, margin, float32Multiple };
  const explainedBy = explainingCoefficientPrecision(declared, (p) => compareBatch(got, expected, tolerances(rows, schedule, p, d), 1).ok);
  return { ...cmp, margin, float32Multiple, explainedBy, roundingNote: explainedBy ? roundingNote(explainedBy, declared) : undefined };
}
