import { InvalidArgumentError } from '../errors.ts';
import type { Vector } from '../linalg/index.ts';
import type { VPSchedule } from './schedule.ts';

/**
 * DDPM posterior q(x_{t−1} | x_t, x_0) = N(c0 x_0 + ct x_t, β̃_t I), t ≥ 2
 * (Ho et al. 2020, eq. 7):
 * c0 = √ᾱ_{t−1} β_t / (1−ᾱ_t), ct = √α_t (1−ᾱ_{t−1}) / (1−ᾱ_t),
 * β̃_t = (1−ᾱ_{t−1}) β_t / (1−ᾱ_t). At t = 1, ᾱ_0 = 1 gives c0 = 1, ct = 0, β̃ = 0.
 */
export interface PosteriorCoefficients {
  readonly coefX0: number;
  readonly coefXt: number;
  readonly variance: number;
}

export function posteriorCoefficients(schedule: VPSchedule, t: number): PosteriorCoefficients {
  if (!Number.isInteger(t) || t < 1 || t > schedule.T) throw new InvalidArgumentError('t', t, `must be an integer in [1, ${schedule.T}]`);
  const beta = schedule.beta(t);
  const ab = schedule.alphaBar(t);
  const abPrev = schedule.alphaBar(t - 1);
  return {
    coefX0: (Math.sqrt(abPrev) * beta) / (1 - ab),
    coefXt: (Math.sqrt(1 - beta) * (1 - abPrev)) / (1 - ab),
    variance: ((1 - abPrev) * beta) / (1 - ab),
  };
}

export function posteriorMean(schedule: VPSchedule, t: number, xt: ArrayLike<number>, x0: ArrayLike<number>): Vector {
  const { coefX0, coefXt } = posteriorCoefficients(schedule, t);
  const out = new Float64Array(xt.length);
  for (let i = 0; i < xt.length; i++) out[i] = coefX0 * x0[i] + coefXt * xt[i];
  return out;
}
