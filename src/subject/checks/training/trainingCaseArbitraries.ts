import fc from 'fast-check';
import { eightBitValue } from '../../../theory/discretizedGaussian.ts';
import { MAX_CASE_DIM, batchOf, caseCoordinates, cut, simpleVector } from '../caseArbitraries.ts';

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

/** A batch of (x_0 on the 8-bit grid, a second vector `key`, step) with a headed network, coordinates selected together. */
export interface HeadedBatchCase<K extends string> {
  readonly d: number;
  readonly samples: readonly ({ x0: number[]; t: number } & Record<K, number[]>)[];
  readonly model: { W: number[][]; b: number[] };
}

export function headedBatchCase<K extends 'noise' | 'xt'>(T: number, withVariance: boolean, key: K): fc.Arbitrary<HeadedBatchCase<K>> {
  const sample = fc.record({ x0: eightBitVector(), other: simpleVector(MAX_CASE_DIM), t: cornerTimestep(T) });
  return fc
    .record({ coords: caseCoordinates(), samples: batchOf(sample), model: headedModel(withVariance) })
    .map(({ coords, samples, model }) => ({
      d: coords.length,
      samples: samples.map((s) => ({ x0: cut(s.x0, coords), t: s.t, [key]: cut(s.other, coords) }) as { x0: number[]; t: number } & Record<K, number[]>),
      model: cutHeadedModel(model, coords, withVariance),
    }));
}

/** Per-coordinate variances in [0.25, 2.25] on a grid of 1/4 (data or targets); shrinks to 0.25. */
export function varianceVector(d = MAX_CASE_DIM): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: 9 }).map((i) => i / 4), { minLength: d, maxLength: d });
}
