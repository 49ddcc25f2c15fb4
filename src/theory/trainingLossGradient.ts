import { type VarianceSpec, hasVarianceHead, logVariance, logVarianceSlope } from '../diffusion/learnedVariance.ts';
import { type Weighting, lossWeight } from '../diffusion/lossWeighting.ts';
import { fromScore, toScore, type Parameterization } from '../diffusion/parameterization.ts';
import { posteriorCoefficients } from '../diffusion/posterior.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError } from '../errors.ts';
import { requireFiniteArray, requireIntegerInRange } from '../validate.ts';
import { discretizedGaussianGradient } from './discretizedGaussian.ts';
import { normalCdf, normalPdf, tanhApproxNormalCdf, tanhApproxNormalPdf } from '../numerics/normalCdf.ts';
import { type AffineHeads, type DecoderSpec, type VlbUnits, vlbTerm } from './variationalBound.ts';

/*
 * A training loss and its exact gradient with respect to the affine network's (W, b) — what a
 * subject's autograd must return (MATH.md §7.4). Per sample, with x_t = a x_0 + s ε:
 *   ℓ = λ_t/d′ ‖f − target‖²  +  λ_vlb · L_t(f̄, v)        (d′ = d for 'mean', 1 for 'sum')
 * — the simple loss in the declared parameterization, plus for the hybrid objective of improved
 * DDPM the bound's term at the sample's step (L_0 at the first step) whose model mean is computed
 * from f̄ = stop_gradient(f) (`frozen_out`), so that the bound trains only the variance head v.
 * Gradients: ∂ℓ/∂W_{i·} = (∂ℓ/∂f_i) x_tᵀ, ∂ℓ/∂b_i = ∂ℓ/∂f_i for the mean head, the same with
 * ∂ℓ/∂v_i for the variance head, where
 *   ∂ℓ/∂f_i = 2λ_t (f_i − target_i)/d′  [+ λ_vlb ∂L/∂μ_i · c0 κ_f  without the stop-gradient],
 *   ∂ℓ/∂v_i = λ_vlb ∂L/∂lv2_i · ∂lv2_i/∂v_i,
 *   KL:  ∂/∂lv2 = ½(1 − e^{lv1−lv2} − m² e^{−lv2}), ∂/∂μ = −m e^{−lv2} (m = μ̃ − μ);
 *   L_0 Gaussian: ∂/∂lv2 = ½(1 − r² e^{−lv2}), ∂/∂μ = −r e^{−lv2} (r = x_0 − μ);
 *   L_0 discretized: −∂ log p/∂μ, −½ ∂ log p/∂ log σ (src/theory/discretizedGaussian.ts);
 * times 1/(d ln 2) in bits per dimension. μ = c0 x̂_0 + ct x_t with x̂_0 = κ_f f + κ_x x_t.
 */

export interface TrainingObjective {
  readonly parameterization: Parameterization;
  readonly weighting: Weighting;
  /** Reduction of the squared error over coordinates. */
  readonly reduction: 'mean' | 'sum';
  readonly variance: VarianceSpec;
  /** The hybrid objective's bound term (absent: the simple loss only). */
  readonly vlb?: {
    readonly weight: number;
    readonly decoder: DecoderSpec;
    readonly units: VlbUnits;
    /** The mean is detached in the bound term (improved DDPM). Default true. */
    readonly stopGradient?: boolean;
  };
}

export interface SampleLossGradient {
  readonly loss: number;
  readonly simple: number;
  readonly vlb: number;
  /** ∂ℓ/∂W, rows × d row-major (rows = d, or 2d with a variance head). */
  readonly W: Float64Array;
  readonly b: Float64Array;
}

function target(p: Parameterization, x0: number, eps: number, a: number, s: number): number {
  switch (p) {
    case 'eps':
      return eps;
    case 'x0':
      return x0;
    case 'v':
      return a * eps - s * x0;
    case 'score':
      return -eps / s;
  }
}

