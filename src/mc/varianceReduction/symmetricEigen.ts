import { type Matrix } from '../../linalg/index.ts';
import { requireSymmetricFinite } from '../../theory/vincentLinalg.ts';

/** Σ = Q diag(values) Qᵀ, Q orthogonal (columns are eigenvectors), row-major. */
export interface SymmetricEigen {
  readonly values: Float64Array;
  readonly vectors: Matrix;
}

/**
 * Eigendecomposition of a symmetric matrix by cyclic Jacobi rotations
 * (Golub & Van Loan §8.5): converges quadratically, orthogonal to machine
 * precision. Done once per case; the Monte Carlo kernels then run in the
 * eigenframe, where every Gaussian covariance of the forward process is diagonal.
 */
export function symmetricEigen(m: Matrix, field = 'matrix'): SymmetricEigen {
  requireSymmetricFinite(m, field);
  const n = m.rows;
  const a = Float64Array.from(m.data);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  let scaleSq = 0;
  for (let i = 0; i < n * n; i++) scaleSq += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    if (off <= 1e-32 * scaleSq || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let r = p + 1; r < n; r++) {
        const apr = a[p * n + r];
        if (apr === 0) continue;
        const theta = (a[r * n + r] - a[p * n + p]) / (2 * apr);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J on rows/columns p, r.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akr = a[k * n + r];
          a[k * n + p] = c * akp - s * akr;
          a[k * n + r] = s * akp + c * akr;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], ark = a[r * n + k];
          a[p * n + k] = c * apk - s * ark;
          a[r * n + k] = s * apk + c * ark;
        }
        for (let k = 0; k < n; k++) {
          const qkp = q[k * n + p], qkr = q[k * n + r];
          q[k * n + p] = c * qkp - s * qkr;
          q[k * n + r] = s * qkp + c * qkr;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: { rows: n, cols: n, data: q } };
}
