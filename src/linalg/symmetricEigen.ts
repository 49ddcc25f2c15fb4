import { NotSPDError } from '../errors.ts';
import { type Matrix, asymmetry, identity } from './matrix.ts';

/**
 * Eigen-decomposition A = Q diag(λ) Qᵀ of a symmetric matrix by cyclic Jacobi
 * rotations (accurate to a few ulps of ‖A‖ for the small d scorecheck uses).
 * Columns of Q are the eigenvectors.
 */
export interface SymmetricEigen {
  readonly values: Float64Array;
  /** Row-major d × d; column j is the eigenvector of values[j]. */
  readonly vectors: Matrix;
}

export function symmetricEigen(a: Matrix, field = 'matrix'): SymmetricEigen {
  const n = a.rows;
  if (a.cols !== n) throw new NotSPDError(field, `not square (${a.rows}x${a.cols})`);
  if (asymmetry(a) > 1e-10) throw new NotSPDError(field, `not symmetric (asymmetry ${asymmetry(a)})`);
  const A = Float64Array.from(a.data);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) A[i * n + j] = A[j * n + i] = 0.5 * (A[i * n + j] + A[j * n + i]);
  const Q = identity(n);
  const V = Q.data;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, norm = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const v = A[i * n + j] * A[i * n + j];
      norm += v;
      if (i !== j) off += v;
    }
    if (off <= 1e-32 * norm || off === 0) break;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) {
      const apq = A[p * n + q];
      if (apq === 0) continue;
      const app = A[p * n + p], aqq = A[q * n + q];
      const theta = (aqq - app) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let k = 0; k < n; k++) {
        const akp = A[k * n + p], akq = A[k * n + q];
        A[k * n + p] = c * akp - s * akq;
        A[k * n + q] = s * akp + c * akq;
      }
      for (let k = 0; k < n; k++) {
        const apk = A[p * n + k], aqk = A[q * n + k];
        A[p * n + k] = c * apk - s * aqk;
        A[q * n + k] = s * apk + c * aqk;
      }
      for (let k = 0; k < n; k++) {
        const vkp = V[k * n + p], vkq = V[k * n + q];
        V[k * n + p] = c * vkp - s * vkq;
        V[k * n + q] = s * vkp + c * vkq;
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = A[i * n + i];
  return { values, vectors: Q };
}
