import { InvalidArgumentError } from '../errors.ts';
import { requireFinite } from '../validate.ts';

/**
 * A point of the continuous VP path x_α = √α x_0 + √(1−α) z (MATH.md §3), carried
 * with α, 1 − α (computed without cancellation), the log-SNR λ = log(α/(1−α)),
 * a = √α and s = √(1−α). Near α = 1 the value of `alpha` alone rounds to 1;
 * predictors should read `oneMinusAlpha` or `s` there.
 */
export interface VpPoint {
  readonly alpha: number;
  readonly oneMinusAlpha: number;
  readonly logSnr: number;
  readonly a: number;
  readonly s: number;
}

/** α = σ(λ), 1 − α = σ(−λ). */
export function vpPointAtLogSnr(logSnr: number): VpPoint {
  requireFinite('logSnr', logSnr);
  const alpha = logSnr >= 0 ? 1 / (1 + Math.exp(-logSnr)) : Math.exp(logSnr) / (1 + Math.exp(logSnr));
  const oneMinusAlpha = logSnr >= 0 ? Math.exp(-logSnr) / (1 + Math.exp(-logSnr)) : 1 / (1 + Math.exp(logSnr));
  return { alpha, oneMinusAlpha, logSnr, a: Math.sqrt(alpha), s: Math.sqrt(oneMinusAlpha) };
}

export function vpPointAtAlpha(alpha: number): VpPoint {
  if (!(Number.isFinite(alpha) && alpha > 0 && alpha < 1)) throw new InvalidArgumentError('alpha', alpha, 'must lie in (0, 1)');
  return { alpha, oneMinusAlpha: 1 - alpha, logSnr: Math.log(alpha / (1 - alpha)), a: Math.sqrt(alpha), s: Math.sqrt(1 - alpha) };
}

/** A noise predictor ε(x; α) on the continuous VP path: any function, exact or not. */
export type NoisePredictor = (x: Float64Array, t: VpPoint) => ArrayLike<number>;

/**
 * Initial panel count for an adaptive integral over log-SNR λ ∈ [−L, L]: integrands of the
 * density formula vary on a λ-scale of about 1 (a bump where the SNR matches a distance or an
 * eigenvalue of the data covariance), and panels of width 10 let G7 and K15 agree across a
 * missed bump (seed 212: error 7e-10, estimate 2e-12; seed 430: 2.6e-7 against 2.8e-11).
 * Panels start at width ≤ 2.5.
 */
export function logSnrPanels(L: number): number {
  return Math.max(8, Math.ceil((2 * L) / 2.5));
}
