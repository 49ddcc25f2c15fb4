import { InvalidArgumentError } from '../errors.ts';
import { normalCdf } from '../numerics/normalCdf.ts';
import { requireFinite, requireIntegerInRange, requirePositive } from '../validate.ts';

/*
 * The distribution a training loop draws its timesteps (or noise levels) from (MATH.md §7.5):
 *  - uniform:            t uniform on the T steps (improved-diffusion UniformSampler, diffusers scripts);
 *  - importance:         p_t ∝ w_t (declared weights), reweighted by 1/(T p_t) so that the loss's mean is
 *                        the uniform average (improved-diffusion ScheduleSampler.sample);
 *  - loss_second_moment: improved-diffusion LossSecondMomentResampler: once every step holds its last H
 *                        losses, p_t ∝ √(mean of the squared losses), mixed (1 − u)p + u/T; uniform before;
 *  - logit_normal:       u = sigmoid(n), n ~ N(m, s²) (SD3, diffusers `compute_density_for_timestep_sampling`);
 *                        discretized to the index ⌊u·T⌋ when `discretize` (diffusers' training scripts);
 *  - edm_lognormal:      σ = exp(n), n ~ N(P_mean, P_std²) (Karras et al. 2022, training);
 *  - uniform_continuous: u ~ U(0, 1).
 * Discrete draws are 0-based indices k = 0..T−1 here (the subject's timestep minus t_base).
 */
export type TimestepSamplerSpec =
  | { readonly kind: 'uniform' }
  | { readonly kind: 'importance'; readonly weights: readonly number[] }
  | { readonly kind: 'loss_second_moment'; readonly history_per_term?: number; readonly uniform_prob?: number }
  | { readonly kind: 'logit_normal'; readonly mean: number; readonly std: number; readonly discretize?: boolean }
  | { readonly kind: 'edm_lognormal'; readonly p_mean: number; readonly p_std: number }
  | { readonly kind: 'uniform_continuous' };

export const TIMESTEP_SAMPLER_KINDS = ['uniform', 'importance', 'loss_second_moment', 'logit_normal', 'edm_lognormal', 'uniform_continuous'] as const;

/** Whether draws are step indices (with importance weights) or continuous values. */
export function isDiscreteSampler(spec: TimestepSamplerSpec): boolean {
  return spec.kind === 'uniform' || spec.kind === 'importance' || spec.kind === 'loss_second_moment' || (spec.kind === 'logit_normal' && spec.discretize === true);
}

export function requireTimestepSampler(spec: TimestepSamplerSpec, T: number, field = 'timestep_sampler'): TimestepSamplerSpec {
  if (spec === null || typeof spec !== 'object' || !(TIMESTEP_SAMPLER_KINDS as readonly string[]).includes(spec.kind)) {
    throw new InvalidArgumentError(`${field}.kind`, (spec as { kind?: unknown } | null)?.kind ?? spec, `must be one of ${TIMESTEP_SAMPLER_KINDS.join(', ')}`);
  }
  switch (spec.kind) {
    case 'importance':
      if (!Array.isArray(spec.weights) || spec.weights.length !== T) throw new InvalidArgumentError(`${field}.weights`, spec.weights, `must be ${T} numbers (one per step)`);
      spec.weights.forEach((w, i) => {
        if (!(Number.isFinite(w) && w >= 0)) throw new InvalidArgumentError(`${field}.weights[${i}]`, w, 'must be finite and ≥ 0');
      });
      if (!spec.weights.some((w) => w > 0)) throw new InvalidArgumentError(`${field}.weights`, spec.weights, 'must not all be 0');
      break;
    case 'loss_second_moment':
      requireIntegerInRange(`${field}.history_per_term`, spec.history_per_term ?? 10, 1, 1e6);
      if (!((spec.uniform_prob ?? 0.001) >= 0 && (spec.uniform_prob ?? 0.001) <= 1)) throw new InvalidArgumentError(`${field}.uniform_prob`, spec.uniform_prob, 'must lie in [0, 1]');
      break;
    case 'logit_normal':
      requireFinite(`${field}.mean`, spec.mean);
      requirePositive(`${field}.std`, spec.std);
      break;
    case 'edm_lognormal':
      requireFinite(`${field}.p_mean`, spec.p_mean);
      requirePositive(`${field}.p_std`, spec.p_std);
      break;
  }
  return spec;
}

/** One step's loss observed by a loss-aware sampler (0-based step index). */
export interface LossObservation {
  readonly t: number;
  readonly loss: number;
}

