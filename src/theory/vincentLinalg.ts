import { DimensionMismatchError, NotSPDError } from '../errors.ts';
import { type Matrix, addScaledIdentity, asymmetry, backSubstituteTransposed, cholesky, forwardSubstitute, requireSquare, scale, SYMMETRY_TOLERANCE } from '../linalg/index.ts';
import { type NoiseLevel, noiseLevel } from '../diffusion/noiseLevel.ts';

/** Validates a NoiseLevel passed as a plain object (a, s finite and > 0). */
export function requireNoiseLevel(level: NoiseLevel, field = 'level'): NoiseLevel {
  if (level === null || typeof level !== 'object') throw new DimensionMismatchError(field, 'NoiseLevel {a, s}', String(level));
  return noiseLevel(level.a, level.s, field);
}

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
