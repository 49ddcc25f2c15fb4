import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { copyFloat64, smallFloat64 } from './smallFloat64.ts';

/** Dense row-major matrix on a Float64Array: entry (i, j) is data[i * cols + j]. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** A vector is a plain Float64Array. */
export type Vector = Float64Array;

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: smallFloat64(rows * cols) };
}

export function identity(n: number): Matrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Diagonal matrix from its diagonal. */
export function diag(d: ArrayLike<number>): Matrix {
  const n = d.length;
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = d[i];
  return m;
}

/** Scalar multiple of the identity. */
export function scaledIdentity(n: number, c: number): Matrix {
  const m = zeros(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = c;
  return m;
}

/** Matrix from nested arrays; validates that rows are equal length. */
export function fromRows(rows: ReadonlyArray<ArrayLike<number>>, field = 'matrix'): Matrix {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const m = zeros(r, c);
  for (let i = 0; i < r; i++) {
    if (rows[i].length !== c) throw new DimensionMismatchError(`${field}[${i}]`, c, rows[i].length);
    for (let j = 0; j < c; j++) m.data[i * c + j] = rows[i][j];
  }
  return m;
}

export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

export function get(m: Matrix, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

export function clone(m: Matrix): Matrix {
  return { rows: m.rows, cols: m.cols, data: copyFloat64(m.data) };
}

export function transpose(m: Matrix): Matrix {
  const t = zeros(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) t.data[j * m.rows + i] = m.data[i * m.cols + j];
  return t;
}

export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new DimensionMismatchError('matmul', `${a.rows}x${a.cols} · ${a.cols}x?`, `${b.rows}x${b.cols}`);
  const out = zeros(a.rows, b.cols);
  const n = a.cols, p = b.cols;
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a.data[i * n + k];
      if (aik === 0) continue;
      const bo = k * p, oo = i * p;
      for (let j = 0; j < p; j++) out.data[oo + j] += aik * b.data[bo + j];
    }
  }
  return out;
}

/** y = A x */
export function matvec(a: Matrix, x: ArrayLike<number>, out: Vector = smallFloat64(a.rows)): Vector {
  if (a.cols !== x.length) throw new DimensionMismatchError('matvec', a.cols, x.length);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    const o = i * a.cols;
    for (let j = 0; j < a.cols; j++) s += a.data[o + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** A + B, or αA + βB */
export function add(a: Matrix, b: Matrix, alpha = 1, beta = 1): Matrix {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new DimensionMismatchError('add', `${a.rows}x${a.cols}`, `${b.rows}x${b.cols}`);
  const out = zeros(a.rows, a.cols);
  for (let i = 0; i < a.data.length; i++) out.data[i] = alpha * a.data[i] + beta * b.data[i];
  return out;
}

export function scale(a: Matrix, c: number): Matrix {
  const out = zeros(a.rows, a.cols);
  for (let i = 0; i < a.data.length; i++) out.data[i] = c * a.data[i];
  return out;
}

/** A + c I (square A). */
export function addScaledIdentity(a: Matrix, c: number): Matrix {
  requireSquare('addScaledIdentity', a);
  const out = clone(a);
  for (let i = 0; i < a.rows; i++) out.data[i * a.cols + i] += c;
  return out;
}

export function trace(a: Matrix): number {
  requireSquare('trace', a);
  let s = 0;
  for (let i = 0; i < a.rows; i++) s += a.data[i * a.cols + i];
  return s;
}

/** tr(A B) without forming the product. */
export function traceOfProduct(a: Matrix, b: Matrix): number {
  if (a.cols !== b.rows || a.rows !== b.cols) throw new DimensionMismatchError('traceOfProduct', `${a.cols}x${a.rows}`, `${b.rows}x${b.cols}`);
  let s = 0;
  for (let i = 0; i < a.rows; i++) for (let k = 0; k < a.cols; k++) s += a.data[i * a.cols + k] * b.data[k * b.cols + i];
  return s;
}

/** Frobenius norm of A − B, divided by max(1, ‖B‖_F). */
export function relativeFrobeniusDistance(a: Matrix, b: Matrix): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i] - b.data[i];
    num += d * d;
    den += b.data[i] * b.data[i];
  }
  return Math.sqrt(num) / Math.max(1, Math.sqrt(den));
}

/** (A + Aᵀ)/2 */
export function symmetrize(a: Matrix): Matrix {
  requireSquare('symmetrize', a);
  const n = a.rows;
  const out = zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out.data[i * n + j] = 0.5 * (a.data[i * n + j] + a.data[j * n + i]);
  return out;
}

export function requireSquare(field: string, a: Matrix): void {
  if (a.rows !== a.cols) throw new InvalidArgumentError(field, `${a.rows}x${a.cols}`, 'must be a square matrix');
}

/** Largest |A_ij − A_ji| relative to the largest |A_ij|. */
export function asymmetry(a: Matrix): number {
  const n = a.rows;
  let maxAbs = 0, maxDiff = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      maxAbs = Math.max(maxAbs, Math.abs(a.data[i * n + j]));
      maxDiff = Math.max(maxDiff, Math.abs(a.data[i * n + j] - a.data[j * n + i]));
    }
  }
  return maxAbs === 0 ? 0 : maxDiff / maxAbs;
}

/** ‖A‖_∞ = max_i Σ_j |A_ij|, the induced ∞-norm. */
export function infNorm(a: Matrix): number {
  let best = 0;
  for (let i = 0; i < a.rows; i++) {
    let r = 0;
    for (let j = 0; j < a.cols; j++) r += Math.abs(a.data[i * a.cols + j]);
    best = Math.max(best, r);
  }
  return best;
}
