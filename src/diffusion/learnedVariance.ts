import { InvalidArgumentError } from '../errors.ts';
import { requireFinite, requireIntegerInRange } from '../validate.ts';
import type { VPSchedule } from './schedule.ts';

/*
 * The reverse kernel's variance p(x_{t−1}|x_t) = N(μ_θ, σ_t²) as diffusion code declares it
 * (MATH.md §7.3; improved-diffusion ModelVarType, diffusers variance_type). Internal t = 1..T;
 * β̃_t = (1 − ᾱ_{t−1})β_t/(1 − ᾱ_t) is 0 at t = 1.
 *  - fixed_small:   σ² = β̃_t; its log clipped at t = 1 to log β̃_2 (posterior_log_variance_clipped)
 *  - fixed_large:   σ² = β_t, except at t = 1 where improved-diffusion uses β̃_2 ("a better decoder
 *                   likelihood"; first_step: 'beta_tilde_2', its default) and diffusers β_1 ('beta')
 *  - learned_range: log σ² = frac·log β_t + (1 − frac)·min_log, frac = (v + 1)/2, v the network's
 *                   variance output (unconstrained; v ∈ [−1, 1] spans [β̃, β]); min_log the clipped
 *                   log β̃ (improved-diffusion, 'clipped') or log max(β̃_t, 1e−20) (diffusers, 'clamped')
 *  - learned:       log σ² = v
 */
export type VarianceSpec =
  | { readonly kind: 'fixed_small' }
  | { readonly kind: 'fixed_large'; readonly first_step?: 'beta' | 'beta_tilde_2' }
  | { readonly kind: 'learned_range'; readonly min_log?: 'clipped' | 'clamped' }
  | { readonly kind: 'learned' };

export const VARIANCE_KINDS = ['fixed_small', 'fixed_large', 'learned_range', 'learned'] as const;

/** Whether the network has a variance head (outputs 2d numbers: d for the mean, d for v). */
export function hasVarianceHead(spec: VarianceSpec): boolean {
  return spec.kind === 'learned_range' || spec.kind === 'learned';
}

export function requireVarianceSpec(spec: VarianceSpec, field = 'variance'): VarianceSpec {
  if (spec === null || typeof spec !== 'object' || !(VARIANCE_KINDS as readonly string[]).includes(spec.kind)) {
    throw new InvalidArgumentError(`${field}.kind`, (spec as { kind?: unknown } | null)?.kind ?? spec, `must be one of ${VARIANCE_KINDS.join(', ')}`);
  }
  if (spec.kind === 'fixed_large' && spec.first_step !== undefined && spec.first_step !== 'beta' && spec.first_step !== 'beta_tilde_2') {
    throw new InvalidArgumentError(`${field}.first_step`, spec.first_step, 'must be "beta" or "beta_tilde_2"');
  }
  if (spec.kind === 'learned_range' && spec.min_log !== undefined && spec.min_log !== 'clipped' && spec.min_log !== 'clamped') {
    throw new InvalidArgumentError(`${field}.min_log`, spec.min_log, 'must be "clipped" or "clamped"');
  }
  return spec;
}

/** β̃_t (0 at t = 1). */
export function posteriorVariance(schedule: VPSchedule, t: number): number {
  return ((1 - schedule.alphaBar(t - 1)) * schedule.beta(t)) / (1 - schedule.alphaBar(t));
}

/** log β̃_t with t = 1 replaced by t = 2 (needs T ≥ 2; T = 1 falls back to log β_1). */
export function clippedLogPosteriorVariance(schedule: VPSchedule, t: number): number {
  if (t === 1) return schedule.T >= 2 ? Math.log(posteriorVariance(schedule, 2)) : Math.log(schedule.beta(1));
  return Math.log(posteriorVariance(schedule, t));
}

/** log σ_t² of the declared variance; `v` is the network's variance output (learned kinds only). */
export function logVariance(spec: VarianceSpec, schedule: VPSchedule, t: number, v?: number): number {
  requireIntegerInRange('t', t, 1, schedule.T);
  switch (spec.kind) {
    case 'fixed_small':
      return clippedLogPosteriorVariance(schedule, t);
    case 'fixed_large':
      return t === 1 && (spec.first_step ?? 'beta_tilde_2') === 'beta_tilde_2' && schedule.T >= 2 ? Math.log(posteriorVariance(schedule, 2)) : Math.log(schedule.beta(t));
    case 'learned_range': {
      requireFinite('v', v as number);
      const minLog = (spec.min_log ?? 'clipped') === 'clipped' ? clippedLogPosteriorVariance(schedule, t) : Math.log(Math.max(posteriorVariance(schedule, t), 1e-20));
      const frac = ((v as number) + 1) / 2;
      return frac * Math.log(schedule.beta(t)) + (1 - frac) * minLog;
    }
    case 'learned':
      return requireFinite('v', v as number);
  }
}

/** ∂ log σ_t²/∂v (0 for fixed kinds): (log β_t − min_log)/2 for learned_range, 1 for learned. */
export function logVarianceSlope(spec: VarianceSpec, schedule: VPSchedule, t: number): number {
  if (spec.kind === 'learned') return 1;
  if (spec.kind !== 'learned_range') return 0;
  const minLog = (spec.min_log ?? 'clipped') === 'clipped' ? clippedLogPosteriorVariance(schedule, t) : Math.log(Math.max(posteriorVariance(schedule, t), 1e-20));
  return (Math.log(schedule.beta(t)) - minLog) / 2;
}
