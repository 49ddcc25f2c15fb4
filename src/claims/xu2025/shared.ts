import { type Estimate, assertMeanEqual } from '../../mc/index.ts';
import { meanTestOutcome } from '../../engine/outcome.ts';
import type { GapSamplePlan, PlannedGapEstimate } from '../../objectives/reducedVariance/plannedGapEstimate.ts';
import type { PreparedGaussianGap } from '../../objectives/reducedVariance/gaussianGapTerms.ts';
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

/**
 * Two-sided mean test of an estimate against a prediction known exactly or with its own
 * standard error (independent draws), at the run's per-assertion α (src/mc/meanTest.ts).
 */
export function mcOutcome(e: Estimate, predicted: number, predictedStderr: number, falseAlarm: number, quantities: Record<string, Quantity>): CheckOutcome {
  const t = assertMeanEqual(e, predicted, { falseAlarm, expectedStderr: predictedStderr });
  return meanTestOutcome(t, { scale: predicted, samples: e.n, quantities: { observed: e.mean, stderr: e.stderr, predicted, ...quantities } });
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

/** Draws of the plain same-draw DSM − ESM estimator the Monte Carlo claims used before variance reduction. */
export const PLAIN_MC_SAMPLES = 4000;

/**
 * Sample plan of the reduced-variance gap checks (plannedGapEstimate.ts): detect, with
 * power 0.99 at the family's per-assertion α, a discrepancy half of what the plain
 * estimator detects at PLAIN_MC_SAMPLES draws, never drawing more than it did
 * (at the cap the check is still √R× more sensitive, R ≥ 1 the variance ratio).
 * Pilot 256 draws; affine-control fit 256 draws (the reduction is flat above that);
 * at least 512 main draws (and more when the pilot's skewness/kurtosis ask for it).
 */
export function gapPlan(falseAlarm: number): GapSamplePlan {
  return {
    falseAlarm, missRate: 0.01, referenceSamples: PLAIN_MC_SAMPLES, sensitivityGain: 2,
    minSamples: 512, maxSamples: PLAIN_MC_SAMPLES, pilotSamples: 256, fitSamples: 256,
  };
}

/**
 * z-test of a planned reduced estimate against a closed-form prediction:
 * |mean − predicted| ≤ z_{1−α/2}·se + rounding. The rounding allowance bounds double
 * precision where the residual variance is tiny: the n-term sum (n·ε, Higham §4.2) of
 * values ≤ magnitude, plus the two closed forms of the same number computed through
 * different factorizations (≈ 4dκ·ε relative, κ the condition number of the marginal
 * covariance in the eigenframe), plus `predictedPathError`: a bound on how far the
 * prediction's own computation path can put it from the kernel's exact mean (absolute).
 */
export function plannedOutcome(
  p: PlannedGapEstimate, predicted: number, falseAlarm: number, dim: number, kappa: number, predictedPathError: number,
  quantities: Record<string, Quantity>,
): CheckOutcome {
  const e = p.estimate;
  const rounding = (e.n + 4 * dim * kappa) * Number.EPSILON * (Math.abs(predicted) + p.magnitude) + predictedPathError;
  const t = assertMeanEqual(e, predicted, { falseAlarm, rounding });
  return meanTestOutcome(t, {
    scale: predicted, samples: p.samples,
    quantities: {
      observed: e.mean, stderr: e.stderr, predicted, ...quantities,
      'main draws': p.mainSamples,
      'detectable δ, plain @4000 (power 0.99)': p.detectablePlain,
      'detectable δ, reduced (power 0.99)': p.detectable,
    },
  });
}

/** λ_max/λ_min of the noisy marginal covariance, from the kernel's eigenframe precisions. */
export function marginalCondition(prep: PreparedGaussianGap): number {
  let lo = Infinity, hi = 0;
  for (const p of prep.marginalPrecision) { lo = Math.min(lo, p); hi = Math.max(hi, p); }
  return hi / lo;
}

