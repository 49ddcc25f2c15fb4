/*
 * Dense linear algebra for tests, on plain number[][] and written here from the textbook — no code shared
 * with src/linalg, so tests of src have a route independent of it: Gauss–Jordan inversion with partial
 * pivoting, products, and random orthogonal matrices as products of Householder reflections.
 */
import type { Rng } from '../../src/mc/rng.ts';

export type Dense = number[][];

export const mul = (A: Dense, B: Dense): Dense => A.map((r) => B[0].map((_, j) => r.reduce((s, v, k) => s + v * B[k][j], 0)));
export const tr = (A: Dense): Dense => A[0].map((_, j) => A.map((r) => r[j]));
export const mv = (A: Dense, x: ArrayLike<number>): number[] => A.map((r) => r.reduce((s, v, k) => s + v * x[k], 0));
export const eye = (n: number): Dense => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
export const add = (A: Dense, B: Dense, b = 1): Dense => A.map((r, i) => r.map((v, j) => v + b * B[i][j]));
export const trace = (A: Dense): number => A.reduce((s, r, i) => s + r[i], 0);

/** A⁻¹ by Gauss–Jordan elimination with partial pivoting. */
export function inverse(A: Dense): Dense {
  const n = A.length, M = A.map((r, i) => [...r, ...eye(n)[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    const piv = M[c][c];
    for (let j = 0; j < 2 * n; j++) M[c][j] /= piv;
    for (let r = 0; r < n; r++) if (r !== c) { const f = M[r][c]; for (let j = 0; j < 2 * n; j++) M[r][j] -= f * M[c][j]; }
  }
  return M.map((r) => r.slice(n));
}

/** A random n × n orthogonal matrix: the product of n Householder reflections I − 2vvᵀ/‖v‖² with Gaussian v. */
export function randomOrthogonal(n: number, rng: Rng): Dense {
  let Q = eye(n);
  for (let k = 0; k < n; k++) {
    const v = Array.from({ length: n }, () => rng.normal()), vv = v.reduce((s, x) => s + x * x, 0);
    Q = mul(Q, eye(n).map((r, i) => r.map((e, j) => e - (2 * v[i] * v[j]) / vv)));
  }
  return Q;
}

/** Q diag(λ) Qᵀ. */
export const withSpectrum = (Q: Dense, lambda: readonly number[]): Dense => mul(Q.map((r) => r.map((v, j) => v * lambda[j])), tr(Q));

/** log |det A| by Gaussian elimination with partial pivoting (the product of the pivots). */
export function logAbsDet(A: Dense): number {
  const n = A.length, M = A.map((r) => [...r]);
  let s = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    s += Math.log(Math.abs(M[c][c]));
    for (let r = c + 1; r < n; r++) { const f = M[r][c] / M[c][c]; for (let j = c; j < n; j++) M[r][j] -= f * M[c][j]; }
  }
  return s;
}
