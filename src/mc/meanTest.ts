import { normalQuantile } from './normalQuantile.ts';
import { criticalT, criticalZ } from './tolerance.ts';

/**
 * The one mean test of scorecheck (TFP statistical_testing's naming: assert…,
 * min_discrepancy…, min_num_samples…). Every Monte Carlo comparison is a test of a mean
 * from n iid draws (or paired differences) against a value known exactly or with its own
 * standard error; it declares its false-alarm probability α, uses Student-t critical
 * values when the standard error is estimated, and reports the smallest discrepancy it
 * detects with power 1 − β (default β = 0.01).
 */
export interface MeanEstimate {
  readonly mean: number;
  readonly stderr: number;
  /** Draws behind the estimate (degrees of freedom n − 1 when the standard error is estimated). */
  readonly n: number;
}

export interface MeanTestOptions {
  /** False-alarm probability of this one assertion (from the run's plan). */
  readonly falseAlarm: number;
  /** Miss rate β of the stated power (default 0.01: power 0.99). */
  readonly missRate?: number;
  /** The standard error was estimated from the draws (Student-t critical values; default true). */
  readonly stderrEstimated?: boolean;
  /** Standard error of the reference value when it is itself estimated from independent draws. */
  readonly expectedStderr?: number;
  /** Absolute allowance for rounding added to the tolerance (never a statistical fudge). */
  readonly rounding?: number;
}

export interface MeanTestResult {
  readonly holds: boolean;
  /**
   * The statistic compared with the critical value: the part of mean − expected beyond the
   * rounding allowance, in standard errors (signed; |z| ≤ critical ⟺ holds for the two-sided test).
   */
  readonly z: number;
  readonly critical: number;
  /** |mean − expected| and the tolerance critical·SE + rounding it was compared with. */
  readonly error: number;
  readonly tolerance: number;
  readonly stderr: number;
  /** Smallest |true discrepancy| detected with power 1 − β. */
  readonly detectable: number;
  readonly power: number;
}

/** Critical value of a test at level α: two-sided (|z| ≤ c) or one-sided (z ≤ c); Student-t with n − 1 dof when SE is estimated. */
export function criticalValue(falseAlarm: number, n: number, stderrEstimated: boolean, sided: 1 | 2): number {
  const a = sided === 2 ? falseAlarm : 2 * falseAlarm;
  return stderrEstimated && Number.isFinite(n) && n > 1 ? criticalT(a, n - 1) : criticalZ(a);
}

/**
 * TFP's `min_discrepancy`: the smallest shift of the mean this test detects with power 1 − β.
 * Standard error known (dof = ∞): (c + z_{1−β})·SE, exact for the z-test. Standard error estimated from
 * ν = n − 1 dof: the t-test rejects when Z + λ > c·S (λ = shift/SE, S = √(χ²_ν/ν)), and the normal
 * approximation to c·S − Z (mean c(1 − 1/(4ν)), variance 1 + c²/(2ν)) gives
 * λ = c(1 − 1/(4ν)) + z_{1−β}·√(1 + c²/(2ν)) (MATH.md §20.2). Checked against the exact noncentral-t power by
 * quadrature: ≥ 0.984 for β = 0.01 at every n ≥ 3 and α ≥ 1e-9, within 5e-4 of 0.99 from n = 50.
 * (Before 2026-12 the estimated case used (c + z_{1−β})·SE too: power 0.96 at n = 5, α = 0.05; 0.64 at
 * n = 5, α = 1e-6; 0.986 at n = 100, α = 1e-6.)
 */
export function minDiscrepancyMean(stderr: number, critical: number, missRate = 0.01, dof = Infinity): number {
  const zb = normalQuantile(1 - missRate);
  if (!Number.isFinite(dof)) return (critical + zb) * stderr;
  if (!(dof >= 1)) throw new RangeError(`minDiscrepancyMean: dof must be ≥ 1 or Infinity, got ${dof}`);
  return (critical * (1 - 1 / (4 * dof)) + zb * Math.sqrt(1 + (critical * critical) / (2 * dof))) * stderr;
}

/**
 * TFP's `min_num_samples`: draws needed so that a shift of `discrepancy` is detected with
 * power 1 − β by a two-sided test at level α, for per-draw variance σ²:
 * n = ((c + z_{1−β}) σ / δ)² (c the normal critical value; the t correction is < 1 % above 100 draws).
 */
