import { Gaussian } from '../gaussian/gaussian.ts';
import type { DataDistribution } from '../gaussian/mixture.ts';
import { cholesky, choleskyInverse, choleskyLogDet, type Matrix } from '../linalg/index.ts';
import type { NoisePredictor, VpPoint } from './vpPoint.ts';

/**
 * The MMSE noise predictor ε*(x; α) = E[z | x_α = x] = −√(1−α) ∇ log q_α(x)
 * (MATH.md §3) of Gaussian or Gaussian-mixture data. Component k of q_α is
 * N(√α μ_k, Σ_{k,α}), Σ_{k,α} = α Σ_k + (1−α) I, so
 *   ε*(x) = √(1−α) Σ_k r_k(x) Σ_{k,α}⁻¹ (x − √α μ_k).
 * The factorizations are cached for the most recent α (quadrature calls the
 * predictor many times per α); the evaluation itself is allocation-free apart
 * from the returned vector.
 */
export function mmseNoisePredictor(data: DataDistribution): NoisePredictor {
  const comps: readonly Gaussian[] = data instanceof Gaussian ? [data] : data.components;
  const logW = data instanceof Gaussian ? Float64Array.of(0) : data.logWeights;
  const K = comps.length, d = comps[0].dim;
  let key1 = NaN, key2 = NaN;
  let prec: Matrix[] = [];
  let halfLogDet = new Float64Array(K);
  let means: Float64Array[] = [];
  const r = new Float64Array(d), pr = new Float64Array(K * d), logs = new Float64Array(K);
  const prepare = (t: VpPoint) => {
    if (t.alpha === key1 && t.oneMinusAlpha === key2) return;
    prec = [];
    means = [];
    halfLogDet = new Float64Array(K);
    comps.forEach((c, k) => {
      const cov = { rows: d, cols: d, data: new Float64Array(d * d) };
      for (let i = 0; i < d * d; i++) cov.data[i] = t.alpha * c.cov.data[i];
      for (let i = 0; i < d; i++) cov.data[i * d + i] += t.oneMinusAlpha;
      const L = cholesky(cov, `marginal.components[${k}].cov`);
      prec.push(choleskyInverse(L));
      halfLogDet[k] = 0.5 * choleskyLogDet(L);
      means.push(c.mean.map((m) => t.a * m));
    });
    key1 = t.alpha;
    key2 = t.oneMinusAlpha;
  };
  return (x, t) => {
    prepare(t);
    const out = new Float64Array(d);
    let max = -Infinity;
    for (let k = 0; k < K; k++) {
      const P = prec[k].data, m = means[k];
      for (let i = 0; i < d; i++) r[i] = x[i] - m[i];
      let q = 0;
      for (let i = 0; i < d; i++) {
        let v = 0;
        for (let j = 0; j < d; j++) v += P[i * d + j] * r[j];
        pr[k * d + i] = v;
        q += r[i] * v;
      }
      logs[k] = logW[k] - halfLogDet[k] - 0.5 * q;
      if (logs[k] > max) max = logs[k];
    }
    let z = 0;
    for (let k = 0; k < K; k++) {
      logs[k] = Math.exp(logs[k] - max);
      z += logs[k];
    }
    for (let k = 0; k < K; k++) {
      const w = (t.s * logs[k]) / z;
      for (let i = 0; i < d; i++) out[i] += w * pr[k * d + i];
    }
    return out;
  };
}
