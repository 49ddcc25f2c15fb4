import type { Estimate } from '../../mc/estimate.ts';
import type { Rng } from '../../mc/rng.ts';
import { minNumSamplesMean, minNumSamplesNormalTail } from '../../mc/meanTest.ts';
import { detectableDiscrepancy, sampleSizeFor } from '../../mc/tolerance.ts';
import { requireIntegerInRange } from '../../validate.ts';
import { InvalidArgumentError } from '../../errors.ts';
import { type GapTerms, type PreparedGaussianGap, sampleGapTerms } from './gaussianGapTerms.ts';
import { linearControlGapEstimate } from './reducedGapEstimators.ts';

/**
 * How many draws a reduced-variance test of E[dsm − esm] = C (MATH.md §2,
 * Theorems 1–2) takes, from the error budget instead of a fixed count.
 *
 * The target: detect, with power 1 − missRate at false alarm `falseAlarm`, a
 * discrepancy `sensitivityGain`× smaller than the plain same-draw estimator
 * would at `referenceSamples` draws:
 *   δ* = detectableDiscrepancy(Var(A + B), referenceSamples) / sensitivityGain,
 *   n  = sampleSizeFor(Var_reduced, δ*)  (= referenceSamples·gain²/R, R the variance ratio),
 * both variances estimated on an independent pilot, n clamped to
 * [max(minSamples, n_tail), maxSamples].
 *
 * n_tail keeps the normal approximation honest at the tiny α of the budget: the
 * standardized mean's tail at z is off by ≈ exp(z³γ/(6√n) + z⁴κ/(24n)) (Cramér
 * series, γ skewness, κ excess kurtosis of one draw); n_tail is the smallest n
 * with that factor ≤ maxTailInflation, from the pilot's γ, κ.
 */
export interface GapSamplePlan {
  readonly falseAlarm: number;
  /**
   * The absolute discrepancy the main sample must detect (power 1 − missRate), e.g. a fraction of
   * the exact gap: n = minNumSamplesMean(pilot reduced variance, target, α) instead of the
   * referenceSamples/sensitivityGain rule below (which then only reports the plain estimator).
   */
  readonly targetDiscrepancy?: number;
  /**
   * With a target: when the main sample's detectable discrepancy exceeds replanAbove × target (default
   * 1.25, the planning margin of 8 % against a stated 10 %), a second, independent main sample is drawn,
   * sized from the first one's variance, and tested alone.
   */
  readonly replanAbove?: number;
  /** β: 1 − power (default 0.01). */
  readonly missRate?: number;
  /** Draws of the plain estimator the target is measured against. */
  readonly referenceSamples: number;
  /** How many times smaller a discrepancy the reduced test must detect. */
  readonly sensitivityGain: number;
  readonly minSamples: number;
  readonly maxSamples: number;
  /** Independent pilot draws for the two variances (and γ, κ). */
  readonly pilotSamples: number;
  /** Pilot draws for the fitted linear-model control (linearControl of sampleGapTerms). */
  readonly fitSamples: number;
  /** Largest accepted Cramér tail factor (default 10). */
  readonly maxTailInflation?: number;
}

export interface PlannedGapEstimate {
  /** linearControlGapEstimate on the main sample (C + mean(B − β B_lin)). */
  readonly estimate: Estimate;
  /** Draws in the main sample. */
  readonly mainSamples: number;
  /** Every model evaluation: two fits, the pilot and the main sample. */
  readonly samples: number;
  /** Pilot estimates: plain Var(A + B) and the reduced per-draw variance. */
  readonly plainVariance: number;
  readonly pilotReducedVariance: number;
  /** δ the plain estimator detects at referenceSamples (power 1 − β), from the pilot. */
  readonly detectablePlain: number;
  /** δ* of the plan, and δ the main sample detects with its own variance. */
  readonly targetDiscrepancy: number;
  readonly detectable: number;
  /** max over draws of |A| + |B| + |B_lin| (for a rounding allowance). */
  readonly magnitude: number;
}

/** Fresh main samples a plan with a target may draw after the first (see plannedGapEstimate). */
export const MAX_REPLANS = 3;

/** Per-draw values of linearControlGapEstimate (same fitted β), for the pilot's moments. */
function linearControlValues(t: GapTerms): Float64Array {
  const L = t.linearControl;
  if (!L) throw new InvalidArgumentError('terms.linearControl', undefined, 'draw the terms with linearControl');
  const n = t.n;
  let my = 0, ml = 0;
  for (let i = 0; i < n; i++) { my += t.modelTerm[i]; ml += L[i]; }
  my /= n; ml /= n;
  let cov = 0, vl = 0;
  for (let i = 0; i < n; i++) { const dl = L[i] - ml; cov += (t.modelTerm[i] - my) * dl; vl += dl * dl; }
  const beta = vl > 0 ? cov / vl : 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = t.modelFreeMean + t.modelTerm[i] - beta * L[i];
  return out;
}