export function minNumSamplesMean(variance: number, discrepancy: number, falseAlarm: number, missRate = 0.01): number {
  if (!(variance >= 0) || !Number.isFinite(variance)) throw new RangeError(`minNumSamplesMean: variance must be finite and ≥ 0, got ${variance}`);
  if (!(discrepancy > 0)) throw new RangeError(`minNumSamplesMean: discrepancy must be > 0, got ${discrepancy}`);
  const k = criticalZ(falseAlarm) + normalQuantile(1 - missRate);
  return Math.max(2, Math.ceil((k * k * variance) / (discrepancy * discrepancy)));
}

/**
 * Draws a normal-approximation test at level α needs before its tail can be trusted: the
 * standardized mean's tail at the critical z is off by ≈ exp(z³γ/(6√n) + z⁴κ/(24n)) (Cramér's
 * series; γ skewness, κ excess kurtosis of one draw). Returns the smallest n with that factor
 * ≤ maxInflation (so the real false-alarm rate stays ≤ maxInflation·α), 0 for a normal draw.
 */
export function minNumSamplesNormalTail(falseAlarm: number, skewness: number, excessKurtosis: number, maxInflation = 10): number {
  if (!Number.isFinite(skewness) || !Number.isFinite(excessKurtosis)) throw new RangeError(`minNumSamplesNormalTail: skewness and kurtosis must be finite, got ${skewness}, ${excessKurtosis}`);
  if (!(maxInflation > 1)) throw new RangeError(`minNumSamplesNormalTail: maxInflation must be > 1, got ${maxInflation}`);
  const z = criticalZ(falseAlarm);
  const a = (z ** 4 * Math.max(excessKurtosis, 0)) / 24, b = (z ** 3 * Math.abs(skewness)) / 6, c = Math.log(maxInflation);
  if (a === 0 && b === 0) return 0;
  // Quadratic in x = 1/√n: a x² + b x = c.
  const x = a === 0 ? c / b : (-b + Math.sqrt(b * b + 4 * a * c)) / (2 * a);
  return Math.ceil(1 / (x * x));
}

/** Two-sided test of E[draw] = expected. */
export function assertMeanEqual(est: MeanEstimate, expected: number, opts: MeanTestOptions): MeanTestResult {
  return meanTest(est, expected, opts, 2);
}

/** One-sided test of E[draw] ≤ limit (refuted only when the mean is significantly above it). */
export function assertMeanAtMost(est: MeanEstimate, limit: number, opts: MeanTestOptions): MeanTestResult {
  return meanTest(est, limit, opts, 1);
}

function meanTest(est: MeanEstimate, ref: number, opts: MeanTestOptions, sided: 1 | 2): MeanTestResult {
  if (!Number.isFinite(est.mean) || !(est.stderr >= 0) || !Number.isFinite(est.stderr)) {
    throw new RangeError(`mean test: the estimate must be finite (mean ${est.mean}, stderr ${est.stderr})`);
  }
  const stderr = Math.hypot(est.stderr, opts.expectedStderr ?? 0);
  const estimated = opts.stderrEstimated ?? true;
  const critical = criticalValue(opts.falseAlarm, est.n, estimated, sided);
  // The dof of the estimated SE (the same condition under which criticalValue takes Student's t).
  const dof = estimated && Number.isFinite(est.n) && est.n > 1 ? est.n - 1 : Infinity;
  const rounding = opts.rounding ?? 0;
  const diff = est.mean - ref;
  const beyond = sided === 2 ? Math.sign(diff) * Math.max(0, Math.abs(diff) - rounding) : diff > rounding ? diff - rounding : Math.min(0, diff);
  const z = stderr > 0 ? beyond / stderr : beyond === 0 ? 0 : beyond > 0 ? Infinity : -Infinity;
  const tolerance = critical * stderr + rounding;
  const holds = sided === 2 ? Math.abs(diff) <= tolerance : diff <= tolerance;
  const missRate = opts.missRate ?? 0.01;
  return { holds, z, critical, error: sided === 2 ? Math.abs(diff) : diff, tolerance, stderr, detectable: minDiscrepancyMean(stderr, critical, missRate, dof) + rounding, power: 1 - missRate };
}
