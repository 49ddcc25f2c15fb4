import fc from 'fast-check';
import { AffineScoreModel } from '../models/affineScoreModel.ts';
import { AffineConditionalScoreModel } from '../models/affineConditionalScoreModel.ts';
import { simpleDouble } from './boundedDouble.ts';

function entries(n: number, bound: number): fc.Arbitrary<number[]> {
  return fc.array(simpleDouble(-bound, bound, 2), { minLength: n, maxLength: n });
}

/** s(x) = A x + b with entries in [−bound, bound] (default 2); shrinks to the zero model. */
export function affineScoreModel(d: number, bound = 2): fc.Arbitrary<AffineScoreModel> {
  return fc.tuple(entries(d * d, bound), entries(d, bound)).map(
    ([a, b]) => new AffineScoreModel({ rows: d, cols: d, data: Float64Array.from(a) }, b),
  );
}

/** s(x, c) = A x + B c + b (B d×k); shrinks to the zero model. */
export function affineConditionalScoreModel(d: number, k: number, bound = 2): fc.Arbitrary<AffineConditionalScoreModel> {
  return fc.tuple(entries(d * d, bound), entries(d * k, bound), entries(d, bound)).map(
    ([a, bb, b]) => new AffineConditionalScoreModel({ rows: d, cols: d, data: Float64Array.from(a) }, { rows: d, cols: k, data: Float64Array.from(bb) }, b),
  );
}
