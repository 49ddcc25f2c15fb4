import { DimensionMismatchError } from '../errors.ts';
import { requireIntegerInRange } from '../validate.ts';
import { type Estimate, estimateFromSamples } from './estimate.ts';

/**
 * The reference law Q of an MMD² estimate, as the estimator needs it: the Gaussian-kernel
 * bandwidth ℓ, the embedding x ↦ E_Q k(x, Y) at a draw, and E_Q k(Y, Y′) (closed forms for
 * Gaussians and mixtures: src/gaussian/gaussianKernel.ts, KernelMeanEmbedding).
 */
export interface KernelReference {
  readonly dim: number;
  readonly bandwidth: number;
  /** E_Q k(x, Y) for the draw x = xs[offset .. offset + dim). */
  at(xs: ArrayLike<number>, offset: number): number;
  readonly selfTerm: number;
}

/**
 * Unbiased estimate of MMD²_ℓ(P, Q) from draws x_1..x_n of P against a reference Q whose
 * kernel mean embedding is known in closed form (MATH.md §4):
 *
 *   U_j = (2/(b(b−1))) Σ_{i<i'} k(x_i, x_i') − (2/b) Σ_i E_Q k(x_i, Y) + E_Q k(Y, Y')
 *
 * over disjoint blocks j of b draws. Each E U_j = MMD², and the blocks are iid, so the mean
 * over m = ⌊n/b⌋ blocks has the sample variance of the U_j / m as its squared standard error
 * (a block U-statistic: variance ≈ (4ζ₁ + 2ζ₂/b)/n, near the full U-statistic's for b ≫ 1
 * when P ≈ Q, at O(nb) kernel evaluations instead of O(n²)).
 */
export function estimateMmdSquared(xs: ArrayLike<number>, dim: number, reference: KernelReference, blockSize = 32): Estimate {
  return estimateFromSamples(mmdBlockValues(xs, dim, reference, blockSize));
}

/**
 * MMD²(P, Q) − MMD²(P′, Q) from paired draws (common random numbers: block j of `xs` and of
 * `xsOther` came from the same seeds), as the mean of the per-block differences, which are iid.
 */
export function estimateMmdSquaredDifference(xs: ArrayLike<number>, xsOther: ArrayLike<number>, dim: number, reference: KernelReference, blockSize = 32): Estimate {
  if (xs.length !== xsOther.length) throw new DimensionMismatchError('estimateMmdSquaredDifference.xsOther', xs.length, xsOther.length);
  const a = mmdBlockValues(xs, dim, reference, blockSize), b = mmdBlockValues(xsOther, dim, reference, blockSize);
  for (let j = 0; j < a.length; j++) a[j] -= b[j];
  return estimateFromSamples(a);
}

/** The per-block U_j above, j = 0..⌊n/b⌋−1 (each an unbiased estimate of MMD²). */
export function mmdBlockValues(xs: ArrayLike<number>, dim: number, reference: KernelReference, blockSize = 32): Float64Array {
  if (dim !== reference.dim) throw new DimensionMismatchError('estimateMmdSquared.dim', reference.dim, dim);
  const b = requireIntegerInRange('estimateMmdSquared.blockSize', blockSize, 2, 1 << 20);
  const n = Math.floor(xs.length / dim);
  if (n * dim !== xs.length) throw new DimensionMismatchError('estimateMmdSquared.xs', `a multiple of ${dim}`, xs.length);
  const m = Math.floor(n / b);
  requireIntegerInRange('estimateMmdSquared.blocks (⌊samples / blockSize⌋)', m, 2, Number.MAX_SAFE_INTEGER);
  const inv2l2 = 1 / (2 * reference.bandwidth * reference.bandwidth);
  const blocks = new Float64Array(m);
  const pairWeight = 2 / (b * (b - 1));
  for (let j = 0; j < m; j++) {
    const start = j * b;
    let pairs = 0, embed = 0;
    for (let i = 0; i < b; i++) {
      const oi = (start + i) * dim;
      embed += reference.at(xs, oi);
      for (let k = i + 1; k < b; k++) {
        const ok = (start + k) * dim;
        let sq = 0;
        for (let c = 0; c < dim; c++) {
          const v = xs[oi + c] - xs[ok + c];
          sq += v * v;
        }
        pairs += Math.exp(-sq * inv2l2);
      }
    }
    blocks[j] = pairWeight * pairs - (2 / b) * embed + reference.selfTerm;
  }
  return blocks;
}
