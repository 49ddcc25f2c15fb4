import { InvalidArgumentError } from '../errors.ts';
import { type Precision, boundArithmetic, exactArithmetic, precisionsFinestFirst, unitRoundoff } from '../numerics/roundingArithmetic.ts';
import { requireFiniteArray } from '../validate.ts';
import { type NamedScheduleSpec, type TableRepresentation, convertTable, describeNamedSchedule, namedScheduleTable } from './namedSchedules.ts';

/*
 * A subject's schedule table against the schedule it names (MATH.md §7.2). The reference is
 * rebuilt in float64; the tolerance of entry t is the running error bound e_t of the same
 * construction evaluated in the declared coefficient precision (boundArithmetic), so a
 * float32 table built by the declared recipe is within e_t by construction, and a
 * difference larger than the bound of every precision is not rounding.
 */

export interface TableComparison {
  readonly representation: TableRepresentation;
  readonly expected: Float64Array;
  /** Per-entry rounding bound at `precision`. */
  readonly bound: Float64Array;
  readonly precision: Precision;
  /** max_t |got_t − expected_t|/bound_t (0 when every entry is equal; ∞ when a bound is 0 and the entry differs). */
  readonly ratio: number;
  /** Index (0-based, the subject's first noisy step first) of the entry that attains `ratio`. */
  readonly worstIndex: number;
  /** max_t |got_t − expected_t|/|expected_t| (entries with expected 0 use the absolute error). */
  readonly maxRelativeError: number;
}

/** Per-entry error bounds of `spec`'s table in representation `to`, built in precision p. */
export function namedScheduleBounds(spec: NamedScheduleSpec, to: TableRepresentation, p: Precision): Float64Array {
  const A = boundArithmetic(p);
  const t = convertTable(namedScheduleTable(spec, A), to, A);
  return Float64Array.from(t.values, (v) => v.e);
}

/** The exact table of `spec` in representation `to`. */
export function namedScheduleReference(spec: NamedScheduleSpec, to: TableRepresentation): Float64Array {
  return Float64Array.from(convertTable(namedScheduleTable(spec, exactArithmetic), to, exactArithmetic).values);
}

/** Ratio of the largest error to its bound, with its index. */
export function boundRatio(got: ArrayLike<number>, expected: ArrayLike<number>, bound: ArrayLike<number>): { ratio: number; index: number } {
  let ratio = 0, index = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(got[i] - expected[i]);
    const r = err === 0 ? 0 : bound[i] > 0 ? err / bound[i] : Infinity;
    if (r > ratio || (i === 0 && r === ratio)) {
      ratio = r;
      index = i;
    }
  }
  return { ratio, index };
}

function maxRelative(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(got[i] - expected[i]);
    m = Math.max(m, expected[i] === 0 ? err : err / Math.abs(expected[i]));
  }
  return m;
}

/** Compares a table of the spec's length entry by entry. */
export function compareTable(got: ArrayLike<number>, spec: NamedScheduleSpec, representation: TableRepresentation, precision: Precision): TableComparison {
  requireFiniteArray('table', got);
  const expected = namedScheduleReference(spec, representation);
  if (got.length !== expected.length) throw new InvalidArgumentError('table', `${got.length} entries`, `${describeNamedSchedule(spec)} has ${expected.length}`);
  const bound = namedScheduleBounds(spec, representation, precision);
  const { ratio, index } = boundRatio(got, expected, bound);
  return { representation, expected, bound, precision, ratio, worstIndex: index, maxRelativeError: maxRelative(got, expected) };
}

/**
 * The finest precision coarser than `declared`, and no coarser than float32, whose rounding bound
 * covers the table, if any. Half precisions are not offered as explanations: with u ≈ 5e−4 the
 * bound of a 1000-step cumulative product is of order 1 (1 − β itself rounds to 1 for β < u), so
 * it would "explain" any table.
 */
export function consistentPrecision(got: ArrayLike<number>, spec: NamedScheduleSpec, representation: TableRepresentation, declared: Precision): Precision | undefined {
  const expected = namedScheduleReference(spec, representation);
  for (const p of precisionsFinestFirst()) {
    if (unitRoundoff(p) <= unitRoundoff(declared) || unitRoundoff(p) > unitRoundoff('float32')) continue;
    if (boundRatio(got, expected, namedScheduleBounds(spec, representation, p)).ratio <= 1) return p;
  }
  return undefined;
}