/** The loss of one sample at internal step t and its gradient. */
export function sampleLossGradient(
  schedule: VPSchedule, t: number, obj: TrainingObjective, heads: AffineHeads, x0: ArrayLike<number>, noise: ArrayLike<number>,
): SampleLossGradient {
  requireIntegerInRange('t', t, 1, schedule.T);
  const d = x0.length;
  if (noise.length !== d) throw new DimensionMismatchError('noise', d, noise.length);
  requireFiniteArray('x0', x0);
  requireFiniteArray('noise', noise);
  const headV = hasVarianceHead(obj.variance);
  const rows = headV ? 2 * d : d;
  if (heads.W.length !== rows || heads.b.length !== rows) throw new DimensionMismatchError('model', `${rows}×${d}`, `${heads.W.length}×${heads.W[0]?.length}`);
  const level = schedule.level(t);
  const { a, s } = level;
  const xt = Array.from(x0, (v, i) => a * v + s * noise[i]);
  const out = (i: number) => heads.W[i].reduce((acc, w, j) => acc + w * xt[j], heads.b[i]);
  const lam = lossWeight(obj.weighting, a * a) / (obj.reduction === 'mean' ? d : 1);
  const dF = new Float64Array(d), dV = new Float64Array(d);
  let simple = 0;
  for (let i = 0; i < d; i++) {
    const r = out(i) - target(obj.parameterization, x0[i], noise[i], a, s);
    simple += lam * r * r;
    dF[i] = 2 * lam * r;
  }
  let vlb = 0;
  if (obj.vlb) {
    const setting = { parameterization: obj.parameterization, variance: obj.variance, decoder: obj.vlb.decoder, units: obj.vlb.units };
    vlb = obj.vlb.weight * vlbTerm(schedule, t, setting, heads, x0, xt);
    const unit = obj.vlb.units === 'nats' ? 1 : 1 / (d * Math.LN2);
    const x0Of = (f: number, x: number) => fromScore('x0', toScore(obj.parameterization, [f], [x], level), [x], level)[0];
    const kx = x0Of(0, 1), kf = x0Of(1, 0) - x0Of(0, 0);
    const { coefX0: c0, coefXt: ct } = posteriorCoefficients(schedule, t);
    const lv1 = t === 1 ? 0 : Math.log(posteriorCoefficients(schedule, t).variance);
    for (let i = 0; i < d; i++) {
      const f = out(i);
      const lv2 = logVariance(obj.variance, schedule, t, headV ? out(d + i) : undefined);
      const mu = c0 * (kf * f + kx * xt[i]) + ct * xt[i];
      let dLv2: number, dMu: number;
      if (t === 1) {
        if (obj.vlb.decoder.kind === 'gaussian') {
          const r = x0[i] - mu;
          dLv2 = 0.5 * (1 - r * r * Math.exp(-lv2));
          dMu = -r * Math.exp(-lv2);
        } else {
          const g = discretizedGaussianGradient(x0[i], mu, 0.5 * lv2, obj.vlb.decoder.cdf);
          dLv2 = -0.5 * g.logScale;
          dMu = -g.mean;
        }
      } else {
        const m = c0 * x0[i] + ct * xt[i] - mu;
        dLv2 = 0.5 * (1 - Math.exp(lv1 - lv2) - m * m * Math.exp(-lv2));
        dMu = -m * Math.exp(-lv2);
      }
      const w = obj.vlb.weight * unit;
      if (headV) dV[i] = w * dLv2 * logVarianceSlope(obj.variance, schedule, t);
      if (obj.vlb.stopGradient === false) dF[i] += w * dMu * c0 * kf;
    }
  }
  const W = new Float64Array(rows * d), b = new Float64Array(rows);
  for (let i = 0; i < d; i++) {
    b[i] = dF[i];
    for (let j = 0; j < d; j++) W[i * d + j] = dF[i] * xt[j];
    if (headV) {
      b[d + i] = dV[i];
      for (let j = 0; j < d; j++) W[(d + i) * d + j] = dV[i] * xt[j];
    }
  }
  return { loss: simple + vlb, simple, vlb, W, b };
}

/** One batch: per-sample losses and the gradient of their mean (or sum). */
export function batchLossGradient(
  schedule: VPSchedule, obj: TrainingObjective, heads: AffineHeads,
  samples: readonly { readonly x0: ArrayLike<number>; readonly noise: ArrayLike<number>; readonly t: number }[], batchReduction: 'mean' | 'sum',
): { losses: Float64Array; W: Float64Array; b: Float64Array } {
  const per = samples.map((s) => sampleLossGradient(schedule, s.t, obj, heads, s.x0, s.noise));
  const k = batchReduction === 'mean' ? 1 / samples.length : 1;
  const W = new Float64Array(per[0].W.length), b = new Float64Array(per[0].b.length);
  for (const g of per) {
    for (let i = 0; i < W.length; i++) W[i] += k * g.W[i];
    for (let i = 0; i < b.length; i++) b[i] += k * g.b[i];
  }
  return { losses: Float64Array.from(per, (g) => g.loss), W, b };
}

