import { type Estimate, criticalZ, perAssertionFalseAlarm, zScore } from '../../mc/index.ts';
import type { Gaussian } from '../../gaussian/gaussian.ts';
import type { NoiseLevel } from '../../diffusion/noiseLevel.ts';
import type { CheckOutcome, Quantity } from '../claim.ts';

/**
 * Floating-point tolerance for closed-form identities between differences of
 * O(M)-sized quantities: each closed form carries rounding ≈ (a few hundred)·ε
 * relative to the size M of its terms, so |(DSM − ESM) − C| is compared with
 * 1e-9 · M, M = max(|DSM|, |ESM|, |C|). Not widened to pass: the negative
 * controls differ by O(1) relative amounts.
 */
export const RELATIVE_TOLERANCE = 1e-9;

export function closeRelative(observed: number, predicted: number, magnitude: number): { ok: boolean; err: number } {
  const err = Math.abs(observed - predicted) / Math.max(magnitude, Number.MIN_VALUE);
  return { ok: err <= RELATIVE_TOLERANCE, err };
}

/** Which false-alarm family a statistical check charges: `verify` by default, a property family in the test suite. */
export type McFamily = 'verify.mc' | 'vincent.mc' | 'inputBias.mc' | 'sds.mc';

/**
 * Two-sided z-test of an estimate against a prediction known exactly or with its
 * own standard error (independent draws): z = (m − p)/√(se² + se_p²).
 */
export function zTest(e: Estimate, predicted: number, predictedStderr: number, family: McFamily): { ok: boolean; z: number; zCritical: number } {
  const zCritical = criticalZ(perAssertionFalseAlarm(family));
  const z = zScore(e.mean, predicted, Math.sqrt(e.stderr * e.stderr + predictedStderr * predictedStderr));
  return { ok: Math.abs(z) <= zCritical, z, zCritical };
}

export function mcOutcome(e: Estimate, predicted: number, predictedStderr: number, family: McFamily, quantities: Record<string, Quantity>): CheckOutcome {
  const t = zTest(e, predicted, predictedStderr, family);
  return { holds: t.ok, z: t.z, zCritical: t.zCritical, samples: e.n, quantities: { observed: e.mean, stderr: e.stderr, predicted, ...quantities } };
}

export function describeGaussian(g: Gaussian): { mean: number[]; cov: number[][] } {
  const d = g.dim;
  const cov: number[][] = [];
  for (let i = 0; i < d; i++) cov.push(Array.from(g.cov.data.subarray(i * d, (i + 1) * d)));
  return { mean: Array.from(g.mean), cov };
}

export function describeLevel(l: NoiseLevel): { a: number; s: number } {
  return { a: l.a, s: l.s };
}

export function rows(m: { rows: number; cols: number; data: ArrayLike<number> }): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from({ length: m.cols }, (_, j) => m.data[i * m.cols + j]));
  return out;
}
