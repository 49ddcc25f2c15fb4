import { type Estimate, assertMeanEqual } from '../../mc/index.ts';
import { meanTestOutcome } from '../../engine/outcome.ts';
import type { GapSamplePlan, PlannedGapEstimate } from '../../objectives/reducedVariance/plannedGapEstimate.ts';
import type { SameDrawGap, SameDrawPlan } from '../../objectives/reducedVariance/sameDrawGapEstimate.ts';
import type { PreparedGaussianGap } from '../../objectives/reducedVariance/gaussianGapTerms.ts';
import { type NoiseLevel, veLevel, vpLevel } from '../../diffusion/noiseLevel.ts';
import { symmetricEigen } from '../../linalg/index.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import type { DataDistribution } from '../../gaussian/mixture.ts';
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
 * A conditional objective minus its marginal one against a θ-independent constant, for each model
 * (Vincent's DSM − ESM = C_t; Lipman's CFM − FM = C_t): the worst relative error and the gaps.
 */
export function gapsAgainstConstant<M>(models: readonly M[], conditional: (m: M) => number, marginal: (m: M) => number, C: number): { holds: boolean; worst: number; gaps: number[] } {
  let worst = 0, holds = true;
  const gaps: number[] = [];
  for (const m of models) {
    const x = conditional(m), y = marginal(m);
    const r = closeRelative(x - y, C, Math.max(Math.abs(x), Math.abs(y), Math.abs(C)));
    gaps.push(x - y);
    worst = Math.max(worst, r.err);
    holds &&= r.ok;
  }
  return { holds, worst, gaps };
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

/** Draws of the plain same-draw DSM − ESM estimator the Monte Carlo claims used before variance reduction (the reference of gapPlan). */
export const PLAIN_MC_SAMPLES = 4000;

/** Most draws one Monte Carlo case may take to reach its stated power (main sample; the pilot is extra). */
export const MC_MAX_SAMPLES = 1_600_000;

/** Re-plan (a fresh main sample sized from the first) when the first detects more than this × the planned 8 %: 9.2 %. */
export const REPLAN_ABOVE = 1.15;

/** The relative discrepancy a case plans for: 8 %, so the main sample's own variance meets the stated 10 % despite the pilot's error. */
export const PLANNED_RELATIVE = 0.08;

/**
 * Sample plan of the reduced-variance gap checks with stated power (plannedGapEstimate.ts): the main
 * sample detects PLANNED_RELATIVE·|C| (C the exact gap) at power 0.99 and the run's α; pilot 1024 draws,
 * affine-control fit 256, main sample in [512, MC_MAX_SAMPLES] (and the Cramér tail minimum).
 */
export function powerPlan(falseAlarm: number, exactGap: number): GapSamplePlan {
  return { ...gapPlan(falseAlarm), pilotSamples: 1024, maxSamples: MC_MAX_SAMPLES, targetDiscrepancy: PLANNED_RELATIVE * Math.abs(exactGap), replanAbove: REPLAN_ABOVE };
}

/** Plan of the same-draw checks (mixture data): the same target relative to the pilot's Ĉ_t. */
export function sameDrawPlan(falseAlarm: number): SameDrawPlan {
  return { falseAlarm, missRate: 0.01, relativeTarget: PLANNED_RELATIVE, pilotSamples: 1024, minSamples: 512, maxSamples: MC_MAX_SAMPLES, replanAbove: REPLAN_ABOVE };
}

/**
 * Two-sided mean test of E D = 0 (same draws), its detectable discrepancy relative to the same draws'
 * Ĉ_t. Rounding: every per-draw term is O(d/s²) (‖ε/s‖², the scores) and D is their difference,
 * so 64·d·ε·(d/s² + |Ĉ_t|) absolute.
 */
export function sameDrawOutcome(p: SameDrawGap, dim: number, s: number, falseAlarm: number, quantities: Record<string, Quantity>): CheckOutcome {
  const gap = p.gap.mean;
  const rounding = 64 * dim * Number.EPSILON * (dim / (s * s) + Math.abs(gap));
  const t = assertMeanEqual(p.difference, 0, { falseAlarm, rounding });
  return meanTestOutcome(t, {
    scale: gap, samples: p.samples, metric: '|mean D| (DSM − ESM − C_t, same draws)',
    quantities: { 'mean D': p.difference.mean, stderr: p.difference.stderr, 'Ĉ_t (same draws)': gap, ...quantities, 'main draws': p.mainSamples },
  });
}

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
      'planned δ': p.targetDiscrepancy,
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


/**
 * Noise levels of the Monte Carlo claims, by the signal-to-noise ratio of the data's weakest direction:
 * SNR = a²λ_min/s² = 10^u, u on a quarter-decade grid over [0, 3] (VP: ᾱ = r/(λ_min + r); VE: σ² = λ_min/r).
 * Below SNR 1, C_t → 0 faster than the model term's standard deviation (Var D/C_t² ≈ 4E‖ŝ‖²/(d·C_t)):
 * 10 % of C_t at power 0.99 then takes 1e5–1e10 draws (measured, MATH.md §2.2) — those levels are
 * covered exactly, for affine models, by xu2025.vincent.per-timestep and gradient-equality.
 */
export function levelAtSnr(kind: 'vp' | 've', lambdaMin: number, snr: number): NoiseLevel {
  return kind === 'vp' ? vpLevel(snr / (lambdaMin + snr)) : veLevel(Math.sqrt(lambdaMin / snr));
}

/** Smallest eigenvalue of a Gaussian's covariance, or of any component of a mixture. */
export function smallestEigenvalue(data: DataDistribution): number {
  const comps = data instanceof Gaussian ? [data] : data.components;
  return Math.min(...comps.map((g) => Math.min(...symmetricEigen(g.cov, 'data.cov').values)));
}
