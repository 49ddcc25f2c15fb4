import { type Weighting, lossWeight } from '../diffusion/lossWeighting.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { type Parameterization, fromScore, toScore } from '../diffusion/parameterization.ts';
import { DimensionMismatchError } from '../errors.ts';
import { type Matrix, symmetricEigen, zeros } from '../linalg/index.ts';
import { targetCoefficients } from './inputOptimization.ts';

/*
 * Score-distillation gradients of a Gaussian input distribution p_φ = N(μ, FFᵀ) through a frozen
 * affine network (Xu 2025 Corollary, the DreamFusion setting; MATH.md §7.7). Reparameterized:
 * x_0 = μ + Fξ, x_t = a x_0 + s ε, network output f = W x_t + b in parameterization P.
 *  - 'sds' (DreamFusion's gradient, the network's Jacobian dropped):
 *        g_{x_0} = w_t (ε̂ − ε),  ε̂ the ε-reading of f;  ∂/∂μ = g_{x_0},  ∂/∂F = g_{x_0} ξᵀ;
 *    with ε̂ = M x_t + κ_e b, M = κ_e W + ρ_e I (ε̂ = κ_e f + ρ_e x_t):
 *        E ∂/∂μ = w_t(a M μ + κ_e b),  E ∂/∂F = w_t a M F;
 *  - 'full' (autograd through the network of the DSM loss (λ_t/d′)‖f − target_P‖²):
 *        g_{x_0} = (2λ_t/d′) Jᵀ r, J = aW − T_x I, r = f − target_P;
 *        E ∂/∂μ = (2λ/d′) Jᵀ(Jμ + b),  E ∂/∂F = (2λ/d′) JᵀJ F.
 * Under gradient flow the spread obeys dF/dτ = −G F with G = w a M ('sds') or (2λ/d′)JᵀJ ('full'):
 * where the symmetric part of G is positive definite, F → 0 — the input distribution collapses to a
 * point (the DSM-optimal input distribution is the point mass; ESM's optimum keeps the target's
 * covariance). The collapse rate is the smallest eigenvalue of sym(G).
 */

export type SdsWeighting = Weighting | { readonly kind: 'one_minus_alpha_bar' };
export type SdsGradientKind = 'sds' | 'full';

export interface SdsSetting {
  readonly parameterization: Parameterization;
  readonly gradient: SdsGradientKind;
  readonly weighting: SdsWeighting;
  readonly reduction: 'mean' | 'sum';
}

export interface FrozenAffineNetwork {
  /** d×d */
  readonly W: Matrix;
  readonly b: ArrayLike<number>;
}

export interface SdsGradientValue {
  readonly mu: Float64Array;
  /** ∂/∂F, d×d row-major. */
  readonly F: Float64Array;
}

export function sdsWeight(w: SdsWeighting, alphaBar: number): number {
  return w.kind === 'one_minus_alpha_bar' ? 1 - alphaBar : lossWeight(w, alphaBar);
}

/** ε̂ = κ_e f + ρ_e x_t for a P-output f. */
function epsReading(p: Parameterization, level: NoiseLevel): { ke: number; re: number } {
  const e = (f: number, x: number) => fromScore('eps', toScore(p, [f], [x], level), [x], level)[0];
  return { ke: e(1, 0) - e(0, 0), re: e(0, 1) - e(0, 0) };
}

/** The matrix whose product with (x_0 ↦ ∂/∂x_0) defines G and the expected gradient's pieces. */
function pieces(set: SdsSetting, net: FrozenAffineNetwork, level: NoiseLevel, d: number) {
  const { a, s } = level;
  const lam = set.gradient === 'sds' ? sdsWeight(set.weighting, a * a) : (2 * sdsWeight(set.weighting, a * a)) / (set.reduction === 'mean' ? d : 1);
  if (set.gradient === 'sds') {
    const { ke, re } = epsReading(set.parameterization, level);
    const M = new Float64Array(d * d);
    for (let i = 0; i < d * d; i++) M[i] = ke * net.W.data[i];
    for (let i = 0; i < d; i++) M[i * d + i] += re;
    const c = Float64Array.from(net.b, (v) => ke * v);
    return { lam, M, c, ke, re };
  }
  const { tx } = targetCoefficients(set.parameterization, level);
  const J = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) J[i] = a * net.W.data[i];
  for (let i = 0; i < d; i++) J[i * d + i] -= tx;
  return { lam, J, s };
}

