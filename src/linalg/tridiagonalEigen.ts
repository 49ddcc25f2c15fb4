import { DimensionMismatchError, NonFiniteError, NotSPDError } from '../errors.ts';
import { type Matrix, asymmetry } from './matrix.ts';
import { type TridiagonalWorkspace, tridiagonalWorkspace } from './tridiagonalSimd.ts';

/**
 * Symmetric eigenvalues by Householder tridiagonalization and implicit QL with
 * Wilkinson-type shifts (EISPACK tred/tql, as in JAMA), O(n³) with a small constant:
 * 2n³/3 multiply-adds for the reduction (lower triangle only, the rank-2 update of
 * one step fused with the symmetric product of the next, one pass over the trailing
 * block per step), O(n²) for the QL iteration. Eigenvalues come with an absolute
 * error of a few ε‖A‖ (the usual backward-stable bound).
 *
 * `symmetricEigen` (cyclic Jacobi) is the slow reference for small n; use this
 * above n ≈ 30. With `project`, it also returns Qᵀ C for an n × k block C (the
 * eigenvectors applied to k columns, O(n²k)) without forming Q.
 */
export interface SymmetricSpectrum {
  /** Eigenvalues, descending. */
  readonly values: Float64Array;
  /**
   * With `project: C` (n × k): QᵀC, row i belonging to values[i] (Q's columns are
   * the eigenvectors, so row i is the i-th eigenvector applied to C's columns).
   */
  readonly projected?: Matrix;
  /** QL sweeps used (for diagnostics). */
  readonly sweeps: number;
}

export interface SymmetricSpectrumOptions {
  /** Field name in error messages. */
  readonly field?: string;
  /** An n × k block C: also return QᵀC. */
  readonly project?: Matrix;
  /**
   * Reuse the input's storage as workspace (its lower triangle is destroyed).
   * Saves one n² copy for large n.
   */
  readonly overwrite?: boolean;
  /** false: plain JS loops even where the WebAssembly SIMD pass is available (tests compare both). */
  readonly simd?: boolean;
  /** Called with (rows done, n) during the reduction, every ~1/64 of the work. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Eigenvalues (and optionally QᵀC) of a symmetric matrix; only the lower triangle
 * is read (the upper is checked for symmetry unless `overwrite`, which trusts the caller).
 */
export function symmetricSpectrum(a: Matrix, opts: SymmetricSpectrumOptions = {}): SymmetricSpectrum {
  const field = opts.field ?? 'matrix';
  const n = a.rows;
  if (a.cols !== n) throw new NotSPDError(field, `not square (${a.rows}x${a.cols})`);
  if (opts.project && opts.project.rows !== n) throw new DimensionMismatchError(`${field} (projected block rows)`, n, opts.project.rows);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = a.data[i * n + j];
      if (!Number.isFinite(v)) throw new NonFiniteError(`${field}[${i}][${j}]`, v);
    }
  }
  if (!opts.overwrite && n <= 4096 && asymmetry(a) > 1e-10) throw new NotSPDError(field, `not symmetric (asymmetry ${asymmetry(a).toExponential(2)})`);
  // Large problems run the O(n²) pass per step in WebAssembly SIMD, on a copy in wasm memory.
  const ws = n >= 64 && opts.simd !== false ? tridiagonalWorkspace(n) : undefined;
  let A: Float64Array;
  if (ws) {
    ws.A.set(a.data);
    A = ws.A;
  } else A = opts.overwrite ? a.data : Float64Array.from(a.data);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const beta = new Float64Array(n);
  tridiagonalize(A, n, d, e, beta, opts.onProgress, ws);
  let P: Float64Array | undefined;
  const k = opts.project?.cols ?? 0;
  if (opts.project) {
    P = Float64Array.from(opts.project.data);
    applyReflectors(A, n, beta, P, k);
  }
  const sweeps = tql(d, e, n, P, k);
  // Sort descending (and permute the projected rows with them).
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y] - d[x]);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = d[order[i]];
  let projected: Matrix | undefined;
  if (P) {
    const out = new Float64Array(n * k);
    for (let i = 0; i < n; i++) out.set(P.subarray(order[i] * k, order[i] * k + k), i * k);
    projected = { rows: n, cols: k, data: out };
  }
  return { values, ...(projected ? { projected } : {}), sweeps };
}

