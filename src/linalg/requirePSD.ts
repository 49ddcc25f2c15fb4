import { NotSPDError } from '../errors.ts';
import { cholesky } from './cholesky.ts';
import { type Matrix, addScaledIdentity } from './matrix.ts';
import { requireSymmetricFinite } from './symmetricChecks.ts';

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
