import type { KernelReference } from '../mc/mmdEstimate.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Matrix, addScaledIdentity, add, cholesky, choleskyLogDet, forwardSubstitute, trace } from '../linalg/index.ts';
import { requireFinite } from '../validate.ts';
import { GaussianMixture } from './mixture.ts';

/**
 * Closed-form expectations of the Gaussian kernel k_ℓ(x, y) = exp(−‖x − y‖²/(2ℓ²)) ∈ (0, 1]
 * under Gaussian mixtures (MATH.md §4, "divergence for mixture targets"):
 *
 *   E k_ℓ(X, Y) = |I + S/ℓ²|^{−½} exp(−½ δᵀ(ℓ²I + S)⁻¹δ),  X − Y ~ N(δ, S),
 *
 * so for X ~ N(m₁, S₁), Y ~ N(m₂, S₂) independent, δ = m₁ − m₂ and S = S₁ + S₂; a point x is
 * N(x, 0). Covariances may be singular (a degenerate posterior at σ_y = 0): ℓ²I + S is SPD.
 */

/** One weighted Gaussian of a mixture; `cov` may be singular (positive semi-definite). */
export interface KernelAtom {
  readonly weight: number;
  readonly mean: ArrayLike<number>;
  readonly cov: Matrix;
}

/** Anything with closed-form kernel expectations: a (possibly degenerate) Gaussian or a mixture. */
export type KernelLaw = { readonly mean: ArrayLike<number>; readonly cov: Matrix } | GaussianMixture | readonly KernelAtom[];

/** The law as weighted atoms (weights sum to 1). */
export function kernelAtoms(law: KernelLaw): readonly KernelAtom[] {
  if (law instanceof GaussianMixture) return law.components.map((c, k) => ({ weight: law.weights[k], mean: c.mean, cov: c.cov }));
  if (Array.isArray(law)) return law as readonly KernelAtom[];
  const g = law as { readonly mean: ArrayLike<number>; readonly cov: Matrix };
  return [{ weight: 1, mean: g.mean, cov: g.cov }];
}

function dimOf(atoms: readonly KernelAtom[], field: string): number {
  if (atoms.length === 0) throw new InvalidArgumentError(field, 0, 'needs at least one component');
  const d = atoms[0].mean.length;
  atoms.forEach((a, k) => {
    if (a.mean.length !== d) throw new DimensionMismatchError(`${field}[${k}].mean`, d, a.mean.length);
    if (a.cov.rows !== d || a.cov.cols !== d) throw new DimensionMismatchError(`${field}[${k}].cov`, `${d}x${d}`, `${a.cov.rows}x${a.cov.cols}`);
  });
  return d;
}

export function requireBandwidth(field: string, bandwidth: number): number {
  requireFinite(field, bandwidth);
  if (!(bandwidth > 0)) throw new InvalidArgumentError(field, bandwidth, 'must be > 0');
  return bandwidth;
}

/** E k_ℓ(X, Y) for X − Y ~ N(δ, S), via the Cholesky factor of ℓ²I + S. */
function pairExpectation(delta: ArrayLike<number>, S: Matrix, l2: number): number {
  const L = cholesky(addScaledIdentity(S, l2), 'gaussianKernel.ℓ²I+S');
  const u = forwardSubstitute(L, delta);
  let q = 0;
  for (let i = 0; i < u.length; i++) q += u[i] * u[i];
  // |I + S/ℓ²| = |ℓ²I + S| / ℓ^{2d}
  const logDet = choleskyLogDet(L) - delta.length * Math.log(l2);
  return Math.exp(-0.5 * (logDet + q));
}

/** E k_ℓ(X, Y), X ~ P, Y ~ Q independent, both mixtures of (possibly degenerate) Gaussians. */
export function gaussianKernelCross(p: KernelLaw, q: KernelLaw, bandwidth: number): number {
  const l2 = requireBandwidth('gaussianKernel.bandwidth', bandwidth) ** 2;
  const a = kernelAtoms(p), b = kernelAtoms(q);
  const d = dimOf(a, 'gaussianKernel.p');
  if (dimOf(b, 'gaussianKernel.q') !== d) throw new DimensionMismatchError('gaussianKernel.q', d, b[0].mean.length);
  let s = 0;
  const delta = new Float64Array(d);
  for (const x of a) for (const y of b) {
    for (let i = 0; i < d; i++) delta[i] = x.mean[i] - y.mean[i];
    s += x.weight * y.weight * pairExpectation(delta, add(x.cov, y.cov), l2);
  }
  return s;
}

