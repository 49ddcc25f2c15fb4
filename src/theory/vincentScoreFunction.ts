import { Gaussian } from '../gaussian/gaussian.ts';
import { type DataDistribution, GaussianMixture } from '../gaussian/mixture.ts';
import { type Matrix, addScaledIdentity, cholesky, choleskyInverse, choleskyLogDet, scale } from '../linalg/index.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';

/** A score (or any vector field) evaluated into `out` without allocating. */
export type InPlaceScore = (x: Float64Array, out: Float64Array) => Float64Array;

/**
 * The exact marginal score ∇ log q_t of Gaussian or mixture data (MATH.md §1),
 * precomputed once per level so that evaluation allocates nothing:
 * Gaussian: −P(x − aμ), P = (a²Σ + s²I)⁻¹; mixture: Σ_k r_k(x) (−P_k(x − aμ_k)),
 * responsibilities in log space.
 */
export function exactMarginalScore(data: DataDistribution, level: NoiseLevel): InPlaceScore {
  const comps = data instanceof Gaussian ? [data] : data.components;
  const logW = data instanceof GaussianMixture ? data.logWeights : Float64Array.of(0);
  const d = data.dim;
  const K = comps.length;
  const { a, s } = level;
  const precs: Float64Array[] = [];
  const means: Float64Array[] = [];
  const logNorm = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const l = cholesky(addScaledIdentity(scale(comps[k].cov, a * a), s * s), `data.components[${k}].cov (marginal)`);
    precs.push(choleskyInverse(l).data);
    means.push(comps[k].mean.map((m) => a * m));
    logNorm[k] = logW[k] - 0.5 * choleskyLogDet(l);
  }
  const r = new Float64Array(d);
  const pr = new Float64Array(d);
  const logs = new Float64Array(K);
  if (K === 1) {
    const P = precs[0], mu = means[0];
    return (x, out) => {
      for (let i = 0; i < d; i++) r[i] = x[i] - mu[i];
      for (let i = 0; i < d; i++) {
        let acc = 0;
        const o = i * d;
        for (let j = 0; j < d; j++) acc += P[o + j] * r[j];
        out[i] = -acc;
      }
      return out;
    };
  }
  const comp = new Float64Array(K * d);
  return (x, out) => {
    let mx = -Infinity;
    for (let k = 0; k < K; k++) {
      const P = precs[k], mu = means[k];
      for (let i = 0; i < d; i++) r[i] = x[i] - mu[i];
      let q = 0;
      for (let i = 0; i < d; i++) {
        let acc = 0;
        const o = i * d;
        for (let j = 0; j < d; j++) acc += P[o + j] * r[j];
        pr[i] = acc;
        q += acc * r[i];
        comp[k * d + i] = -acc;
      }
      logs[k] = logNorm[k] - 0.5 * q;
      if (logs[k] > mx) mx = logs[k];
    }
    let z = 0;
    for (let k = 0; k < K; k++) {
      logs[k] = Math.exp(logs[k] - mx);
      z += logs[k];
    }
    out.fill(0);
    for (let k = 0; k < K; k++) {
      const w = logs[k] / z;
      for (let i = 0; i < d; i++) out[i] += w * comp[k * d + i];
    }
    return out;
  };
}

/** Precision of the Gaussian marginal, (a²Σ + s²I)⁻¹. */
export function gaussianMarginalPrecision(cov: Matrix, level: NoiseLevel, field = 'cov'): Matrix {
  const { a, s } = level;
  return choleskyInverse(cholesky(addScaledIdentity(scale(cov, a * a), s * s), field));
}
