import { DimensionMismatchError } from '../errors.ts';
import { type Matrix, matmul, matvec, transpose } from '../linalg/index.ts';

/*
 * Mean and exact variance of q = (A z + a)ᵀ(B z + b), z ~ N(m, S) (Isserlis; MATH.md §7.6). With
 * X = Az + a, Y = Bz + b, μ_X = Am + a, μ_Y = Bm + b, C_XX = ASAᵀ, C_YY = BSBᵀ, C_XY = ASBᵀ:
 *   E q   = tr C_XY + μ_Xᵀμ_Y,
 *   Var q = tr(C_XX C_YY) + tr(C_XY C_XY) + μ_Xᵀ C_YY μ_X + μ_Yᵀ C_XX μ_Y + 2 μ_Yᵀ C_XY μ_X
 *   (C_XY = Cov(X, Y) is not symmetric: the cross term is Σ_ij μ_Y,i C_XY,ij μ_X,j — it was transposed
 *   until the cumulant route below disagreed with it, suite seed 26).
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
  return { mean: trXY + mXmY, variance: trXXYY + trXYXY + quad(Cyy, mx, mx) + quad(Cxx, my, my) + 2 * quad(Cxy, my, mx) };
}

export interface BilinearCumulants {
  /** κ₁…κ₄ of q. */
  readonly mean: number;
  readonly variance: number;
  readonly thirdCumulant: number;
  readonly fourthCumulant: number;
  /** κ₃/κ₂^{3/2} and κ₄/κ₂² (0 when κ₂ = 0). */
  readonly skewness: number;
  readonly excessKurtosis: number;
}

/*
 * Cumulants of the same q as a quadratic form (Mathai & Provost 1992, Thm 3.2b.2; MATH.md §7.6):
 * q = wᵀMw + gᵀw + E q with w = z − m ~ N(0, S), M = (AᵀB + BᵀA)/2, g = Aᵀμ_Y + Bᵀμ_X, and for r ≥ 2
 *   κ_r = 2^{r−1}(r−1)! [tr((MS)^r) + (r/4) gᵀS(MS)^{r−2}g].
 * κ₂ is the Isserlis variance above by a different route. Skewness and kurtosis size the sample a
 * normal-approximation test needs at a small α (minNumSamplesNormalTail, src/mc/meanTest.ts).
 */
export function bilinearGaussianCumulants(A: Matrix, a: ArrayLike<number>, B: Matrix, b: ArrayLike<number>, m: ArrayLike<number>, S: Matrix): BilinearCumulants {
  if (A.rows !== B.rows) throw new DimensionMismatchError('bilinear.B', `${A.rows} rows`, B.rows);
  if (A.cols !== m.length || B.cols !== m.length) throw new DimensionMismatchError('bilinear.m', A.cols, m.length);
  const n = m.length;
  const AtB = matmul(transpose(A), B);
  const M = { rows: n, cols: n, data: new Float64Array(n * n) } as Matrix;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M.data[i * n + j] = 0.5 * (AtB.data[i * n + j] + AtB.data[j * n + i]);
  const mx = matvec(A, m), my = matvec(B, m);
  for (let i = 0; i < mx.length; i++) { mx[i] += a[i]; my[i] += b[i]; }
  const g = matvec(transpose(A), my), gB = matvec(transpose(B), mx);
  for (let i = 0; i < n; i++) g[i] += gB[i];
  let mean = 0;
  for (let i = 0; i < mx.length; i++) mean += mx[i] * my[i];
  const MS = matmul(M, S);
  for (let i = 0; i < n; i++) mean += MS.data[i * n + i];
  const MS2 = matmul(MS, MS), MS3 = matmul(MS2, MS), MS4 = matmul(MS2, MS2);
  const tr = (X: Matrix) => { let s = 0; for (let i = 0; i < n; i++) s += X.data[i * n + i]; return s; };
  // gᵀS(MS)^p g = (Sg)ᵀ(MS)^p g (S symmetric).
  const Sg = matvec(S, g);
  const form = (X: Matrix | null) => {
    const v = X ? matvec(X, g) : g;
    let s = 0;
    for (let i = 0; i < n; i++) s += Sg[i] * v[i];
    return s;
  };
  const variance = 2 * tr(MS2) + form(null);
  const thirdCumulant = 8 * tr(MS3) + 6 * form(MS);
  const fourthCumulant = 48 * tr(MS4) + 48 * form(MS2);
  return {
    mean, variance, thirdCumulant, fourthCumulant,
    skewness: variance > 0 ? thirdCumulant / variance ** 1.5 : 0,
    excessKurtosis: variance > 0 ? fourthCumulant / (variance * variance) : 0,
  };
}
