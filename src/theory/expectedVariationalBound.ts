import { type VarianceSpec, hasVarianceHead, logVariance } from '../diffusion/learnedVariance.ts';
import { fromScore, toScore } from '../diffusion/parameterization.ts';
import { posteriorCoefficients } from '../diffusion/posterior.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { InvalidArgumentError } from '../errors.ts';
import { integrate } from '../numerics/gaussKronrod.ts';
import { requireIntegerInRange } from '../validate.ts';
import { discretizedGaussianLogLikelihood64 } from './discretizedGaussian.ts';
import type { AffineHeads, VlbSetting } from './variationalBound.ts';

/*
 * The bound's terms averaged over x_t ~ q(x_t|x_0) (MATH.md §7.3), for an affine mean head and a
 * variance that does not depend on x_t (fixed kinds, or a variance head with W_v = 0). The model
 * mean is affine, μ_θ(x_t) = G x_t + g with G = c0(κ_f W + κ_x I) + ct I, g = c0 κ_f b, where
 * x̂_0 = κ_f f + κ_x x is the parameterization's reading of the output f. With x_t = a x_0 + s ξ:
 *   μ̃ − μ_θ = (c0 I + ct a I − a G) x_0 − g + s(ct I − G) ξ, each coordinate Gaussian, so
 *   E(μ̃ − μ_θ)_i² = (((c0 + a ct) I − a G) x_0 − g)_i² + s² ‖(ct I − G)_{i·}‖²;
 *   E L_{t−1} = Σ_i ½[−1 + lv2_i − log β̃_t + β̃_t e^{−lv2_i} + E(μ̃ − μ_θ)_i² e^{−lv2_i}];
 *   E L_0 (Gaussian) = Σ_i ½[log 2π + lv2_i + E(x_0 − μ_θ)_i² e^{−lv2_i}];
 *   E L_0 (discretized) = Σ_i E_{μ ~ N(m_i, v_i)}[−log p(x_{0,i}; μ, σ_i)], by adaptive quadrature.
 * Averaging further over x_0 ~ N(m, S) replaces x_0-quadratics by ‖row·m − c‖² + row S rowᵀ.
 */

/** x_0 | or its moments: a point (cov undefined) or mean and covariance (row-major d×d). */
export interface X0 {
  readonly mean: ArrayLike<number>;
  readonly cov?: ArrayLike<number>;
}

function requireConstantVariance(heads: AffineHeads, spec: VarianceSpec, d: number): void {
  if (!hasVarianceHead(spec)) return;
  for (let i = d; i < 2 * d; i++) {
    if (heads.W[i].some((w) => w !== 0)) throw new InvalidArgumentError(`model.W[${i}]`, heads.W[i], 'expected terms need a variance head constant in x_t (W_v = 0)');
  }
}

/** G (d×d, row-major) and g of μ_θ(x) = G x + g at step t. */
function meanMap(schedule: VPSchedule, t: number, setting: VlbSetting, heads: AffineHeads, d: number): { G: Float64Array; g: Float64Array; c0: number; ct: number } {
  const level = schedule.level(t);
  const x0Of = (f: number, x: number) => fromScore('x0', toScore(setting.parameterization, [f], [x], level), [x], level)[0];
  const kx = x0Of(0, 1), kf = x0Of(1, 0) - x0Of(0, 0);
  const { coefX0: c0, coefXt: ct } = posteriorCoefficients(schedule, t);
  const G = new Float64Array(d * d), g = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) G[i * d + j] = c0 * kf * heads.W[i][j];
    G[i * d + i] += c0 * kx + ct;
    g[i] = c0 * kf * heads.b[i];
  }
  return { G, g, c0, ct };
}

/** E over x_0 of (row·x_0 − c)² (point: exact square). */
function quadratic(row: Float64Array, c: number, x0: X0): number {
  const d = row.length;
  let m = -c;
  for (let j = 0; j < d; j++) m += row[j] * x0.mean[j];
  let q = m * m;
  if (x0.cov) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) q += row[j] * x0.cov[j * d + k] * row[k];
  return q;
}

