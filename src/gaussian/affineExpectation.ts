import { DimensionMismatchError } from '../errors.ts';
import { type Matrix, type Vector, matmul, matvec, transpose, trace } from '../linalg/index.ts';

/** E and Var of one draw of ‖L z + l‖², z ~ N(m, S). */
export interface QuadraticMoments {
  readonly mean: number;
  /** Variance of a single draw (exact). */
  readonly variance: number;
}

/**
 * z ~ N(m, S):  E‖Lz + l‖² = tr(L S Lᵀ) + ‖Lm + l‖²,
 * Var‖Lz + l‖² = 2 tr(P²) + 4 uᵀ P u, with P = L S Lᵀ, u = L m + l (MATH.md §1).
 * S may be singular (positive semidefinite); no factorization is needed.
 */
export function affineSquaredNormMoments(L: Matrix, l: ArrayLike<number>, m: ArrayLike<number>, S: Matrix): QuadraticMoments {
  if (L.cols !== m.length) throw new DimensionMismatchError('affineSquaredNorm.m', L.cols, m.length);
  if (L.rows !== l.length) throw new DimensionMismatchError('affineSquaredNorm.l', L.rows, l.length);
  if (S.rows !== m.length || S.cols !== m.length) throw new DimensionMismatchError('affineSquaredNorm.S', m.length, `${S.rows}x${S.cols}`);
  const P = matmul(matmul(L, S), transpose(L));
  const u: Vector = matvec(L, m);
  for (let i = 0; i < u.length; i++) u[i] += l[i];
  const Pu = matvec(P, u);
  let uu = 0, uPu = 0, trP2 = 0;
  for (let i = 0; i < u.length; i++) {
    uu += u[i] * u[i];
    uPu += u[i] * Pu[i];
  }
  const n = P.rows;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) trP2 += P.data[i * n + j] * P.data[j * n + i];
  return { mean: trace(P) + uu, variance: 2 * trP2 + 4 * uPu };
}
