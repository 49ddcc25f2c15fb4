import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { InvalidArgumentError } from '../errors.ts';
import { AffineScoreModel } from '../models/affineScoreModel.ts';
import { type FlowCoefficients, noiseVariance } from './flowPath.ts';

/*
 * The marginal velocity as a combination of x and the score (MATH.md §19.4). Given x₀, x_t is
 * N(a x₀, σ̃²I) with σ̃² = s² + r², so Tweedie gives E[x₀ | x_t] = (x + σ̃²∇log q_t)/a and
 * E[sε + rξ | x_t] = −σ̃²∇log q_t; the part of ṡε + ṙξ along sε + rξ is (ṡs + ṙr)/σ̃² of it and the
 * rest is independent of x_t. Hence, for a ≠ 0,
 *   v*_t(x) = α_t x + β_t ∇log q_t(x),   α_t = ȧ/a,   β_t = ȧσ̃²/a − (ṡs + ṙr).
 * Rectified flow: α = −1/(1 − t), β = −t/(1 − t). The conditional version holds sample by sample
 * when r = 0: α x_t + β ∇log q(x_t|x₀) = ȧx₀ + ṡε = u_t, so for v = αx + β s_θ,
 *   ‖v(x_t) − u_t‖² = β² ‖s_θ(x_t) − ∇log q(x_t|x₀)‖²   and   ‖v − v*_t‖² = β² ‖s_θ − ∇log q_t‖²:
 * CFM_t = β_t² DSM_t and FM_t = β_t² ESM_t at the noise level (a, σ̃), for every model and every data
 * law — every per-time DSM statement is a CFM statement with the factor β_t². With r ≠ 0 (Tong's
 * I-CFM) the target carries the extra variance (ṡr − ṙs)²/σ̃² per coordinate that x₀ and x_t do not
 * determine: CFM_t = β²DSM_t + d(ṡr − ṙs)²/σ̃² (same gradients, another constant).
 */
export interface VelocityScoreCoefficients {
  readonly alpha: number;
  readonly beta: number;
}

export function velocityScoreCoefficients(co: FlowCoefficients): VelocityScoreCoefficients {
  if (co.a === 0) throw new InvalidArgumentError('t', co.t, 'the velocity–score link needs a_t ≠ 0 (at the pure-noise end x_t carries no score of the data)');
  const v = noiseVariance(co);
  return { alpha: co.da / co.a, beta: (co.da * v) / co.a - (co.ds * co.s + co.dr * co.r) };
}

/** The Gaussian noise level (a_t, σ̃_t) of x_t given x₀, for the DSM objectives of src/objectives. */
export function pathNoiseLevel(co: FlowCoefficients): NoiseLevel {
  const sigma = Math.sqrt(noiseVariance(co));
  if (!(co.a > 0 && sigma > 0)) throw new InvalidArgumentError('t', co.t, `a noise level needs a_t > 0 and σ̃_t > 0 (a = ${co.a}, σ̃ = ${sigma})`);
  return { a: co.a, s: sigma };
}

/** v(x) = αx + β s_θ(x) for an affine score model s_θ(x) = Ax + b: (αI + βA)x + βb. */
export function velocityFromScoreModel(model: AffineScoreModel, co: FlowCoefficients): AffineScoreModel {
  const { alpha, beta } = velocityScoreCoefficients(co);
  const d = model.dim;
  const A = { rows: d, cols: d, data: Float64Array.from(model.A.data, (v, k) => beta * v + (Math.floor(k / d) === k % d ? alpha : 0)) };
  return new AffineScoreModel(A, Array.from(model.b, (v) => beta * v), 'velocity from score');
}

/** The per-coordinate target variance that Tong's pair conditioning adds: (ṡr − ṙs)²/(s² + r²). */
export function pairConditioningExcess(co: FlowCoefficients): number {
  const v = noiseVariance(co);
  const m = co.ds * co.r - co.dr * co.s;
  return v === 0 ? 0 : (m * m) / v;
}
