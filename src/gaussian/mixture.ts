import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import type { Vector } from '../linalg/index.ts';
import type { Rng } from '../mc/rng.ts';
import { requireFiniteArray } from '../validate.ts';
import { Gaussian, sampleRows } from './gaussian.ts';

/** log Σ exp(v_i), stable. */
export function logSumExp(v: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) if (v[i] > m) m = v[i];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i] - m);
  return m + Math.log(s);
}

/** Σ_k π_k N(μ_k, Σ_k). Weights must be positive and sum to 1 (to 1e-9). */
export class GaussianMixture {
  readonly dim: number;
  readonly weights: Float64Array;
  readonly logWeights: Float64Array;
  readonly components: readonly Gaussian[];

  constructor(weights: ArrayLike<number>, components: readonly Gaussian[], field = 'mixture') {
    if (components.length < 1) throw new InvalidArgumentError(`${field}.components`, components.length, 'need at least one component');
    if (weights.length !== components.length) throw new DimensionMismatchError(`${field}.weights`, components.length, weights.length);
    requireFiniteArray(`${field}.weights`, weights);
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      if (!(weights[i] > 0)) throw new InvalidArgumentError(`${field}.weights[${i}]`, weights[i], 'must be > 0');
      total += weights[i];
    }
    if (Math.abs(total - 1) > 1e-9) throw new InvalidArgumentError(`${field}.weights`, weights, `must sum to 1 (sum ${total})`);
    const d = components[0].dim;
    components.forEach((c, k) => {
      if (c.dim !== d) throw new DimensionMismatchError(`${field}.components[${k}]`, d, c.dim);
    });
    this.dim = d;
    this.weights = Float64Array.from(weights as ArrayLike<number>, (w) => w / total);
    this.logWeights = this.weights.map(Math.log);
    this.components = components;
  }

  /** log π_k + log N(x; μ_k, Σ_k), per component. */
  private jointLogs(x: ArrayLike<number>): Float64Array {
    if (x.length !== this.dim) throw new DimensionMismatchError('x', this.dim, x.length);
    const out = new Float64Array(this.components.length);
    for (let k = 0; k < out.length; k++) out[k] = this.logWeights[k] + this.components[k].logPdf(x);
    return out;
  }

  logPdf(x: ArrayLike<number>): number {
    return logSumExp(this.jointLogs(x));
  }

  /** r_k(x) = π_k N_k(x) / Σ_j π_j N_j(x), computed in log space. */
  responsibilities(x: ArrayLike<number>): Float64Array {
    const l = this.jointLogs(x);
    const lse = logSumExp(l);
    return l.map((v) => Math.exp(v - lse));
  }

  /** ∇ log p(x) = Σ_k r_k(x) ∇ log N_k(x) (MATH.md §1); see `scoreInto`. */
  score(x: ArrayLike<number>): Vector {
    return this.scoreInto(x, new Float64Array(this.dim));
  }

  /**
   * ∇ log p(x) into `out` without allocating (the hot path of samplers driven by a mixture
   * score): responsibilities in log space, with each component's
   * precision P_k and log π_k − ½ log|2πΣ_k| packed once: log π_k N_k(x) = c_k − ½ r_kᵀP_k r_k,
   * r_k = x − μ_k, ∇ = −Σ_k w_k P_k r_k.
   */
  scoreInto(x: ArrayLike<number>, out: Float64Array): Float64Array {
    const d = this.dim, K = this.components.length;
    if (x.length !== d) throw new DimensionMismatchError('x', d, x.length);
    const pk = (this.packed ??= this.pack());
    const { means, precisions, consts, logs, grads, resid } = pk;
    let maxLog = -Infinity;
    for (let k = 0; k < K; k++) {
      const mb = k * d, pb = k * d * d;
      for (let i = 0; i < d; i++) resid[i] = x[i] - means[mb + i];
      let q = 0;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += precisions[pb + i * d + j] * resid[j];
        grads[mb + i] = s;
        q += resid[i] * s;
      }
      logs[k] = consts[k] - 0.5 * q;
      if (logs[k] > maxLog) maxLog = logs[k];
    }
    let z = 0;
    for (let k = 0; k < K; k++) z += (logs[k] = Math.exp(logs[k] - maxLog));
    out.fill(0, 0, d);
    for (let k = 0; k < K; k++) {
      const w = logs[k] / z;
      if (w === 0) continue;
      for (let i = 0; i < d; i++) out[i] -= w * grads[k * d + i];
    }
    return out;
  }

  private packed: { means: Float64Array; precisions: Float64Array; consts: Float64Array; logs: Float64Array; grads: Float64Array; resid: Float64Array } | undefined;

  private pack() {
    const d = this.dim, K = this.components.length;
    const means = new Float64Array(K * d), precisions = new Float64Array(K * d * d), consts = new Float64Array(K);
    this.components.forEach((c, k) => {
      means.set(c.mean, k * d);
      precisions.set(c.precision.data, k * d * d);
      consts[k] = this.logWeights[k] - 0.5 * (d * Math.log(2 * Math.PI) + c.logDetCov());
    });
    return { means, precisions, consts, logs: new Float64Array(K), grads: new Float64Array(K * d), resid: new Float64Array(d) };
  }

  /** Index of the component for uniform u ∈ [0, 1). */
  private pick(u: number): number {
    let c = 0;
    for (let k = 0; k < this.weights.length; k++) {
      c += this.weights[k];
      if (u < c) return k;
    }
    return this.weights.length - 1;
  }

  sampleInto(rng: Rng, out: Float64Array, xi?: Float64Array): Float64Array {
    return this.components[this.pick(rng.uniform())].sampleInto(rng, out, xi);
  }

  /** n draws, row-major n × d. */
  sample(rng: Rng, n: number): Float64Array {
    return sampleRows(this, rng, n);
  }

}

/** Data distributions scorecheck has exact oracles for. */
export type DataDistribution = Gaussian | GaussianMixture;