/** Eigenvalues only, descending (see symmetricSpectrum). */
export function symmetricEigenvalues(a: Matrix, field = 'matrix'): Float64Array {
  return symmetricSpectrum(a, { field }).values;
}

/**
 * Householder reduction of the lower triangle of A (row-major n × n) to a tridiagonal
 * T = QᵀAQ with diagonal d and off-diagonal e (e[i] couples i and i+1, e[n−1] = 0),
 * Q = H_0 H_1 ⋯ H_{n−3}, H_i = I − β_i u uᵀ with u stored in column i below the
 * diagonal of A (rows i+1…n−1).
 *
 * Step i reflects column i; the trailing block B (rows and columns > i) becomes
 * HBH = B − u wᵀ − w uᵀ with p = βBu, w = p − (β/2)(pᵀu)u. The update is left pending
 * and applied in the same pass over B's rows that computes the next step's product
 * p' = B'u' (lower triangle: row j contributes its dot product to p'_j and an axpy
 * to p'_k, k < j), so each step reads and writes the trailing triangle once.
 */
function tridiagonalize(A: Float64Array, n: number, d: Float64Array, e: Float64Array, beta: Float64Array, onProgress?: (done: number, total: number) => void, ws?: TridiagonalWorkspace): void {
  const v = ws?.v ?? new Float64Array(n); // pending update u (previous step)
  const w = ws?.w ?? new Float64Array(n); // pending update w
  const u = ws?.u ?? new Float64Array(n); // this step's Householder vector
  const p = ws?.p ?? new Float64Array(n);
  let pending = false;
  let lastReport = 0;
  const reportEvery = Math.max(1, Math.floor(n / 64));
  for (let i = 0; i < n; i++) {
    // Apply the pending update to column i (rows ≥ i), where the reflector of step i comes from.
    if (pending) {
      const vi = v[i], wi = w[i];
      for (let j = i; j < n; j++) A[j * n + i] -= v[j] * wi + w[j] * vi;
    }
    d[i] = A[i * n + i];
    if (i >= n - 2) {
      if (i === n - 2) e[i] = A[(n - 1) * n + i];
      // The last row's pending update is applied to column n−2 above (it covers A[n−1][n−2]).
      if (i === n - 1) e[i] = 0;
      continue;
    }
    // Householder vector for x = A[i+1.., i]: (I − βuuᵀ)x = αe_1.
    const x0 = A[(i + 1) * n + i];
    let sigma = 0;
    for (let j = i + 2; j < n; j++) {
      const t = A[j * n + i];
      sigma += t * t;
    }
    let b = 0;
    if (sigma === 0) {
      e[i] = x0; // already reduced: H = I
      u.fill(0, i + 1, n);
    } else {
      const norm = Math.sqrt(x0 * x0 + sigma);
      const alpha = x0 > 0 ? -norm : norm;
      const u0 = x0 - alpha;
      b = -1 / (alpha * u0);
      e[i] = alpha;
      u[i + 1] = u0;
      for (let j = i + 2; j < n; j++) u[j] = A[j * n + i];
    }
    beta[i] = b;
    for (let j = i + 1; j < n; j++) A[j * n + i] = u[j]; // keep u for Qᵀ C
    // One pass over the trailing triangle (rows/cols > i): pending update, then p = B u.
    p.fill(0, i + 1, n);
    const i1 = i + 1;
    if (b !== 0) {
      if (ws) {
        if (!pending) {
          v.fill(0, i1, n);
          w.fill(0, i1, n);
        }
        ws.step(i1);
      } else if (pending) {
        for (let j = i1; j < n; j++) {
          const r = j * n;
          const vj = v[j], wj = w[j], uj = u[j];
          let dot = 0;
          for (let k = i1; k < j; k++) {
            const a = A[r + k] - vj * w[k] - wj * v[k];
            A[r + k] = a;
            dot += a * u[k];
            p[k] += a * uj;
          }
          const ajj = A[r + j] - 2 * vj * wj;
          A[r + j] = ajj;
          p[j] += dot + ajj * uj;
        }
      } else {
        for (let j = i1; j < n; j++) {
          const r = j * n;
          const uj = u[j];
          let dot = 0;
          for (let k = i1; k < j; k++) {
            const a = A[r + k];
            dot += a * u[k];
            p[k] += a * uj;
          }
          p[j] += dot + A[r + j] * uj;
        }
      }
      // w = βp − (β²/2)(pᵀu) u
      let pu = 0;
      for (let j = i1; j < n; j++) pu += p[j] * u[j];
      const K = 0.5 * b * b * pu;
      for (let j = i1; j < n; j++) {
        v[j] = u[j];
        w[j] = b * p[j] - K * u[j];
      }
      pending = true;
    } else if (pending) {
      // No reflection this step: just apply the pending update to the trailing triangle.
      for (let j = i1; j < n; j++) {
        const r = j * n;
        const vj = v[j], wj = w[j];
        for (let k = i1; k <= j; k++) A[r + k] -= vj * w[k] + wj * v[k];
      }
      pending = false;
    }
    if (onProgress && i - lastReport >= reportEvery) {
      lastReport = i;
      // Work of the remaining steps ∝ (n − i)³: report the fraction done in those units.
      const rem = (n - i) / n;
      onProgress(Math.round(n * (1 - rem * rem * rem)), n);
    }
  }
  onProgress?.(n, n);
}

