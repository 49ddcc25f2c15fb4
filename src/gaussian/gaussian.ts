import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import {
  type Matrix, type Vector, cholesky, choleskyInverse, choleskyLogDet, choleskySolve, forwardSubstitute, spdTraceInverse,
} from '../linalg/index.ts';
import type { Rng } from '../mc/rng.ts';
import { requireFiniteArray } from '../validate.ts';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Multivariate normal N(μ, Σ). Σ is validated (finite, symmetric, positive
 * definite) and factored once; every operation reuses the factor.
 */
export class Gaussian {
  readonly dim: number;
  readonly mean: Vector;
  readonly cov: Matrix;
  /** Lower Cholesky factor, Σ = L Lᵀ. */
  readonly chol: Matrix;
  private precisionCache: Matrix | undefined;

  constructor(mean: ArrayLike<number>, cov: Matrix, field = 'gaussian') {
    requireFiniteArray(`${field}.mean`, mean);
    if (cov.rows !== mean.length || cov.cols !== mean.length) {
      throw new DimensionMismatchError(`${field}.cov`, `${mean.length}x${mean.length}`, `${cov.rows}x${cov.cols}`);
    }
    if (mean.length < 1) throw new InvalidArgumentError(`${field}.mean`, mean, 'dimension must be ≥ 1');
    this.dim = mean.length;
    this.mean = Float64Array.from(mean as ArrayLike<number>);
    this.cov = cov;
    this.chol = cholesky(cov, `${field}.cov`);
  }

  /** Σ⁻¹ (cached). */
  get precision(): Matrix {
    this.precisionCache ??= choleskyInverse(this.chol);
    return this.precisionCache;
  }

  logDetCov(): number {
    return choleskyLogDet(this.chol);
  }

  /** log N(x; μ, Σ) = −½[d log 2π + log|Σ| + ‖L⁻¹(x−μ)‖²] */
  logPdf(x: ArrayLike<number>): number {
    this.requireDim('x', x);
    const r = new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) r[i] = x[i] - this.mean[i];
    const y = forwardSubstitute(this.chol, r);
    let q = 0;
    for (let i = 0; i < this.dim; i++) q += y[i] * y[i];
    return -0.5 * (this.dim * LOG_2PI + this.logDetCov() + q);
  }

  /** ∇ log N(x; μ, Σ) = −Σ⁻¹(x − μ) */
  score(x: ArrayLike<number>): Vector {
    this.requireDim('x', x);
    const r = new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) r[i] = this.mean[i] - x[i];
    return choleskySolve(this.chol, r);
  }

  /** ∇ log N(x; μ, Σ) = Σ⁻¹(μ − x) into `out`, without allocating (the sampler hot path). */
  scoreInto(x: ArrayLike<number>, out: Float64Array): Float64Array {
    this.requireDim('x', x);
    const d = this.dim, P = this.precision.data, m = this.mean;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += P[i * d + j] * (m[j] - x[j]);
      out[i] = s;
    }
    return out;
  }

  /** Fisher information E‖∇ log p(x)‖² = tr(Σ⁻¹) (MATH.md §1). */
  fisherInformation(): number {
    return spdTraceInverse(this.cov);
  }

  /** One draw μ + L ξ into `out`; `xi` is scratch of length d. */
  sampleInto(rng: Rng, out: Float64Array, xi: Float64Array = new Float64Array(this.dim)): Float64Array {
    rng.fillNormal(xi);
    const d = this.dim, L = this.chol.data;
    for (let i = 0; i < d; i++) {
      let s = this.mean[i];
      for (let k = 0; k <= i; k++) s += L[i * d + k] * xi[k];
      out[i] = s;
    }
    return out;
  }

  /** n draws, row-major n × d. */
  sample(rng: Rng, n: number): Float64Array {
    return sampleRows(this, rng, n);
  }

  private requireDim(field: string, x: ArrayLike<number>): void {
    if (x.length !== this.dim) throw new DimensionMismatchError(field, this.dim, x.length);
  }
}

/** n draws of any distribution with `sampleInto`, row-major n × d. */
export function sampleRows(
  dist: { readonly dim: number; sampleInto(rng: Rng, out: Float64Array, xi?: Float64Array): Float64Array },
  rng: Rng,
  n: number,
): Float64Array {
  const d = dist.dim;
  const out = new Float64Array(n * d);
  const xi = new Float64Array(d);
  for (let s = 0; s < n; s++) dist.sampleInto(rng, out.subarray(s * d, (s + 1) * d), xi);
  return out;
}
