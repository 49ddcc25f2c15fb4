import fc from 'fast-check';
import { type NoiseLevel, veLevel, vpLevel } from '../diffusion/noiseLevel.ts';
import { type VPSchedule, cosineSchedule, linearSchedule, scaledLinearSchedule } from '../diffusion/schedule.ts';
import { simpleDouble } from './boundedDouble.ts';

/** A discrete VP schedule: linear, scaled-linear or cosine, T ∈ [1, maxT] (default 1000); shrinks to linear, T = 1. */
export function vpSchedule(opts: { minT?: number; maxT?: number } = {}): fc.Arbitrary<VPSchedule> {
  return fc
    .tuple(fc.constantFrom('linear', 'scaled-linear', 'cosine'), fc.integer({ min: opts.minT ?? 1, max: opts.maxT ?? 1000 }))
    .map(([kind, T]) => (kind === 'linear' ? linearSchedule(T) : kind === 'cosine' ? cosineSchedule(T) : scaledLinearSchedule(T)));
}

/** A schedule and a timestep t ∈ [1, T] of it. */
export function vpScheduleAndTimestep(opts: { minT?: number; maxT?: number } = {}): fc.Arbitrary<{ schedule: VPSchedule; t: number }> {
  return vpSchedule(opts).chain((schedule) => fc.integer({ min: 1, max: schedule.T }).map((t) => ({ schedule, t })));
}

/** log10 ranges of a noise level: VP ᾱ (default [−3, −0.0005]) and VE σ (default [−1.5, 1.5]). */
export interface NoiseLevelRange {
  readonly vpAlphaBarLog10?: readonly [number, number];
  readonly veSigmaLog10?: readonly [number, number];
}

/**
 * Every noise level a statement about "any t" covers, in double precision: VP ᾱ ∈ 10^[−6, −1e-6]
 * (s down to 1e-3), VE σ ∈ 10^[−3, 3] — both ends are corners of one integer choice each.
 */
export const WIDE_NOISE: NoiseLevelRange = { vpAlphaBarLog10: [-6, -0.000001], veSigmaLog10: [-3, 3] };

/**
 * One noise level q(x_t|x_0) = N(a x_0, s² I): VP with ᾱ = 10^u, u ∈ [−3, −0.0005]
 * (a ∈ [0.03, 0.9997]), or VE with σ = 10^u, u ∈ [−1.5, 1.5]. Shrinks to VP ᾱ = 0.5.
 */
export function noiseLevelArb(kinds: readonly ('vp' | 've')[] = ['vp', 've'], range: NoiseLevelRange = {}): fc.Arbitrary<NoiseLevel> {
  const [vpLo, vpHi] = range.vpAlphaBarLog10 ?? [-3, -0.0005];
  const [veLo, veHi] = range.veSigmaLog10 ?? [-1.5, 1.5];
  const vp = simpleDouble(vpLo, vpHi, 4).map((u) => vpLevel(u === 0 ? 0.5 : 10 ** u));
  const ve = simpleDouble(veLo, veHi, 3).map((u) => veLevel(10 ** u));
  const arbs = kinds.map((k) => (k === 'vp' ? vp : ve));
  return arbs.length === 1 ? arbs[0] : fc.oneof(...arbs);
}
