import { NotSPDError } from '../errors.ts';
import { type Matrix, asymmetry, requireSquare } from './matrix.ts';

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
