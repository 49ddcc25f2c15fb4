import { DimensionMismatchError } from '../errors.ts';
import { type Matrix, matmul, matvec, transpose } from '../linalg/index.ts';

/*
 * Mean and exact variance of q = (A z + a)ᵀ(B z + b), z ~ N(m, S) (Isserlis; MATH.md §7.6). With
 * X = Az + a, Y = Bz + b, μ_X = Am + a, μ_Y = Bm + b, C_XX = ASAᵀ, C_YY = BSBᵀ, C_XY = ASBᵀ:
 *   E q   = tr C_XY + μ_Xᵀμ_Y,
 *   Var q = tr(C_XX C_YY) + tr(C_XY C_XY) + μ_Xᵀ C_YY μ_X + μ_Yᵀ C_XX μ_Y + 2 μ_Xᵀ C_XY μ_Y.
 * The product of a gradient and a direction (a directional derivative of a squared-error loss)
 * is such a q: this gives Monte Carlo gradient tests their exact variance.
 */
export function bilinearGaussianMoments(A: Matrix, a: ArrayLike<number>, B: Matrix, b: ArrayLike<number>, m: ArrayLike<number>, S: Matrix): { mean: number; variance: number } {
  if (A.rows !== B.rows) throw new DimensionMismatchError('bilinear.B', `${A.rows} rows`, B.rows);
  if (A.cols !== m.length || B.cols !== m.length) throw new DimensionMismatchError('bilinear.m', A.cols, m.length);
  const AS = matmul(A, S), BS = matmul(B, S);
  const Cxx = matmul(AS, transpose(A)), Cyy = matmul(BS, transpose(B)), Cxy = matmul(AS, transpose(B));
  const mx = matvec(A, m), my = matvec(B, m);
  for (let i = 0; i < mx.length; i++) { mx[i] += a[i]; my[i] += b[i]; }
  const n = A.rows;
  let trXY = 0, trXXYY = 0, trXYXY = 0, mXmY = 0;
  for (let i = 0; i < n; i++) {
    trXY += Cxy.data[i * n + i];
    mXmY += mx[i] * my[i];
    for (let j = 0; j < n; j++) {
      trXXYY += Cxx.data[i * n + j] * Cyy.data[j * n + i];
      trXYXY += Cxy.data[i * n + j] * Cxy.data[j * n + i];
    }
  }
  const quad = (M: Matrix, u: ArrayLike<number>, v: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += u[i] * M.data[i * n + j] * v[j];
    return s;
  };
  return { mean: trXY + mXmY, variance: trXXYY + trXYXY + quad(Cyy, mx, mx) + quad(Cxx, my, my) + 2 * quad(Cxy, mx, my) };
}
