import { DimensionMismatchError, NonFiniteError } from '../errors.ts';
import type { NoisePredictor, VpPoint } from './vpPoint.ts';

/**
 * ε(x) = e0 + A (x − c) for a predictor affine in x, read off by probing at c and
 * c + e_i. (Exact for affine predictors; callers that need it check affinity.)
 */
export function affinePredictorProbe(predictor: NoisePredictor, center: ArrayLike<number>, t: VpPoint): { readonly e0: Float64Array; readonly A: Float64Array } {
  const d = center.length;
  const x = Float64Array.from(center);
  const call = () => {
    const e = predictor(x, t);
    if (e.length !== d) throw new DimensionMismatchError('predictor output', d, e.length);
    for (let i = 0; i < d; i++) if (!Number.isFinite(e[i])) throw new NonFiniteError(`predictor output[${i}] at logSnr=${t.logSnr}`, e[i]);
    return Float64Array.from(e);
  };
  const e0 = call();
  const A = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    x[j] += 1;
    const ej = call();
    for (let i = 0; i < d; i++) A[i * d + j] = ej[i] - e0[i];
    x[j] -= 1;
  }
  return { e0, A };
}
