import { NotSPDError } from '../errors.ts';
import { type Matrix, addScaledIdentity, asymmetry, requireSquare } from './matrix.ts';
import { cholesky } from './cholesky.ts';

/** Relative asymmetry above which a "covariance" is rejected rather than symmetrized. */
export const SYMMETRY_TOLERANCE = 1e-10;

/** Square, finite, symmetric (to SYMMETRY_TOLERANCE); names the field otherwise. */
export function requireSymmetricFinite(m: Matrix, field: string): void {
  requireSquare(field, m);
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) throw new NotSPDError(field, `entry (${Math.floor(i / m.cols)}, ${i % m.cols}) is ${m.data[i]}`);
  }
  const asym = asymmetry(m);
  if (asym > SYMMETRY_TOLERANCE) throw new NotSPDError(field, `asymmetric: relative |A - Aᵀ| = ${asym.toExponential(2)}`);
}

/**
 * Symmetric positive semidefinite (a zero matrix is allowed): Cholesky of
 * M + δI with δ = 1e-12·max(1, max diag) — rejects any eigenvalue below −δ.
 */
export function requirePSD(m: Matrix, field: string): void {
  requireSymmetricFinite(m, field);
  let maxDiag = 1;
  for (let i = 0; i < m.rows; i++) maxDiag = Math.max(maxDiag, Math.abs(m.data[i * m.rows + i]));
  try {
    cholesky(addScaledIdentity(m, 1e-12 * maxDiag), field);
  } catch {
    throw new NotSPDError(field, 'not positive semidefinite');
  }
}
