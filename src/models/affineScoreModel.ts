import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Matrix, type Vector, requireSquare } from '../linalg/index.ts';
import { requireFiniteArray } from '../validate.ts';
import type { ScoreModel } from './scoreModel.ts';

/**
 * Affine score model s(x) = A x + b (d×d A). Parameters θ = (vec A row-major, b);
 * the closed-form objectives of src/objectives use A and b directly.
 */
export class AffineScoreModel implements ScoreModel {
  readonly dim: number;
  readonly A: Matrix;
  readonly b: Vector;

  constructor(A: Matrix, b: ArrayLike<number>, field = 'model') {
    requireSquare(`${field}.A`, A);
    if (b.length !== A.rows) throw new DimensionMismatchError(`${field}.b`, A.rows, b.length);
    if (A.rows < 1) throw new InvalidArgumentError(`${field}.A`, `${A.rows}x${A.cols}`, 'dimension must be ≥ 1');
    requireFiniteArray(`${field}.A`, A.data);
    requireFiniteArray(`${field}.b`, b);
    this.dim = A.rows;
    this.A = { rows: A.rows, cols: A.cols, data: Float64Array.from(A.data) };
    this.b = Float64Array.from(b as ArrayLike<number>);
  }

  evaluate(x: Float64Array, out: Float64Array): Float64Array {
    const d = this.dim, A = this.A.data, b = this.b;
    for (let i = 0; i < d; i++) {
      let acc = b[i];
      const o = i * d;
      for (let j = 0; j < d; j++) acc += A[o + j] * x[j];
      out[i] = acc;
    }
    return out;
  }

  get parameterCount(): number {
    return this.dim * this.dim + this.dim;
  }

  /** θ = (vec A row-major, b). */
  parameters(): Float64Array {
    const th = new Float64Array(this.parameterCount);
    th.set(this.A.data);
    th.set(this.b, this.dim * this.dim);
    return th;
  }

  /** The model with parameters θ (same layout as `parameters()`). */
  withParameters(theta: ArrayLike<number>): AffineScoreModel {
    if (theta.length !== this.parameterCount) throw new DimensionMismatchError('theta', this.parameterCount, theta.length);
    const d = this.dim;
    const A = { rows: d, cols: d, data: Float64Array.from({ length: d * d }, (_, i) => theta[i]) };
    return new AffineScoreModel(A, Float64Array.from({ length: d }, (_, i) => theta[d * d + i]));
  }
}
