import { Gaussian } from '../gaussian/gaussian.ts';
import { GaussianMixture } from '../gaussian/mixture.ts';
import { DimensionMismatchError } from '../errors.ts';
import type { FlowCoefficients } from './flowPath.ts';
import { type AffineVelocityField, evaluateVelocityField, flowConstant, flowMarginalCovariance, gaussianMarginalVelocity } from './flowMatchingGaussian.ts';

/*
 * The marginal velocity of Gaussian-mixture data (MATH.md §19.3). Given the component k,
 * (x₀, u_t, x_t) are jointly Gaussian, so E[u_t | x_t, k] = A_k x_t + c_k and Cov(u_t | x_t, k) = C_k
 * (constant in x_t) — the Gaussian formulas of flowMatchingGaussian.ts per component. With the
 * responsibilities ρ_k(x) ∝ π_k N(x; aμ_k, S_k) of the marginal q_t = Σ_k π_k N(aμ_k, S_k):
 *   v*_t(x) = Σ_k ρ_k(x)(A_k x + c_k),
 *   tr Cov(u_t | x_t = x) = Σ_k ρ_k(x)(tr C_k + ‖A_k x + c_k‖²) − ‖v*_t(x)‖²   (law of total variance).
 * The second is a Rao–Blackwellized draw of the constant C_t = CFM − FM (its mean over x_t ~ q_t).
 */
export interface FlowMarginalField {
  readonly dim: number;
  /** q_t as a Gaussian mixture (one component for Gaussian data). */
  readonly marginal: GaussianMixture;
  /** v*_t(x) into `out`. */
  evaluate(x: ArrayLike<number>, out: Float64Array): Float64Array;
  /** tr Cov(u_t | x_t = x). */
  conditionalTrace(x: ArrayLike<number>): number;
}

export function mixtureMarginalVelocity(data: Gaussian | GaussianMixture, co: FlowCoefficients): FlowMarginalField {
  const mix = data instanceof GaussianMixture ? data : new GaussianMixture([1], [data]);
  const d = mix.dim;
  const fields: AffineVelocityField[] = mix.components.map((g) => gaussianMarginalVelocity(g, co));
  const traces = mix.components.map((g) => flowConstant(g, co));
  const marginal = new GaussianMixture(mix.weights, mix.components.map((g, k) => new Gaussian(g.mean.map((m) => co.a * m), flowMarginalCovariance(g, co), `q_t component ${k}`)));
  const K = fields.length;
  const vk = Array.from({ length: K }, () => new Float64Array(d));
  const tmp = new Float64Array(d);
  const requireDim = (x: ArrayLike<number>) => {
    if (x.length !== d) throw new DimensionMismatchError('x', d, x.length);
  };
  return {
    dim: d,
    marginal,
    evaluate(x, out) {
      requireDim(x);
      const rho = K === 1 ? null : marginal.responsibilities(x);
      out.fill(0);
      for (let k = 0; k < K; k++) {
        evaluateVelocityField(fields[k], x, tmp);
        const w = rho ? rho[k] : 1;
        for (let i = 0; i < d; i++) out[i] += w * tmp[i];
      }
      return out;
    },
    conditionalTrace(x) {
      requireDim(x);
      const rho = K === 1 ? null : marginal.responsibilities(x);
      let second = 0;
      tmp.fill(0);
      for (let k = 0; k < K; k++) {
        evaluateVelocityField(fields[k], x, vk[k]);
        const w = rho ? rho[k] : 1;
        let n2 = 0;
        for (let i = 0; i < d; i++) {
          n2 += vk[k][i] * vk[k][i];
          tmp[i] += w * vk[k][i];
        }
        second += w * (traces[k] + n2);
      }
      let m2 = 0;
      for (let i = 0; i < d; i++) m2 += tmp[i] * tmp[i];
      return Math.max(0, second - m2);
    },
  };
}
