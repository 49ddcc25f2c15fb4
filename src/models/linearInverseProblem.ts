import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import type { Matrix, Vector } from '../linalg/index.ts';
import { requireFinite, requireFiniteArray } from '../validate.ts';

/** y = H x_0 + n, n ~ N(0, σ_y² I_p) (MATH.md §4). H is p × d with full row rank p ≤ d. */
export interface LinearInverseProblem {
  readonly H: Matrix;
  readonly sigmaY: number;
  readonly y: Vector;
}

export function linearInverseProblem(H: Matrix, sigmaY: number, y: ArrayLike<number>): LinearInverseProblem {
  requireFiniteArray('inverseProblem.H', H.data);
  requireFinite('inverseProblem.sigmaY', sigmaY);
  if (!(sigmaY >= 0)) throw new InvalidArgumentError('inverseProblem.sigmaY', sigmaY, 'must be ≥ 0');
  if (H.rows < 1 || H.rows > H.cols) throw new InvalidArgumentError('inverseProblem.H', `${H.rows}x${H.cols}`, 'need 1 ≤ p ≤ d rows');
  if (y.length !== H.rows) throw new DimensionMismatchError('inverseProblem.y', H.rows, y.length);
  requireFiniteArray('inverseProblem.y', y);
  return { H, sigmaY, y: Float64Array.from(y as ArrayLike<number>) };
}