/** Variance, skewness, excess kurtosis of per-draw values. */
function moments(xs: ArrayLike<number>): { variance: number; skewness: number; kurtosis: number } {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i];
  m /= n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) { const d = xs[i] - m, d2 = d * d; m2 += d2; m3 += d2 * d; m4 += d2 * d2; }
  m2 /= n; m3 /= n; m4 /= n;
  if (!(m2 > 0)) return { variance: 0, skewness: 0, kurtosis: 0 };
  return { variance: (m2 * n) / (n - 1), skewness: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) - 3 };
}

function magnitudeOf(t: GapTerms): number {
  let m = 0;
  for (let i = 0; i < t.n; i++) m = Math.max(m, Math.abs(t.modelFree[i]) + Math.abs(t.modelTerm[i]) + Math.abs(t.linearControl?.[i] ?? 0));
  return m;
}

/**
 * Pilot, plan, then the main sample (independent forks of `rng`, so the main
 * sample's test does not depend on the pilot beyond n). The estimator is C + mean(B − β B_lin):
 * exact mean of the model-free term A and the fitted-affine-model control,
 * both with exactly known means (gaussianGapTerms.ts).
 */
export function plannedGapEstimate(prep: PreparedGaussianGap, rng: Rng, plan: GapSamplePlan): PlannedGapEstimate {
  const beta = plan.missRate ?? 0.01;
  const gain = plan.sensitivityGain;
  if (!(gain > 0 && Number.isFinite(gain))) throw new InvalidArgumentError('plan.sensitivityGain', gain, 'must be finite and > 0');
  const maxN = requireIntegerInRange('plan.maxSamples', plan.maxSamples, 2, 1e9);
  const minN = requireIntegerInRange('plan.minSamples', plan.minSamples, 2, maxN);
  const pilotN = requireIntegerInRange('plan.pilotSamples', plan.pilotSamples, 16, 1e9);
  const fitN = requireIntegerInRange('plan.fitSamples', plan.fitSamples, 2, 1e9);
  const refN = requireIntegerInRange('plan.referenceSamples', plan.referenceSamples, 2, 1e12);

  const pilot = sampleGapTerms(prep, rng.fork('pilot'), pilotN, { linearControl: fitN });
  const plain = new Float64Array(pilotN);
  for (let i = 0; i < pilotN; i++) plain[i] = pilot.modelFree[i] + pilot.modelTerm[i];
  const plainVariance = moments(plain).variance;
  const reduced = moments(linearControlValues(pilot));
  const detectablePlain = detectableDiscrepancy(plainVariance, refN, plan.falseAlarm, beta);
  const targetDiscrepancy = plan.targetDiscrepancy ?? detectablePlain / gain;
  if (plan.targetDiscrepancy !== undefined && !(plan.targetDiscrepancy > 0)) throw new InvalidArgumentError('plan.targetDiscrepancy', plan.targetDiscrepancy, 'must be > 0');
  const wanted = !(targetDiscrepancy > 0) ? maxN
    : plan.targetDiscrepancy !== undefined ? minNumSamplesMean(reduced.variance, targetDiscrepancy, plan.falseAlarm, beta)
    : sampleSizeFor(reduced.variance, targetDiscrepancy, plan.falseAlarm, beta);
  const nTail = minNumSamplesNormalTail(plan.falseAlarm, reduced.skewness, reduced.kurtosis, plan.maxTailInflation ?? 10);
  const n = Math.min(maxN, Math.max(minN, nTail, wanted));

  let main = sampleGapTerms(prep, rng.fork('main'), n, { linearControl: fitN });
  let estimate = linearControlGapEstimate(main);
  let mainN = n, drawn = 2 * fitN + pilotN + n;
  // Stated power: when a target is given and a main sample's own variance misses it (the pilot
  // underestimated a heavy tail) by more than the planning margin, re-plan from the largest variance
  // seen so far and test on a fresh, independent sample (its size depends only on earlier draws, so
  // the test stays valid); at most MAX_REPLANS times.
  const required = plan.targetDiscrepancy !== undefined ? plan.targetDiscrepancy * (plan.replanAbove ?? 1.25) : Infinity;
  let worstVariance = Math.max(reduced.variance, estimate.variance);
  for (let k = 2; k <= MAX_REPLANS + 1 && mainN < maxN && detectableDiscrepancy(estimate.variance, mainN, plan.falseAlarm, beta) > required; k++) {
    mainN = Math.min(maxN, Math.max(mainN + 1, minNumSamplesMean(worstVariance, targetDiscrepancy, plan.falseAlarm, beta)));
    main = sampleGapTerms(prep, rng.fork(`main-${k}`), mainN, { linearControl: fitN });
    estimate = linearControlGapEstimate(main);
    worstVariance = Math.max(worstVariance, estimate.variance);
    drawn += 2 * fitN + mainN;
  }
  return {
    estimate, mainSamples: mainN, samples: drawn,
    plainVariance, pilotReducedVariance: reduced.variance, detectablePlain, targetDiscrepancy,
    detectable: detectableDiscrepancy(estimate.variance, mainN, plan.falseAlarm, beta),
    magnitude: Math.max(magnitudeOf(main), Math.abs(main.modelFreeMean)),
  };
}
