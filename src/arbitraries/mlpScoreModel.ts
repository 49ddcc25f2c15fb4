import fc from 'fast-check';
import { createRng } from '../mc/rng.ts';
import { type MlpConditionalScoreModel, type MlpScoreModel, randomMlpConditionalScoreModel, randomMlpScoreModel } from '../models/mlpScoreModel.ts';
import { simpleDouble } from './boundedDouble.ts';

/** A seeded random tanh MLP s(x) (hidden 1..16, weight scale 0.25..2); shrinks to seed 0, one hidden unit. */
export function mlpScoreModel(d: number): fc.Arbitrary<MlpScoreModel> {
  return fc
    .tuple(fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 1, max: 16 }), simpleDouble(0.25, 2, 2))
    .map(([seed, hidden, scale]) => randomMlpScoreModel(createRng(`mlp/${seed}`), { dim: d, hidden, scale }));
}

/** A seeded random tanh MLP s(x, c). */
export function mlpConditionalScoreModel(d: number, k: number): fc.Arbitrary<MlpConditionalScoreModel> {
  return fc
    .tuple(fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 1, max: 16 }), simpleDouble(0.25, 2, 2))
    .map(([seed, hidden, scale]) => randomMlpConditionalScoreModel(createRng(`mlp/${seed}`), { dim: d, condDim: k, hidden, scale }));
}
