import { InvalidArgumentError } from '../errors.ts';
import { normalQuantile } from '../mc/normalQuantile.ts';
import { brentRoot } from '../numerics/minimize.ts';
import { normalCdf } from '../numerics/normalCdf.ts';
import { requireFinite, requireIntegerInRange, requirePositive } from '../validate.ts';

/*
 * The law of the flow-matching training time (the noise level σ = t of the rectified path),
 * as real training code draws it (MATH.md §19.6; Esser et al. 2024 §3.1, diffusers
 * `compute_density_for_timestep_sampling` and FlowMatchEulerDiscreteScheduler):
 *   base u:   uniform;  logit_normal u = sigmoid(n), n ~ N(loc, scale²);
 *             mode u = f(U), f(v) = 1 − v − s(cos²(πv/2) − 1 + v), U ~ U(0, 1) (monotone for s ∈ [−1, 2/(π−2)]);
 *             cosmap u = 1 − 1/(tan(πU/2) + 1);
 *   shift:    t = shift·u/(1 + (shift − 1)u) (SD3's time shift; Flux's exp(μ) is shift = e^μ);
 *   discrete: with num_train_timesteps N, t takes the table values σ_k = shift(k/N), k = 1..N:
 *             `descending` (diffusers: timesteps = linspace(1, N, N)[::-1], index ⌊uN⌋) gives σ = shift((N − ⌊uN⌋)/N);
 *             `ascending` gives σ = shift((⌊uN⌋ + 1)/N).
 * The descending table reverses the base law: a logit-normal location m becomes −m for σ.
 */
export type FlowTimeBase =
  | { readonly kind: 'uniform' }
  | { readonly kind: 'logit_normal'; readonly loc: number; readonly scale: number }
  | { readonly kind: 'mode'; readonly scale: number }
  | { readonly kind: 'cosmap' };

export const FLOW_TIME_BASE_KINDS = ['uniform', 'logit_normal', 'mode', 'cosmap'] as const;

export interface FlowTimeDiscretization {
  readonly numTrainTimesteps: number;
  readonly table: 'descending' | 'ascending';
}

export interface FlowTimeLaw {
  readonly base: FlowTimeBase;
  /** SD3 time shift (1: none). */
  readonly shift: number;
  readonly discretization?: FlowTimeDiscretization;
}

/** The largest mode scale for which f is monotone: 2/(π − 2). */
export const MODE_SCALE_MAX = 2 / (Math.PI - 2);

export function requireFlowTimeLaw(law: FlowTimeLaw, field = 'law'): FlowTimeLaw {
  const b = law?.base;
  if (!b || !(FLOW_TIME_BASE_KINDS as readonly string[]).includes(b.kind)) throw new InvalidArgumentError(`${field}.kind`, (b as { kind?: unknown } | undefined)?.kind, `must be one of ${FLOW_TIME_BASE_KINDS.join(', ')}`);
  if (b.kind === 'logit_normal') {
    requireFinite(`${field}.loc`, b.loc);
    requirePositive(`${field}.scale`, b.scale);
  }
  if (b.kind === 'mode') {
    requireFinite(`${field}.scale`, b.scale);
    if (!(b.scale >= -1 && b.scale <= MODE_SCALE_MAX)) throw new InvalidArgumentError(`${field}.scale`, b.scale, `must lie in [−1, ${MODE_SCALE_MAX.toFixed(4)}] (f_mode is not monotone outside)`);
  }
  requirePositive(`${field}.shift`, law.shift);
  if (law.discretization) {
    requireIntegerInRange(`${field}.num_train_timesteps`, law.discretization.numTrainTimesteps, 1, 1e6);
    if (law.discretization.table !== 'descending' && law.discretization.table !== 'ascending') throw new InvalidArgumentError(`${field}.table`, law.discretization.table, 'must be descending or ascending');
  }
  return law;
}

/** SD3's time shift t ↦ shift·t/(1 + (shift − 1)t) and its inverse. */
export function shiftTime(shift: number, t: number): number {
  return (shift * t) / (1 + (shift - 1) * t);
}

export function unshiftTime(shift: number, t: number): number {
  return t / (shift - (shift - 1) * t);
}

/** f_mode(v) = 1 − v − s(cos²(πv/2) − 1 + v). */
export function modeTransform(scale: number, v: number): number {
  const c = Math.cos((Math.PI * v) / 2);
  return 1 - v - scale * (c * c - 1 + v);
}

/** P(u ≤ x) of the base law. */
export function baseCdf(base: FlowTimeBase, x: number): number {
  if (!(x > 0)) return 0;
  if (!(x < 1)) return 1;
  switch (base.kind) {
    case 'uniform':
      return x;
    case 'logit_normal':
      return normalCdf((Math.log(x / (1 - x)) - base.loc) / base.scale);
    case 'mode': {
      // f is decreasing from f(0) = 1 to f(1) = 0: P(f(U) ≤ x) = 1 − f⁻¹(x).
      const v = brentRoot((w) => modeTransform(base.scale, w) - x, 0, 1, 1e-15);
      return 1 - v;
    }
    case 'cosmap':
      return (2 / Math.PI) * Math.atan(x / (1 - x));
  }
}

/** The base law's quantile at p ∈ (0, 1). */
export function baseQuantile(base: FlowTimeBase, p: number): number {
  switch (base.kind) {
    case 'uniform':
      return p;
    case 'logit_normal':
      return 1 / (1 + Math.exp(-(base.loc + base.scale * normalQuantile(p))));
    case 'mode':
      return modeTransform(base.scale, 1 - p);
    case 'cosmap':
      return 1 - 1 / (Math.tan((Math.PI * p) / 2) + 1);
  }
}

/** P(t ≤ x) for a continuous law (shift included). */
export function flowTimeCdf(law: FlowTimeLaw, x: number): number {
  if (!(x > 0)) return 0;
  if (!(x < 1)) return 1;
  return baseCdf(law.base, unshiftTime(law.shift, x));
}

/** The continuous law's quantile (the inverse-CDF draw of U(0, 1)). */
export function flowTimeQuantile(law: FlowTimeLaw, p: number): number {
  return shiftTime(law.shift, baseQuantile(law.base, p));
}

/** The atoms σ_k = shift(k/N), k = 1..N, and their probabilities, of a discretized law. */
export function flowTimeAtoms(law: FlowTimeLaw): { readonly values: Float64Array; readonly probabilities: Float64Array } {
  const disc = law.discretization;
  if (!disc) throw new InvalidArgumentError('law.num_train_timesteps', undefined, 'a continuous law has no atoms');
  const N = disc.numTrainTimesteps;
  const values = Float64Array.from({ length: N }, (_, i) => shiftTime(law.shift, (i + 1) / N));
  const F = (x: number) => baseCdf(law.base, x);
  const probabilities = Float64Array.from({ length: N }, (_, i) => {
    const k = i + 1;
    // descending: σ = shift((N − ⌊uN⌋)/N) = σ_k ⟺ ⌊uN⌋ = N − k ⟺ u ∈ [(N − k)/N, (N − k + 1)/N).
    return disc.table === 'descending' ? F((N - k + 1) / N) - F((N - k) / N) : F(k / N) - F((k - 1) / N);
  });
  return { values, probabilities };
}

/** Whether the draws are table values (atoms) rather than a continuous law. */
export function isDiscreteFlowTimeLaw(law: FlowTimeLaw): boolean {
  return law.discretization !== undefined;
}
