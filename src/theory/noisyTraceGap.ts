import { type Matrix, addScaledIdentity, backSubstituteTransposed, cholesky, forwardSubstitute, requireSymmetricFinite, scale } from '../linalg/index.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
/**
 * (a²/s²) tr(Σ (a²Σ + s²I)⁻¹) = d/s² − tr((a²Σ + s²I)⁻¹), written without the
 * cancellation of the right-hand side (MATH.md §2: C_t and the input-bias gap).
 * Σ must be symmetric positive semidefinite; a²Σ + s²I is factored (SPD check).
 */
export function noisyTraceGap(cov: Matrix, level: NoiseLevel, field: string): number {
  requireSymmetricFinite(cov, field);
  const { a, s } = level;
  const d = cov.rows;
  const l = cholesky(addScaledIdentity(scale(cov, a * a), s * s), `${field} (a²·${field} + s²I)`);
  const col = new Float64Array(d);
  const y = new Float64Array(d);
  const x = new Float64Array(d);
  let tr = 0;
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < d; i++) col[i] = cov.data[i * d + j];
    forwardSubstitute(l, col, y);
    backSubstituteTransposed(l, y, x);
    tr += x[j];
  }
  return ((a * a) / (s * s)) * tr;
}


