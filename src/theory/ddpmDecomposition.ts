import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError } from '../errors.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { symmetricEigen } from '../linalg/symmetricEigen.ts';
import { checkFiniteResult, requireFiniteArray } from '../validate.ts';
import { type DdpmChain, ddpmChain } from './ddpmChain.ts';

/*
 * The exact DDPM decomposition of log q(x_0) (MATH.md §3):
 *   log q(x_0) = E[log q(x_T) − log q(x_T|x_0)] + E[log q(x_0|x_1)]
 *              − Σ_{t≥2} E KL(q(x_{t−1}|x_t, x_0) ‖ q(x_{t−1}|x_t)),
 * expectations over q(x_{1:T}|x_0). For Gaussian data N(μ, Σ) every kernel is Gaussian
 * and all matrices are functions of Σ, so in Σ's eigenbasis the identity splits into
 * d one-dimensional ones: data N(0, v), y = (Qᵀ(x_0 − μ))_k, V_t = a_t² v + s_t².
 * Written without cancellation (derivations in the comments of `direction`):
 *   prior_t  = ½[log s_T² + 1 − log V_T − (s_T² + a_T² y²)/V_T]
 *   recon    = −½[log 2π + log P + β_1 y²/(v V_1) + α_1 v/V_1],  P = v β_1/V_1
 *   KL_t     = ½[(r−1) − log r + β_t a_{t−1}² y²/(V_t V_{t−1}) + α_t v² a_{t−1}⁴ β_t/(V_t V_{t−1} s_t²)],
 *              r − 1 = −v a_{t−1}² β_t/(s_t² V_{t−1})  (r = β̃_t / Var[x_{t−1}|x_t]).
 */

export interface DdpmDecomposition {
  /** E[log q(x_T) − log q(x_T|x_0)]. */
  readonly prior: number;
  /** E[log q(x_0|x_1)]. */
  readonly reconstruction: number;
  /** kls[t − 2] = E KL(q(x_{t−1}|x_t, x_0) ‖ q(x_{t−1}|x_t)), t = 2..T. */
  readonly kls: Float64Array;
  readonly klSum: number;
  /** prior + reconstruction − klSum. */
  readonly total: number;
}

/** Per-direction terms; ySq = y² (pointwise) or v (averaged over x_0 ~ data). */
function direction(c: DdpmChain, v: number, ySq: number, kls: Float64Array): { prior: number; recon: number } {
  const T = c.T;
  const VT = c.a2[T] * v + c.s2[T];
  const prior = 0.5 * (Math.log(c.s2[T]) + 1 - Math.log(VT) - (c.s2[T] + c.a2[T] * ySq) / VT);
  const V1 = c.a2[1] * v + c.s2[1];
  // q(x_0|x_1) = N(P √α_1 x_1 / β_1, P), P = (1/v + α_1/β_1)⁻¹; y − mean = (P/v) y − (P√α_1/√β_1) η.
  const P = (v * c.beta[1]) / V1;
  const recon = -0.5 * (Math.log(2 * Math.PI) + Math.log(P) + (c.beta[1] * ySq) / (v * V1) + (c.alpha[1] * v) / V1);
  let Vprev = V1;
  for (let t = 2; t <= T; t++) {
    const Vt = c.a2[t] * v + c.s2[t];
    const b = c.beta[t], ap = c.a2[t - 1];
    const rm1 = -(v * ap * b) / (c.s2[t] * Vprev);
    const meanTerm = (b * ap * ySq) / (Vt * Vprev) + (c.alpha[t] * v * v * ap * ap * b) / (Vt * Vprev * c.s2[t]);
    kls[t - 2] += 0.5 * (rm1 - Math.log1p(rm1) + meanTerm);
    Vprev = Vt;
  }
  return { prior, recon };
}

function decompose(data: Gaussian, schedule: VPSchedule, ySqOf: (values: Float64Array, vectors: Float64Array) => Float64Array): DdpmDecomposition {
  const c = ddpmChain(schedule);
  const { values, vectors } = symmetricEigen(data.cov, 'data.cov');
  const ySq = ySqOf(values, vectors.data);
  const kls = new Float64Array(Math.max(0, c.T - 1));
  let prior = 0, reconstruction = 0;
  for (let k = 0; k < data.dim; k++) {
    const r = direction(c, values[k], ySq[k], kls);
    prior += r.prior;
    reconstruction += r.recon;
  }
  let klSum = 0;
  for (let i = 0; i < kls.length; i++) klSum += kls[i];
  const total = checkFiniteResult('ddpmDecomposition.total', prior + reconstruction - klSum);
  return { prior, reconstruction, kls, klSum, total };
}

/** The decomposition at a point x_0 for Gaussian data; `total` equals log q(x_0). */
export function ddpmDecomposition(data: Gaussian, schedule: VPSchedule, x0: ArrayLike<number>): DdpmDecomposition {
  requireFiniteArray('x0', x0);
  if (x0.length !== data.dim) throw new DimensionMismatchError('x0', data.dim, x0.length);
  const d = data.dim;
  return decompose(data, schedule, (_values, Q) => {
    const y = new Float64Array(d);
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += Q[i * d + k] * (x0[i] - data.mean[i]);
      y[k] = s * s;
    }
    return y;
  });
}

/** The decomposition averaged over x_0 ~ data; `total` equals −H(q) = E log q(x_0). */
export function expectedDdpmDecomposition(data: Gaussian, schedule: VPSchedule): DdpmDecomposition {
  return decompose(data, schedule, (values) => Float64Array.from(values));
}