/** MMD²_ℓ(P, Q) = E k(X, X') − 2 E k(X, Y) + E k(Y, Y'), in closed form (≥ 0; 0 iff P = Q). */
export function mmdSquared(p: KernelLaw, q: KernelLaw, bandwidth: number): number {
  return gaussianKernelCross(p, p, bandwidth) - 2 * gaussianKernelCross(p, q, bandwidth) + gaussianKernelCross(q, q, bandwidth);
}

/**
 * The kernel mean embedding x ↦ E_Q k_ℓ(x, Y) of a reference Q, with its self term
 * E_Q k_ℓ(Y, Y'): per atom, c_k = w_k |I + S_k/ℓ²|^{−½} and the Cholesky factor of ℓ²I + S_k
 * are computed once, so one evaluation costs O(K d²).
 */
export class KernelMeanEmbedding implements KernelReference {
  readonly dim: number;
  readonly bandwidth: number;
  /** E_Q k_ℓ(Y, Y'), Y, Y' ~ Q independent. */
  readonly selfTerm: number;
  private readonly coef: Float64Array;
  private readonly means: Float64Array;
  private readonly factors: Float64Array;
  private readonly scratch: Float64Array;

  constructor(reference: KernelLaw, bandwidth: number) {
    const atoms = kernelAtoms(reference);
    const d = dimOf(atoms, 'kernelMeanEmbedding.reference');
    this.dim = d;
    this.bandwidth = requireBandwidth('kernelMeanEmbedding.bandwidth', bandwidth);
    const l2 = bandwidth * bandwidth;
    this.coef = new Float64Array(atoms.length);
    this.means = new Float64Array(atoms.length * d);
    this.factors = new Float64Array(atoms.length * d * d);
    atoms.forEach((a, k) => {
      const L = cholesky(addScaledIdentity(a.cov, l2), `kernelMeanEmbedding.reference[${k}].ℓ²I+S`);
      this.coef[k] = a.weight * Math.exp(-0.5 * (choleskyLogDet(L) - d * Math.log(l2)));
      this.means.set(a.mean, k * d);
      this.factors.set(L.data, k * d * d);
    });
    this.scratch = new Float64Array(d);
    this.selfTerm = gaussianKernelCross(atoms, atoms, bandwidth);
  }

  /** E_Q k_ℓ(x, Y) for x = xs[offset .. offset + d). */
  at(xs: ArrayLike<number>, offset = 0): number {
    const d = this.dim, u = this.scratch, L = this.factors;
    let total = 0;
    for (let k = 0; k < this.coef.length; k++) {
      const base = k * d * d, mb = k * d;
      // u = L_k⁻¹(x − m_k), forward substitution on the stored factor
      let q = 0;
      for (let i = 0; i < d; i++) {
        let s = xs[offset + i] - this.means[mb + i];
        for (let j = 0; j < i; j++) s -= L[base + i * d + j] * u[j];
        u[i] = s / L[base + i * d + i];
        q += u[i] * u[i];
      }
      total += this.coef[k] * Math.exp(-0.5 * q);
    }
    return total;
  }
}

/**
 * A bandwidth set by the reference alone (so a check is deterministic given the target):
 * ℓ² = tr Cov_Q / d, the average per-coordinate variance of Q, with
 * Cov_Q = Σ_k w_k (S_k + m_k m_kᵀ) − m̄ m̄ᵀ for a mixture.
 */
export function referenceBandwidth(reference: KernelLaw): number {
  const atoms = kernelAtoms(reference);
  const d = dimOf(atoms, 'referenceBandwidth.reference');
  const mbar = new Float64Array(d);
  for (const a of atoms) for (let i = 0; i < d; i++) mbar[i] += a.weight * a.mean[i];
  let tr = 0;
  for (const a of atoms) {
    tr += a.weight * trace(a.cov);
    for (let i = 0; i < d; i++) tr += a.weight * (a.mean[i] - mbar[i]) ** 2;
  }
  const l2 = tr / d;
  if (!(l2 > 0)) throw new InvalidArgumentError('referenceBandwidth.reference', l2, 'has zero spread: give a bandwidth explicitly');
  return Math.sqrt(l2);
}
