import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Matrix, type Vector, requireSquare } from '../linalg/index.ts';
import { requireFiniteArray } from '../validate.ts';
import type { ConditionalScoreModel } from './scoreModel.ts';

/**
 * Affine conditional score model s(x, c) = A x + B c + b (A d×d, B d×k).
 * θ = (vec A, vec B, b), row-major.
 */
export class AffineConditionalScoreModel implements ConditionalScoreModel {
  readonly dim: number;
  readonly condDim: number;
  readonly A: Matrix;
  readonly B: Matrix;
  readonly b: Vector;

  constructor(A: Matrix, B: Matrix, b: ArrayLike<number>, field = 'model') {
    requireSquare(`${field}.A`, A);
    if (A.rows < 1) throw new InvalidArgumentError(`${field}.A`, `${A.rows}x${A.cols}`, 'dimension must be ≥ 1');
    if (B.rows !== A.rows) throw new DimensionMismatchError(`${field}.B`, `${A.rows}×k`, `${B.rows}x${B.cols}`);
    if (B.cols < 1) throw new InvalidArgumentError(`${field}.B`, `${B.rows}x${B.cols}`, 'needs at least one column');
    if (b.length !== A.rows) throw new DimensionMismatchError(`${field}.b`, A.rows, b.length);
    requireFiniteArray(`${field}.A`, A.data);
    requireFiniteArray(`${field}.B`, B.data);
    requireFiniteArray(`${field}.b`, b);
    this.dim = A.rows;
    this.condDim = B.cols;
    this.A = { rows: A.rows, cols: A.cols, data: Float64Array.from(A.data) };
    this.B = { rows: B.rows, cols: B.cols, data: Float64Array.from(B.data) };
    this.b = Float64Array.from(b as ArrayLike<number>);
  }

  evaluate(x: Float64Array, c: Float64Array, out: Float64Array): Float64Array {
    const d = this.dim, k = this.condDim, A = this.A.data, B = this.B.data, b = this.b;
    for (let i = 0; i < d; i++) {
      let acc = b[i];
      for (let j = 0; j < d; j++) acc += A[i * d + j] * x[j];
      for (let j = 0; j < k; j++) acc += B[i * k + j] * c[j];
      out[i] = acc;
    }
    return out;
  }

  get parameterCount(): number {
    return this.dim * (this.dim + this.condDim + 1);
  }

  parameters(): Float64Array {
    const d = this.dim, k = this.condDim;
    const th = new Float64Array(this.parameterCount);
    th.set(this.A.data);
    th.set(this.B.data, d * d);
    th.set(this.b, d * d + d * k);
    return th;
  }

  withParameters(theta: ArrayLike<number>): AffineConditionalScoreModel {
    if (theta.length !== this.parameterCount) throw new DimensionMismatchError('theta', this.parameterCount, theta.length);
    const d = this.dim, k = this.condDim;
    const slice = (o: number, n: number) => Float64Array.from({ length: n }, (_, i) => theta[o + i]);
    return new AffineConditionalScoreModel(
      { rows: d, cols: d, data: slice(0, d * d) },
      { rows: d, cols: k, data: slice(d * d, d * k) },
      slice(d * d + d * k, d),
    );
  }
}
