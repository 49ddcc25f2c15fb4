import type { VPSchedule } from '../diffusion/schedule.ts';
import { PRECISIONS, type Precision, unitRoundoff } from '../numerics/roundingArithmetic.ts';
import type { Hello } from './protocol.ts';

/*
 * Tolerances of the exact subject checks from a rounding model of the declared precisions
 * (MATH.md §7.1). A subject holds its tensors in one precision (hello.precision) and its
 * schedule coefficients in another (hello.coefficient_precision, default: the tensors'):
 * improved-diffusion keeps float64 tables and casts every coefficient with `.float()`,
 * diffusers builds float32 betas and cumulative products.
 *
 * What scorecheck reads is the ᾱ table. At step t the subject's own primitives can differ
 * from the table's by (u = the coefficient unit roundoff):
 *   ᾱ_{t−1}, ᾱ_t: u·ᾱ each (a table rounded on output, or coefficients rounded on use; ᾱ_0 = 1 exact);
 *   β_t: 3u·α_t + u·β_t — the table's ratio ᾱ_t/ᾱ_{t−1} is the subject's own (1 − β_t) times
 *        (1+θ_1)(1+θ_2)(1+θ_3), |θ_i| ≤ u (rounding 1 − β_t, the product, or the output of an
 *        accumulation done in higher precision), so 1 − ᾱ_t/ᾱ_{t−1} is within 3u·α_t of β_t;
 *        a β recomputed from the rounded ratio adds u·β_t.
 * Any expected output y(primitives, inputs) then differs from the subject's by at most
 *   spread(y) + depth · u_eff · scale(y),
 * spread = Σ over the three primitives of max |y(p ± Δp) − y(p)| (first order, the function
 * re-evaluated with the perturbed primitive: sensitivity independent of how the subject
 * arranges its formula), scale = the sum of the absolute values of the terms y is summed from
 * (each check computes it), u_eff = max(u_tensors, u_coefficients) + u_float64 (scorecheck's own
 * evaluation), depth = the number of roundings on the longest path (Higham's γ_n), bounded by
 * 16 + 2d for the DDPM formulas: ≤ 5 to form a coefficient from primitives, d + 1 for the
 * affine network, ≤ 4 to combine, 1 to cast each input, and d for a sum of squares.
 */

export interface SubjectPrecision {
  readonly tensors: Precision;
  readonly coefficients: Precision;
}

/** The declared precisions (coefficients default to the tensors' precision). */
export function subjectPrecision(hello: Pick<Hello, 'precision'> & { readonly coefficient_precision?: Precision }): SubjectPrecision {
  const tensors = hello.precision ?? 'float64';
  return { tensors, coefficients: hello.coefficient_precision ?? tensors };
}

/** Roundings on the longest evaluation path of a DDPM formula in dimension d. */
export function arithmeticDepth(d: number): number {
  return 16 + 2 * d;
}

/** max(u_tensors, u_coefficients) + u_float64. */
export function effectiveUnitRoundoff(p: SubjectPrecision): number {
  return Math.max(unitRoundoff(p.tensors), unitRoundoff(p.coefficients)) + unitRoundoff('float64');
}

/** The primitives at internal step t and how far the subject's may be from the table's. */
export interface PrimitiveUncertainty {
  readonly alphaBarPrev: number;
  readonly alphaBar: number;
  readonly beta: number;
}

export function primitiveUncertainty(schedule: VPSchedule, t: number, coefficients: Precision): PrimitiveUncertainty {
  const u = unitRoundoff(coefficients);
  const beta = schedule.beta(t);
  return {
    alphaBarPrev: t === 1 ? 0 : u * schedule.alphaBar(t - 1),
    alphaBar: u * schedule.alphaBar(t),
    beta: 3 * u * (1 - beta) + u * beta,
  };
}

/**
 * The schedule with the primitives at step t moved: ᾱ_{t−1} += dPrev, ᾱ_t += dAb, β_t += dBeta
 * (α_t = 1 − β_t moves with it). Everything else — other steps, T, the name — is the base's.
 */
export function perturbedSchedule(base: VPSchedule, t: number, dPrev: number, dAb: number, dBeta: number): VPSchedule {
  const ab = (k: number) => (k === t ? base.alphaBar(k) + dAb : k === t - 1 && k >= 1 ? base.alphaBar(k) + dPrev : base.alphaBar(k));
  const beta = (k: number) => (k === t ? base.beta(k) + dBeta : base.beta(k));
  return {
    ...base,
    alphaBar: ab,
    beta,
    alpha: (k) => 1 - beta(k),
    level: (k) => (k === t || k === t - 1 ? { a: Math.sqrt(ab(k)), s: Math.sqrt(1 - ab(k)) } : base.level(k)),
  };
}

/**
 * spread_j = Σ_primitives max_± |y_j(p ± Δp) − y_j(p)| for an expected output y = f(schedule)
 * at step t (a flat vector of any length).
 */
export function coefficientSpread(schedule: VPSchedule, t: number, coefficients: Precision, f: (s: VPSchedule) => ArrayLike<number>): Float64Array {
  const y0 = f(schedule);
  const out = new Float64Array(y0.length);
  const du = primitiveUncertainty(schedule, t, coefficients);
  const moves: [number, number, number][] = [
    [du.alphaBarPrev, 0, 0],
    [0, du.alphaBar, 0],
    [0, 0, du.beta],
  ];
  for (const [p, a, b] of moves) {
    if (p === 0 && a === 0 && b === 0) continue;
    const plus = f(perturbedSchedule(schedule, t, p, a, b));
    const minus = f(perturbedSchedule(schedule, t, -p, -a, -b));
    for (let j = 0; j < out.length; j++) out[j] += Math.max(Math.abs(plus[j] - y0[j]), Math.abs(minus[j] - y0[j]));
  }
  return out;
}

/** tolerance_j = spread_j + depth · u_eff · scale_j. */
export function roundingTolerance(scale: ArrayLike<number>, spread: ArrayLike<number>, precision: SubjectPrecision, d: number): Float64Array {
  const k = arithmeticDepth(d) * effectiveUnitRoundoff(precision);
  return Float64Array.from(scale, (s, j) => spread[j] + k * s);
}

/**
 * When a comparison fails at the declared precision: the finest precision, coarser than the
 * declared coefficients' and no coarser than float32, whose coefficient rounding would
 * explain the error (`within(p)` re-derives the tolerance with coefficient precision p).
 */
export function explainingCoefficientPrecision(declared: SubjectPrecision, within: (p: SubjectPrecision) => boolean): Precision | undefined {
  const candidates = PRECISIONS.filter((p) => unitRoundoff(p) > unitRoundoff(declared.coefficients) && unitRoundoff(p) <= unitRoundoff('float32')).sort(
    (a, b) => unitRoundoff(a) - unitRoundoff(b),
  );
  return candidates.find((p) => within({ tensors: declared.tensors, coefficients: p }));
}

/** The sentence a failing check prints when coefficient rounding explains it. */
export function roundingNote(p: Precision, declared: SubjectPrecision): string {
  return (
    `the error is consistent with ${p} rounding of the schedule coefficients (u = ${unitRoundoff(p).toExponential(2)}), ` +
    `not with ${declared.coefficients}: declare "coefficient_precision": "${p}" in hello if your coefficients are ${p} (e.g. tables cast with .float())`
  );
}
