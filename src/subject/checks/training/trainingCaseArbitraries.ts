import fc from 'fast-check';
import { eightBitValue } from '../../../theory/discretizedGaussian.ts';
import { MAX_CASE_DIM, simpleVector } from '../caseArbitraries.ts';

/*
 * Case pieces for the training checks, corners reachable as plain choices: the 8-bit grid's edge bins
 * (k = 0, 255 — the decoder's ±∞-extended bins) and its centre, the first, second and last steps.
 */

/** An 8-bit data value k/127.5 − 1 with the edge and centre bins first; shrinks to the centre. */
export function eightBitCoordinate(): fc.Arbitrary<number> {
  return fc.oneof(fc.constantFrom(127, 128, 0, 255, 1, 254), fc.integer({ min: 0, max: 255 })).map(eightBitValue);
}

export function eightBitVector(d = MAX_CASE_DIM): fc.Arbitrary<number[]> {
  return fc.array(eightBitCoordinate(), { minLength: d, maxLength: d });
}

/** Internal step with the corners 1, 2, T − 1, T first. */
export function cornerTimestep(T: number, tMin = 1): fc.Arbitrary<number> {
  const corners = [...new Set([tMin, Math.min(tMin + 1, T), Math.max(tMin, T - 1), T])];
  return fc.oneof(fc.constantFrom(...corners), fc.integer({ min: tMin, max: T }));
}

/**
 * A network with a mean head (d rows) and optionally a variance head (d rows whose outputs stay in
 * [−1, 1] for |x| ≤ 3: entries of W_v in [−0.1, 0.1], b_v in [−0.7, 0.7]); entries on a 1/4 grid for the mean.
 */
export function headedModel(withVariance: boolean, d = MAX_CASE_DIM): fc.Arbitrary<{ W: number[][]; b: number[] }> {
  const mean = fc.record({ W: fc.array(simpleVector(d, 1), { minLength: d, maxLength: d }), b: simpleVector(d, 1) });
  if (!withVariance) return mean;
  const vRow = fc.array(fc.integer({ min: -4, max: 4 }).map((i) => i / 40), { minLength: d, maxLength: d });
  const v = fc.record({ W: fc.array(vRow, { minLength: d, maxLength: d }), b: fc.array(fc.integer({ min: -7, max: 7 }).map((i) => i / 10), { minLength: d, maxLength: d }) });
  return fc.tuple(mean, v).map(([m, vv]) => ({ W: [...m.W, ...vv.W], b: [...m.b, ...vv.b] }));
}

/** The selected coordinates of a headed model (rows of both heads, columns). */
export function cutHeadedModel(m: { W: number[][]; b: number[] }, coords: readonly number[], withVariance: boolean): { W: number[][]; b: number[] } {
  const D = MAX_CASE_DIM;
  const rows = withVariance ? [...coords, ...coords.map((i) => D + i)] : [...coords];
  return { W: rows.map((i) => coords.map((j) => m.W[i][j])), b: rows.map((i) => m.b[i]) };
}