/**
 * The size of the terms the variance head's gradient is summed from, per coordinate (for a rounding
 * tolerance): ½(1 + e^{lv1−lv2} + m² e^{−lv2}) for a KL, ½(1 + r² e^{−lv2}) for the Gaussian decoder,
 * and for the discretized decoder ½(|f(z+)z+| + |f(z−)z−|)/p times (1 + z+² + z−²), the relative
 * condition number of f(z)z/p in z; all times the weight, the units and |∂lv2/∂v|.
 */
export function varianceGradientMagnitudes(schedule: VPSchedule, t: number, obj: TrainingObjective, heads: AffineHeads, x0: ArrayLike<number>, noise: ArrayLike<number>): Float64Array {
  const d = x0.length;
  const out = new Float64Array(d);
  if (!obj.vlb || !hasVarianceHead(obj.variance)) return out;
  const level = schedule.level(t);
  const { a, s } = level;
  const xt = Array.from(x0, (v, i) => a * v + s * noise[i]);
  const row = (i: number) => heads.W[i].reduce((acc, w, j) => acc + w * xt[j], heads.b[i]);
  const x0Of = (f: number, x: number) => fromScore('x0', toScore(obj.parameterization, [f], [x], level), [x], level)[0];
  const kx = x0Of(0, 1), kf = x0Of(1, 0) - x0Of(0, 0);
  const { coefX0: c0, coefXt: ct } = posteriorCoefficients(schedule, t);
  const unit = obj.vlb.units === 'nats' ? 1 : 1 / (d * Math.LN2);
  const slope = Math.abs(logVarianceSlope(obj.variance, schedule, t));
  for (let i = 0; i < d; i++) {
    const lv2 = logVariance(obj.variance, schedule, t, row(d + i));
    const mu = c0 * (kf * row(i) + kx * xt[i]) + ct * xt[i];
    let m: number;
    if (t === 1 && obj.vlb.decoder.kind === 'discretized_gaussian') {
      const inv = Math.exp(-0.5 * lv2);
      const zp = inv * (x0[i] - mu + 1 / 255), zm = inv * (x0[i] - mu - 1 / 255);
      // −∂ log p/∂ log σ = (f(z+)z+ − f(z−)z−)/p with p = F(z+) − F(z−): both differences cancel when the bin
      // is narrow against σ, so their addends' sizes (|f+z+| + |f−z−|, F(z+) + F(z−)) over p set the scale.
      const cdf = obj.vlb.decoder.cdf === 'exact' ? normalCdf : tanhApproxNormalCdf;
      const pdf = obj.vlb.decoder.cdf === 'exact' ? normalPdf : tanhApproxNormalPdf;
      const g = discretizedGaussianGradient(x0[i], mu, 0.5 * lv2, obj.vlb.decoder.cdf);
      const p = Math.max(1e-12, Math.abs(cdf(zp) - cdf(zm)), x0[i] < -0.999 ? cdf(zp) : x0[i] > 0.999 ? cdf(-zm) : 0);
      const numer = (Math.abs(pdf(zp) * zp) + Math.abs(pdf(zm) * zm)) / p;
      const cancel = (Math.abs(cdf(zp)) + Math.abs(cdf(zm))) / p;
      m = 0.5 * (numer + Math.abs(g.logScale) * cancel) * (1 + zp * zp + zm * zm) + 1;
    } else if (t === 1) {
      m = 0.5 * (1 + (x0[i] - mu) ** 2 * Math.exp(-lv2));
    } else {
      const lv1 = Math.log(posteriorCoefficients(schedule, t).variance);
      m = 0.5 * (1 + Math.exp(lv1 - lv2) + (c0 * x0[i] + ct * xt[i] - mu) ** 2 * Math.exp(-lv2));
    }
    out[i] = obj.vlb.weight * unit * slope * m;
  }
  return out;
}