/**
 * improved-diffusion LossSecondMomentResampler.weights() after `update_with_all_losses(history)`:
 * per step a queue of its last H losses; uniform until every queue is full; then
 * p_t ∝ √(mean_h loss²), normalized, times (1 − u), plus u/T.
 */
export function lossSecondMomentProbabilities(T: number, history: readonly LossObservation[], historyPerTerm = 10, uniformProb = 0.001): Float64Array {
  const queues: number[][] = Array.from({ length: T }, () => []);
  history.forEach((o, i) => {
    requireIntegerInRange(`history[${i}].t`, o.t, 0, T - 1);
    requireFinite(`history[${i}].loss`, o.loss);
    const q = queues[o.t];
    q.push(o.loss);
    if (q.length > historyPerTerm) q.shift();
  });
  if (queues.some((q) => q.length < historyPerTerm)) return new Float64Array(T).fill(1 / T);
  const w = Float64Array.from(queues, (q) => Math.sqrt(q.reduce((s, v) => s + v * v, 0) / q.length));
  const total = w.reduce((s, v) => s + v, 0);
  // improved-diffusion divides by this sum: with every recorded loss 0 it would return NaN.
  if (!(total > 0)) throw new InvalidArgumentError('history', 'every recorded loss is 0', 'the loss-second-moment weights are undefined (0/0)');
  return w.map((v) => (v / total) * (1 - uniformProb) + uniformProb / T);
}

/** P(index = k) for a discrete sampler (0-based steps). */
export function discreteProbabilities(spec: TimestepSamplerSpec, T: number, history: readonly LossObservation[] = []): Float64Array {
  requireTimestepSampler(spec, T);
  switch (spec.kind) {
    case 'uniform':
      return new Float64Array(T).fill(1 / T);
    case 'importance': {
      const total = spec.weights.reduce((s, v) => s + v, 0);
      return Float64Array.from(spec.weights, (v) => v / total);
    }
    case 'loss_second_moment':
      return lossSecondMomentProbabilities(T, history, spec.history_per_term ?? 10, spec.uniform_prob ?? 0.001);
    case 'logit_normal': {
      if (!spec.discretize) break;
      // P(⌊uT⌋ = k) = G((k+1)/T) − G(k/T), G(u) = Φ((logit u − m)/s), G(0) = 0, G(1) = 1.
      const G = (u: number) => (u <= 0 ? 0 : u >= 1 ? 1 : normalCdf((Math.log(u / (1 - u)) - spec.mean) / spec.std));
      return Float64Array.from({ length: T }, (_, k) => G((k + 1) / T) - G(k / T));
    }
  }
  throw new InvalidArgumentError('timestep_sampler.kind', spec.kind, 'is continuous: use continuousCdf');
}

/** The CDF of a continuous sampler's draws. */
export function continuousCdf(spec: TimestepSamplerSpec): (x: number) => number {
  switch (spec.kind) {
    case 'logit_normal':
      return (u) => (u <= 0 ? 0 : u >= 1 ? 1 : normalCdf((Math.log(u / (1 - u)) - spec.mean) / spec.std));
    case 'edm_lognormal':
      return (sigma) => (sigma <= 0 ? 0 : normalCdf((Math.log(sigma) - spec.p_mean) / spec.p_std));
    case 'uniform_continuous':
      return (u) => Math.min(1, Math.max(0, u));
    default:
      throw new InvalidArgumentError('timestep_sampler.kind', spec.kind, 'is discrete: use discreteProbabilities');
  }
}

/**
 * A continuous draw mapped to N(0, 1) under the declared law (for a location test with known variance):
 * logit-normal: (logit u − m)/s; EDM: (ln σ − P_mean)/P_std. undefined for the uniform.
 */
export function standardizedDraw(spec: TimestepSamplerSpec, x: number): number | undefined {
  if (spec.kind === 'logit_normal') return (Math.log(x / (1 - x)) - spec.mean) / spec.std;
  if (spec.kind === 'edm_lognormal') return (Math.log(x) - spec.p_mean) / spec.p_std;
  return undefined;
}

/** Unbiased importance weights 1/(T p_t) at the drawn steps (ScheduleSampler.sample). */
export function importanceWeights(p: ArrayLike<number>, draws: ArrayLike<number>): Float64Array {
  const T = p.length;
  return Float64Array.from(draws, (k) => 1 / (T * p[k]));
}