/** The expected term at step t (L_0 at t = 1, else L_{t−1}) over x_t ~ q(x_t|x_0), then over x_0's moments. */
export function expectedVlbTerm(schedule: VPSchedule, t: number, setting: VlbSetting, heads: AffineHeads, x0: X0): number {
  requireIntegerInRange('t', t, 1, schedule.T);
  const d = x0.mean.length;
  requireConstantVariance(heads, setting.variance, d);
  const { a, s } = schedule.level(t);
  const { G, g, c0, ct } = meanMap(schedule, t, setting, heads, d);
  let total = 0;
  for (let i = 0; i < d; i++) {
    const lv2 = logVariance(setting.variance, schedule, t, hasVarianceHead(setting.variance) ? heads.b[d + i] : undefined);
    const row = new Float64Array(d);
    let noise = 0;
    if (t === 1) {
      // x_0 − μ_θ(x_1) = (e_i − a G_i) x_0 − g_i − s G_i ξ
      for (let j = 0; j < d; j++) {
        row[j] = (i === j ? 1 : 0) - a * G[i * d + j];
        noise += (s * G[i * d + j]) ** 2;
      }
      if (setting.decoder.kind === 'gaussian') {
        total += 0.5 * (Math.log(2 * Math.PI) + lv2 + (quadratic(row, g[i], x0) + noise) * Math.exp(-lv2));
      } else {
        if (x0.cov) throw new InvalidArgumentError('x0.cov', 'a covariance', 'the discretized decoder is averaged over x_t at a point x_0 only');
        // μ_i = G_i x_1 + g_i ~ N(m, v), m = a G_i x_0 + g_i, v = s² ‖G_i‖²
        let m = g[i];
        for (let j = 0; j < d; j++) m += a * G[i * d + j] * x0.mean[j];
        const sd = Math.sqrt(noise);
        const xi = x0.mean[i], cdf = setting.decoder.cdf, ls = 0.5 * lv2;
        total += sd === 0
          ? -discretizedGaussianLogLikelihood64(xi, m, ls, cdf)
          : integrate((z) => -discretizedGaussianLogLikelihood64(xi, m + sd * z, ls, cdf) * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI), -12, 12, { absTol: 1e-14, relTol: 1e-12 }).value;
      }
    } else {
      // μ̃ − μ_θ = ((c0 + a ct) e_i − a G_i) x_0 − g_i + s (ct e_i − G_i) ξ
      for (let j = 0; j < d; j++) {
        row[j] = (i === j ? c0 + a * ct : 0) - a * G[i * d + j];
        noise += (s * ((i === j ? ct : 0) - G[i * d + j])) ** 2;
      }
      const bt = ((1 - schedule.alphaBar(t - 1)) * schedule.beta(t)) / (1 - schedule.alphaBar(t));
      const lv1 = Math.log(bt);
      // −1 + lv2 − lv1 + e^{lv1−lv2} = expm1(δ) − δ, δ = lv1 − lv2: no cancellation when σ² ≈ β̃.
      const delta = lv1 - lv2;
      total += 0.5 * (Math.expm1(delta) - delta + (quadratic(row, g[i], x0) + noise) * Math.exp(-lv2));
    }
  }
  return setting.units === 'nats' ? total : total / (d * Math.LN2);
}

/** E L_T over x_0's moments: Σ_i ½[−1 − log(1−ᾱ_T) + (1−ᾱ_T) + ᾱ_T E x_{0,i}²]. */
export function expectedVlbPrior(schedule: VPSchedule, x0: X0, units: VlbSetting['units']): number {
  const d = x0.mean.length;
  const ab = schedule.alphaBar(schedule.T);
  let total = 0;
  for (let i = 0; i < d; i++) {
    const ex2 = x0.mean[i] ** 2 + (x0.cov ? x0.cov[i * d + i] : 0);
    total += 0.5 * (-1 - Math.log1p(-ab) + (1 - ab) + ab * ex2);
  }
  return units === 'nats' ? total : total / (d * Math.LN2);
}