function requireShapes(mu: ArrayLike<number>, F: Matrix, net: FrozenAffineNetwork): number {
  const d = mu.length;
  if (F.rows !== d || F.cols !== d) throw new DimensionMismatchError('F', `${d}x${d}`, `${F.rows}x${F.cols}`);
  if (net.W.rows !== d || net.W.cols !== d) throw new DimensionMismatchError('network.W', `${d}x${d}`, `${net.W.rows}x${net.W.cols}`);
  if (net.b.length !== d) throw new DimensionMismatchError('network.b', d, net.b.length);
  return d;
}

/** One draw's gradient with respect to (μ, F) for given ξ and ε. */
export function sampleSdsGradient(set: SdsSetting, net: FrozenAffineNetwork, level: NoiseLevel, mu: ArrayLike<number>, F: Matrix, xi: ArrayLike<number>, eps: ArrayLike<number>): SdsGradientValue {
  const d = requireShapes(mu, F, net);
  const { a, s } = level;
  const x0 = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    x0[i] = mu[i];
    for (let j = 0; j < d; j++) x0[i] += F.data[i * d + j] * xi[j];
  }
  const xt = x0.map((v, i) => a * v + s * eps[i]);
  const f = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    f[i] = net.b[i];
    for (let j = 0; j < d; j++) f[i] += net.W.data[i * d + j] * xt[j];
  }
  const gx = new Float64Array(d);
  const pc = pieces(set, net, level, d);
  if (set.gradient === 'sds') {
    const epsHat = fromScore('eps', toScore(set.parameterization, f, xt, level), xt, level);
    for (let i = 0; i < d; i++) gx[i] = pc.lam * (epsHat[i] - eps[i]);
  } else {
    const { tx, te } = targetCoefficients(set.parameterization, level);
    const r = f.map((v, i) => v - (tx * x0[i] + te * eps[i]));
    const J = pc.J as Float64Array;
    for (let j = 0; j < d; j++) for (let i = 0; i < d; i++) gx[j] += pc.lam * J[i * d + j] * r[i];
  }
  const gF = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) gF[i * d + j] = gx[i] * xi[j];
  return { mu: gx, F: gF };
}

export interface SdsExpectation {
  readonly gradient: SdsGradientValue;
  /** G in dF/dτ = −G F (row-major d×d). */
  readonly contraction: Float64Array;
  /** Smallest eigenvalue of sym(G): > 0 means the spread collapses at that exponential rate. */
  readonly collapseRate: number;
}

/** E over (ξ, ε) of the gradient, and the flow's contraction matrix. */
export function expectedSdsGradient(set: SdsSetting, net: FrozenAffineNetwork, level: NoiseLevel, mu: ArrayLike<number>, F: Matrix): SdsExpectation {
  const d = requireShapes(mu, F, net);
  const { a } = level;
  const pc = pieces(set, net, level, d);
  const G = new Float64Array(d * d);
  const gmu = new Float64Array(d);
  if (set.gradient === 'sds') {
    const M = pc.M as Float64Array, c = pc.c as Float64Array;
    for (let i = 0; i < d * d; i++) G[i] = pc.lam * a * M[i];
    for (let i = 0; i < d; i++) {
      gmu[i] = pc.lam * c[i];
      for (let j = 0; j < d; j++) gmu[i] += pc.lam * a * M[i * d + j] * mu[j];
    }
  } else {
    const J = pc.J as Float64Array;
    const Jm = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      Jm[i] = net.b[i];
      for (let j = 0; j < d; j++) Jm[i] += J[i * d + j] * mu[j];
    }
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let v = 0;
        for (let k = 0; k < d; k++) v += J[k * d + i] * J[k * d + j];
        G[i * d + j] = pc.lam * v;
      }
      for (let k = 0; k < d; k++) gmu[i] += pc.lam * J[k * d + i] * Jm[k];
    }
  }
  const gF = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) gF[i * d + j] += G[i * d + k] * F.data[k * d + j];
  const sym = zeros(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) sym.data[i * d + j] = 0.5 * (G[i * d + j] + G[j * d + i]);
  const { values } = symmetricEigen(sym, 'sym(G)');
  return { gradient: { mu: gmu, F: gF }, contraction: G, collapseRate: Math.min(...values) };
}