/** C ← Qᵀ C = H_{n−3} ⋯ H_0 C, C row-major n × k. */
function applyReflectors(A: Float64Array, n: number, beta: Float64Array, C: Float64Array, k: number): void {
  const y = new Float64Array(k);
  for (let i = 0; i < n - 2; i++) {
    const b = beta[i];
    if (b === 0) continue;
    y.fill(0);
    for (let j = i + 1; j < n; j++) {
      const uj = A[j * n + i];
      const r = j * k;
      for (let c = 0; c < k; c++) y[c] += uj * C[r + c];
    }
    for (let c = 0; c < k; c++) y[c] *= b;
    for (let j = i + 1; j < n; j++) {
      const uj = A[j * n + i];
      const r = j * k;
      for (let c = 0; c < k; c++) C[r + c] -= uj * y[c];
    }
  }
}

/**
 * Implicit QL on the tridiagonal (d, e) in place (EISPACK tql2 as in JAMA), d becomes
 * the eigenvalues. With P (n × k), the rotations are applied to P's rows (P ← GᵀP),
 * so P ends as Zᵀ P for the rotation product Z. Returns the number of sweeps.
 */
function tql(d: Float64Array, e: Float64Array, n: number, P: Float64Array | undefined, k: number): number {
  let f = 0, tst1 = 0, sweeps = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new NonFiniteError(`tridiagonal QL (no convergence at row ${l})`, e[l]);
        sweeps++;
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = c, c3 = c;
        const el1 = e[l + 1];
        let s = 0, s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (P) {
            const ri = i * k, rj = (i + 1) * k;
            for (let q = 0; q < k; q++) {
              const hq = P[rj + q];
              P[rj + q] = s * P[ri + q] + c * hq;
              P[ri + q] = c * P[ri + q] - s * hq;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  return sweeps;
}

function hypot(a: number, b: number): number {
  const x = Math.abs(a), y = Math.abs(b);
  const big = x > y ? x : y;
  if (big === 0) return 0;
  const small = x > y ? y : x;
  const q = small / big;
  return big * Math.sqrt(1 + q * q);
}
