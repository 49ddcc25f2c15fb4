import fc from 'fast-check';
import { createRng } from '../mc/rng.ts';
import { type MlpConditionalScoreModel, type MlpScoreModel, type MlpWeights, randomMlpConditionalScoreModel, randomMlpScoreModel } from '../models/mlpScoreModel.ts';
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

/**
 * The same network in other units: u ↦ outScale·f(inScale ⊙ (u − inShift)) — a score model
 * preconditioned to the law it is evaluated on (EDM's c_in/c_out: inputs standardized by the
 * marginal's location and spread, outputs at the score's scale 1/σ). Still an MLP (exact weight
 * transform), so batch and SIMD paths apply unchanged.
 */
export function rescaledMlpWeights(w: MlpWeights, inScale: ArrayLike<number>, inShift: ArrayLike<number>, outScale: number): MlpWeights {
  const n = w.inputDim, h = w.hidden, d = w.outputDim;
  const W1 = new Float64Array(h * n), b1 = Float64Array.from(w.b1), W2 = new Float64Array(d * h), b2 = new Float64Array(d), skip = new Float64Array(d * n);
  for (let j = 0; j < h; j++) for (let i = 0; i < n; i++) {
    W1[j * n + i] = w.W1[j * n + i] * inScale[i];
    b1[j] -= W1[j * n + i] * inShift[i];
  }
  for (let k = 0; k < d * h; k++) W2[k] = outScale * w.W2[k];
  for (let o = 0; o < d; o++) {
    let shift = 0;
    for (let i = 0; i < n; i++) {
      skip[o * n + i] = outScale * w.skip[o * n + i] * inScale[i];
      shift += w.skip[o * n + i] * inScale[i] * inShift[i];
    }
    b2[o] = outScale * (w.b2[o] - shift);
  }
  return { inputDim: n, hidden: h, outputDim: d, W1, b1, W2, b2, skip };
}
