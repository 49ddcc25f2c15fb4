import type { Figure } from './figure.ts';

/** Named quantities shown side by side in a report or counterexample. */
export type Quantity = number | readonly number[] | readonly (readonly number[])[] | string | boolean;

/**
 * What a Monte Carlo comparison could have detected (TFP's `min_discrepancy`): the
 * smallest true discrepancy it rejects with probability `power`, absolute and relative
 * to the quantity it tests; `target` is the relative discrepancy it was required to
 * detect, `met` whether it does.
 */
export interface Detectable {
  readonly absolute: number;
  readonly relative: number;
  readonly power: number;
  readonly target: number;
  readonly met: boolean;
}

/**
 * The result of checking one case — the one comparison type of claims and subject
 * checks. `holds` decides; `margin` is a signed, scale-free distance to failing
 * (> 0 fails, ≤ 0 holds) that the targeted search climbs.
 */
export interface Outcome {
  readonly holds: boolean;
  /** Signed, scale-free distance to failing: > 0 fails. Derived from the comparison when absent (see marginOf). */
  readonly margin?: number;
  /** A closed-form comparison: the error (or measured value) and the limit it must not exceed. */
  readonly maxError?: number;
  readonly tolerance?: number;
  /** What maxError measures when it is not an error against a closed form (e.g. 'KL(BO)/KL(DDNM)'). */
  readonly metric?: string;
  /** A Monte Carlo comparison: the test statistic and its critical value. */
  readonly z?: number;
  readonly zCritical?: number;
  readonly samples?: number;
  readonly detectable?: Detectable;
  /**
   * The case is below what the check can resolve (e.g. a strict inequality whose two sides agree
   * to within their float64 rounding): neither a pass nor a counterexample. It must come with
   * `holds: true`; a run with any such case is "inconclusive", never "holds" — the deterministic
   * counterpart of an under-powered Monte Carlo case.
   */
  readonly unresolved?: string;
  /** Statistical assertions made on this case (counted against the false-alarm budget). */
  readonly assertions?: number;
  /** The compared quantities side by side, e.g. { observed, predicted }. */
  readonly quantities?: Readonly<Record<string, Quantity>>;
  readonly note?: string;
  /** Subject checks: the request that showed it, what was sent, expected and received. */
  readonly requestId?: number;
  readonly op?: string;
  readonly inputs?: unknown;
  readonly expected?: unknown;
  readonly got?: unknown;
  /**
   * The error in units of float32 rounding of the compared terms (u₃₂ = 2⁻²⁴ times their
   * magnitude): small multiples look like rounding, large ones do not.
   */
  readonly float32Multiple?: number;
  /**
   * Figures measured on this case (e.g. a sampler's KL against its number of steps); the run
   * keeps those of the last case that has any, and the HTML report draws them.
   */
  readonly figures?: readonly Figure[];
}

/**
 * The margin of an outcome: its own when given; else log10(maxError/tolerance) for a
 * non-negative error against a positive tolerance (scale-free across decades), the
 * relative excess (value − limit)/|limit| for a signed measure, |z|/z_crit − 1 for a
 * Monte Carlo test; the largest of those present. Without any comparison: ±1.
 */
export function marginOf(o: Outcome): number {
  if (o.margin !== undefined && !Number.isNaN(o.margin)) return o.margin;
  let m = -Infinity;
  if (o.maxError !== undefined && o.tolerance !== undefined && !Number.isNaN(o.maxError)) m = Math.max(m, limitMargin(o.maxError, o.tolerance));
  if (o.z !== undefined && o.zCritical !== undefined && o.zCritical > 0 && !Number.isNaN(o.z)) m = Math.max(m, Math.abs(o.z) / o.zCritical - 1);
  if (m === -Infinity) return o.holds ? -1 : 1;
  // A verdict the comparison does not explain (a second condition failed) still ranks as failing.
  return o.holds ? Math.min(m, 0) : Math.max(m, Number.MIN_VALUE);
}

/** Margin of "value ≤ limit": log10 ratio for an error against a positive limit, relative excess otherwise. */
export function limitMargin(value: number, limit: number): number {
  if (value === 0 && limit >= 0) return -20;
  if (value >= 0 && limit > 0) {
    return Math.max(-20, Math.log10(value / limit));
  }
  if (limit === 0) return value > 0 ? 1 : value === 0 ? 0 : -1;
  return (value - limit) / Math.abs(limit);
}

/** An error against a tolerance (holds when maxError ≤ tolerance). */
export function withinTolerance(maxError: number, tolerance: number, extra: Partial<Outcome> = {}): Outcome {
  const holds = maxError <= tolerance;
  return { holds, maxError, tolerance, margin: limitMargin(maxError, tolerance), ...extra };
}

/** Unit roundoff of float32 (2⁻²⁴). */
export const FLOAT32_UNIT = 2 ** -24;

/** The relative discrepancy every Monte Carlo "holds" must be able to detect (at power 0.99) unless a property states another. */
export const DEFAULT_DETECTABLE_TARGET = 0.1;

/**
 * An Outcome from a mean test (src/mc/meanTest.ts): its statistic, the comparison, and what
 * it could have missed — `detectable.relative` is the detectable discrepancy over `scale`
 * (the size of the quantity tested, e.g. C_t), against the target relative discrepancy.
 */
export function meanTestOutcome(
  t: { readonly holds: boolean; readonly z: number; readonly critical: number; readonly error: number; readonly tolerance: number; readonly detectable: number; readonly power: number },
  opts: { readonly scale: number; readonly samples: number; readonly target?: number; readonly metric?: string; readonly quantities?: Readonly<Record<string, Quantity>>; readonly note?: string },
): Outcome {
  const target = opts.target ?? DEFAULT_DETECTABLE_TARGET;
  const relative = opts.scale !== 0 && Number.isFinite(opts.scale) ? t.detectable / Math.abs(opts.scale) : Infinity;
  return {
    holds: t.holds, z: t.z, zCritical: t.critical, maxError: t.error, tolerance: t.tolerance,
    metric: opts.metric ?? '|MC − predicted|', margin: limitMargin(t.error, t.tolerance), samples: opts.samples, assertions: 1,
    detectable: { absolute: t.detectable, relative, power: t.power, target, met: relative <= target },
    ...(opts.quantities ? { quantities: opts.quantities } : {}),
    ...(opts.note ? { note: opts.note } : {}),
  };
}
