import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Matrix, type Vector, gramRankCut, matmul, symmetricEigen, symmetrize, transpose } from '../linalg/index.ts';
import { requireFinite, requireFiniteArray } from '../validate.ts';

/**
 * y = H x_0 + n, n ~ N(0, σ_y² I_p) (MATH.md §4). H is p × d of any rank r ≤ min(p, d)
 * (p > d: repeated measurements; zero rows and H = 0 allowed). When σ_y = 0 the
 * observation must be possible: y ∈ range(H).
 */
export interface LinearInverseProblem {
  readonly H: Matrix;
  readonly sigmaY: number;
  readonly y: Vector;
}

/**
 * range(H) = range(HHᵀ): an orthonormal basis U_r (p × r, the eigenvectors of HHᵀ with
 * eigenvalue above the rank threshold), r = rank(H) and κ = λ_max/λ_min of HHᵀ on it.
 * Threshold `gramRankCut` (λ > max(p, d)·1e-13·λ_max), shared with `pseudoInverse`, so r is the rank H†
 * inverts (singular values below ≈ 3e-7 σ_max count as zero).
 */
export interface MeasurementRange {
  readonly basis: Matrix;
  readonly rank: number;
  readonly gramCondition: number;
}

export function measurementRange(H: Matrix): MeasurementRange {
  const p = H.rows, d = H.cols;
  const { values, vectors } = symmetricEigen(symmetrize(matmul(H, transpose(H))), 'inverseProblem.HHᵀ');
  let lmax = 0;
  for (const v of values) lmax = Math.max(lmax, Math.abs(v));
  const cut = gramRankCut(p, d, lmax);
  const keep: number[] = [];
  for (let k = 0; k < p; k++) if (values[k] > cut) keep.push(k);
  const r = keep.length;
  const basis: Matrix = { rows: p, cols: r, data: new Float64Array(p * r) };
  let lmin = Infinity;
  keep.forEach((k, c) => {
    lmin = Math.min(lmin, values[k]);
    for (let i = 0; i < p; i++) basis.data[i * r + c] = vectors.data[i * p + k];
  });
  return { basis, rank: r, gramCondition: r === 0 ? 1 : lmax / lmin };
}

/** U_rᵀ y (coordinates of the range part) and y − U_r U_rᵀ y (the part orthogonal to range(H)). */
export function splitByRange(range: MeasurementRange, y: ArrayLike<number>): { inRange: Vector; orthogonal: Vector } {
  const { basis: U, rank: r } = range;
  const p = U.rows;
  const inRange = new Float64Array(r);
  for (let c = 0; c < r; c++) {
    let s = 0;
    for (let i = 0; i < p; i++) s += U.data[i * r + c] * y[i];
    inRange[c] = s;
  }
  const orthogonal = Float64Array.from(y as ArrayLike<number>);
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let c = 0; c < r; c++) s += U.data[i * r + c] * inRange[c];
    orthogonal[i] -= s;
  }
  return { inRange, orthogonal };
}

/**
 * Tolerance of the consistency test ‖(I − HH†)y‖ ≤ tol · max(1, ‖y‖) at σ_y = 0.
 * The computed basis of range(HHᵀ) is off by an angle ≈ ε‖HHᵀ‖/λ_min = ε κ (eigenvector
 * perturbation over the gap to the dropped zero eigenvalues), and y = Hx itself carries
 * O(max(p, d) ε) rounding: tol = 1e3 · max(p, d) · ε · κ (1e3: slack for the Jacobi sweeps
 * and the products). For a mask (κ ≤ p) that is ≈ 1e-12; a genuinely impossible y is off by O(1).
 */
export function rangeConsistencyTolerance(H: Matrix, range: MeasurementRange): number {
  return 1e3 * Math.max(H.rows, H.cols) * Number.EPSILON * range.gramCondition;
}

/** Throws InvalidArgumentError(field) if σ_y = 0 and y ∉ range(H) (an impossible observation). */
export function requireConsistentObservation(problem: LinearInverseProblem, range: MeasurementRange, field = 'inverseProblem.y'): void {
  if (problem.sigmaY !== 0) return;
  const { orthogonal } = splitByRange(range, problem.y);
  let off = 0, ny = 0;
  for (const v of orthogonal) off += v * v;
  for (const v of problem.y) ny += v * v;
  off = Math.sqrt(off);
  const tol = rangeConsistencyTolerance(problem.H, range);
  if (off > tol * Math.max(1, Math.sqrt(ny))) {
    throw new InvalidArgumentError(field, Array.from(problem.y), `y is not in range(H) while σ_y = 0 (an impossible observation): ‖(I − HH†)y‖ = ${off.toExponential(3)} > ${tol.toExponential(2)}·max(1, ‖y‖)`);
  }
}

export function linearInverseProblem(H: Matrix, sigmaY: number, y: ArrayLike<number>): LinearInverseProblem {
  requireFiniteArray('inverseProblem.H', H.data);
  requireFinite('inverseProblem.sigmaY', sigmaY);
  if (!(sigmaY >= 0)) throw new InvalidArgumentError('inverseProblem.sigmaY', sigmaY, 'must be ≥ 0');
  if (H.rows < 1 || H.cols < 1) throw new InvalidArgumentError('inverseProblem.H', `${H.rows}x${H.cols}`, 'need p ≥ 1 rows and d ≥ 1 columns');
  if (y.length !== H.rows) throw new DimensionMismatchError('inverseProblem.y', H.rows, y.length);
  requireFiniteArray('inverseProblem.y', y);
  const problem = { H, sigmaY, y: Float64Array.from(y as ArrayLike<number>) };
  if (sigmaY === 0) requireConsistentObservation(problem, measurementRange(H));
  return problem;
}
