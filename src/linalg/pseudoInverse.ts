import { symmetricEigen } from './symmetricEigen.ts';
import { type Matrix, matmul, symmetrize, transpose, zeros } from './matrix.ts';

/**
 * Moore–Penrose pseudo-inverse H† = Hᵀ (H Hᵀ)†, with (H Hᵀ)† from the symmetric
 * eigen-decomposition U Λ Uᵀ (Λ⁺ inverts eigenvalues above the rank threshold).
 * Works for any rank, including masks such as H = [0 0 1] and zero rows
 * (mathjs's pinv rejects some of these).
 *
 * Rank threshold: λ > max(m, n) · 1e-13 · λ_max, i.e. singular values below
 * ≈ 3e-7 σ_max are treated as zero. Squaring H costs half the digits; fine for
 * the small, well-scaled measurement matrices scorecheck generates.
 */
/** Eigenvalues of HHᵀ (m × n H) above this count towards the rank; shared by every rank decision on H. */
export function gramRankCut(m: number, n: number, lambdaMax: number): number {
  return Math.max(m, n) * 1e-13 * lambdaMax;
}

export function pseudoInverse(h: Matrix): Matrix {
  const m = h.rows, n = h.cols;
  if (m === 0 || n === 0) return zeros(n, m);
  const ht = transpose(h);
  const { values, vectors } = symmetricEigen(symmetrize(matmul(h, ht)), 'pseudoInverse.HHᵀ');
  let lmax = 0;
  for (const v of values) lmax = Math.max(lmax, Math.abs(v));
  const cut = gramRankCut(m, n, lmax);
  // (HHᵀ)† = Σ_{λ_k > cut} u_k u_kᵀ / λ_k
  const inner = zeros(m, m);
  for (let k = 0; k < m; k++) {
    const lk = values[k];
    if (!(lk > cut)) continue;
    for (let i = 0; i < m; i++) {
      const uik = vectors.data[i * m + k] / lk;
      for (let j = 0; j < m; j++) inner.data[i * m + j] += uik * vectors.data[j * m + k];
    }
  }
  return matmul(ht, inner);
}
