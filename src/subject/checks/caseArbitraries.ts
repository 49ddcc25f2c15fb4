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
 * Data dimension of a case: 1..3, shrinks to 1. Cases draw every vector at MAX_CASE_DIM and
 * slice it to d (instead of `chain`), so fast-check can shrink d with the values kept.
 */
export function caseDimension(): fc.Arbitrary<number> {
  return fc.integer({ min: 1, max: MAX_CASE_DIM });
}

/** The first d entries. */
export function cut(v: readonly number[], d: number): number[] {
  return v.slice(0, d);
}

/** The leading d × d block of a MAX_CASE_DIM-sized model. */
export function cutModel(m: AffineModel, d: number): AffineModel {
  return { W: m.W.slice(0, d).map((r) => r.slice(0, d)), b: m.b.slice(0, d) };
}

/** An internal timestep t ∈ [tMin, T]; shrinks to tMin. */
export function timestep(T: number, tMin = 1): fc.Arbitrary<number> {
  return fc.integer({ min: tMin, max: T });
}

/** Affine network f(x) = W x + b with entries in [−1, 1] on a grid of 1/4; shrinks to W = 0, b = 0. */
export function affineModel(d: number): fc.Arbitrary<AffineModel> {
  return fc.record({ W: fc.array(simpleVector(d, 1), { minLength: d, maxLength: d }), b: simpleVector(d, 1) });
}

/** A batch of 1..maxBatch samples built by `sample`; shrinks to one sample. */
export function batchOf<T>(sample: fc.Arbitrary<T>, maxBatch = 3): fc.Arbitrary<T[]> {
  return fc.array(sample, { minLength: 1, maxLength: maxBatch });
}
