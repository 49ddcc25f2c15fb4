import { NotSPDError } from '../errors.ts';
import { type Matrix, type Vector, zeros } from './matrix.ts';
import { smallFloat64 } from './smallFloat64.ts';
import { requireSymmetricFinite } from './symmetricChecks.ts';


/**
 * Lower-triangular L with A = L Lᵀ. Throws NotSPDError naming `field` when A is
 * asymmetric, has non-finite entries, or is not positive definite.
 */
export function cholesky(a: Matrix, field = 'matrix'): Matrix {
  requireSymmetricFinite(a, field);
  const n = a.rows;
  const l = zeros(n, n);
  const L = l.data, A = a.data;
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j];
    for (let k = 0; k < j; k++) s -= L[j * n + k] * L[j * n + k];
    if (!(s > 0)) throw new NotSPDError(field, `pivot ${j} is ${s.toExponential(3)}`);
    const ljj = Math.sqrt(s);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = 0.5 * (A[i * n + j] + A[j * n + i]);
      for (let k = 0; k < j; k++) t -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = t / ljj;
    }
  }
  return l;
}

/** Solves L y = b (forward substitution). */
export function forwardSubstitute(l: Matrix, b: ArrayLike<number>, out: Vector = smallFloat64(l.rows)): Vector {
  const n = l.rows, L = l.data;
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * out[k];
    out[i] = s / L[i * n + i];
  }
  return out;
}

/** Solves Lᵀ x = y (back substitution with the transpose of lower-triangular L). */
export function backSubstituteTransposed(l: Matrix, y: ArrayLike<number>, out: Vector = smallFloat64(l.rows)): Vector {
  const n = l.rows, L = l.data;
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * out[k];
    out[i] = s / L[i * n + i];
  }
  return out;
}

/** Solves A x = b given the Cholesky factor L of A. */
export function choleskySolve(l: Matrix, b: ArrayLike<number>): Vector {
  return backSubstituteTransposed(l, forwardSubstitute(l, b));
}

/** log det A = 2 Σ log L_ii. */
export function choleskyLogDet(l: Matrix): number {
  let s = 0;
  for (let i = 0; i < l.rows; i++) s += Math.log(l.data[i * l.cols + i]);
  return 2 * s;
}

/** A⁻¹ from the Cholesky factor (column by column). */
export function choleskyInverse(l: Matrix): Matrix {
  const n = l.rows;
  const inv = zeros(n, n);
  const e = smallFloat64(n), y = smallFloat64(n), col = smallFloat64(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    backSubstituteTransposed(l, forwardSubstitute(l, e, y), col);
    for (let i = 0; i < n; i++) inv.data[i * n + j] = col[i];
  }
  // Exact symmetry for downstream Cholesky calls.
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const v = 0.5 * (inv.data[i * n + j] + inv.data[j * n + i]);
    inv.data[i * n + j] = v;
    inv.data[j * n + i] = v;
  }
  return inv;
}

/** Inverse of an SPD matrix, validated. */
export function spdInverse(a: Matrix, field = 'matrix'): Matrix {
  return choleskyInverse(cholesky(a, field));
}

/** log det of an SPD matrix, validated. */
export function spdLogDet(a: Matrix, field = 'matrix'): number {
  return choleskyLogDet(cholesky(a, field));
}

/** tr(A⁻¹) of an SPD matrix = ‖L⁻¹‖_F². */
export function spdTraceInverse(a: Matrix, field = 'matrix'): number {
  const l = cholesky(a, field);
  const n = l.rows;
  const e = smallFloat64(n);
  const y = smallFloat64(n);
  let s = 0;
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    forwardSubstitute(l, e, y);
    for (let i = 0; i < n; i++) s += y[i] * y[i];
  }
  return s;
}
