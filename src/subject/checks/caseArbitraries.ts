import fc from 'fast-check';
import type { AffineModel } from '../protocol.ts';

/** A simple number in [−2, 2] on a grid of 1/4: readable counterexamples; shrinks to 0. */
export function simpleNumber(max = 2): fc.Arbitrary<number> {
  return fc.integer({ min: -4 * max, max: 4 * max }).map((i) => i / 4);
}

export function simpleVector(d: number, max = 2): fc.Arbitrary<number[]> {
  return fc.array(simpleNumber(max), { minLength: d, maxLength: d });
}

/** Largest data dimension of a case. */
export const MAX_CASE_DIM = 3;

/**
 * The coordinates a case keeps, out of MAX_CASE_DIM: a nonempty ordered subset,
 * d = its length. Cases draw every vector at MAX_CASE_DIM and select these
 * coordinates (instead of `chain`), so fast-check shrinks d with the values kept;
 * a subset can drop ANY coordinate, so a bug that shows only through coordinate 2
 * still shrinks to d = 1 (cutting to the first d entries could not).
 */
export function caseCoordinates(): fc.Arbitrary<readonly number[]> {
  // A keep-mask, not fc.subarray: subarray's shrinker cannot drop the last element
  // once one step from minLength ([a, b] never shrinks to [a]); each boolean of a
  // mask shrinks to false on its own, so every single coordinate is reachable.
  // An all-false mask keeps coordinate 0 (no filter: a rejected draw would make the engine's
  // deterministic corner and shrink modes spin).
  return fc
    .array(fc.boolean(), { minLength: MAX_CASE_DIM, maxLength: MAX_CASE_DIM })
    .map((keep) => (keep.some(Boolean) ? keep.flatMap((k, i) => (k ? [i] : [])) : [0]));
}

/** The selected entries. */
export function cut(v: readonly number[], coords: readonly number[]): number[] {
  return coords.map((i) => v[i]);
}

/** The selected rows and columns of a MAX_CASE_DIM-sized model. */
export function cutModel(m: AffineModel, coords: readonly number[]): AffineModel {
  return { W: coords.map((i) => coords.map((j) => m.W[i][j])), b: cut(m.b, coords) };
}

/** An internal timestep t ∈ [tMin, T]; shrinks to tMin. */
export function timestep(T: number, tMin = 1): fc.Arbitrary<number> {
  return fc.integer({ min: tMin, max: T });
}

/**
 * An internal timestep t ∈ [tMin, T], uniform or log-uniform (half the draws each): log-uniform puts about
 * half its mass at t ≤ √T, the low-noise steps where weightings clip (Min-SNR-γ changes regime at SNR = γ, t ≈ 90
 * of 1000 for γ = 5 on the linear schedule — a uniform draw lands there 9 % of the time). Shrinks to tMin.
 */
export function spreadTimestep(T: number, tMin = 1): fc.Arbitrary<number> {
  const logUniform = fc.integer({ min: 0, max: 1000 }).map((u) => Math.min(T, Math.max(tMin, Math.round(tMin * (T / tMin) ** (u / 1000)))));
  return fc.oneof(timestep(T, tMin), logUniform);
}

/** Affine network f(x) = W x + b with entries in [−1, 1] on a grid of 1/4; shrinks to W = 0, b = 0. */
export function affineModel(d: number): fc.Arbitrary<AffineModel> {
  return fc.record({ W: fc.array(simpleVector(d, 1), { minLength: d, maxLength: d }), b: simpleVector(d, 1) });
}

/** A batch of 1..maxBatch samples built by `sample`; shrinks to one sample. */
export function batchOf<T>(sample: fc.Arbitrary<T>, maxBatch = 3): fc.Arbitrary<T[]> {
  return fc.array(sample, { minLength: 1, maxLength: maxBatch });
}
