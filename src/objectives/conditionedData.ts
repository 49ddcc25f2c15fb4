import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, addScaledIdentity, cholesky, choleskyInverse, scale } from '../linalg/index.ts';
import { InvalidArgumentError } from '../errors.ts';
import { requireIntegerInRange } from '../validate.ts';
import { type LinearEncoder, encoderJointGaussian } from '../models/linearEncoder.ts';
import { type GaussianConditional, gaussianConditional } from '../theory/inputBias.ts';

/**
 * Jointly Gaussian (x_0, c) for conditional objectives (MATH.md §2, Theorem 2):
 * `joint` is over (x_0, c), x_0 the first `dataDim` coordinates.
 */
export interface ConditionedGaussianData {
  readonly joint: Gaussian;
  readonly dataDim: number;
  readonly condDim: number;
  /** x_0 | c ~ N(M c + m, Σ_{x|c}). */
  readonly conditional: GaussianConditional;
}

export function conditionedJoint(joint: Gaussian, dataDim: number): ConditionedGaussianData {
  if (!(joint instanceof Gaussian)) throw new InvalidArgumentError('joint', joint, 'must be a Gaussian over (x_0, c)');
  requireIntegerInRange('dataDim', dataDim, 1, joint.dim - 1);
  return { joint, dataDim, condDim: joint.dim - dataDim, conditional: gaussianConditional(joint, dataDim) };
}

/** (x_0, c) with x_0 ~ data and c = B x_0 + b + τξ. */
export function conditionedByEncoder(data: Gaussian, encoder: LinearEncoder): ConditionedGaussianData {
  return conditionedJoint(encoderJointGaussian(data, encoder), data.dim);
}

/** K = (a²Σ_{x|c} + s²I)⁻¹, the precision of q(x_t|c) (MATH.md §2, Theorem 2). */
export function conditionalNoisyPrecision(cd: ConditionedGaussianData, level: NoiseLevel): Matrix {
  const { a, s } = level;
  return choleskyInverse(cholesky(addScaledIdentity(scale(cd.conditional.cov, a * a), s * s), 'posteriorCov (a²Σ_{x|c} + s²I)'));
}

/** ∇log q(x_t|c) evaluated into `out` without allocating. */
export type InPlaceConditionalScore = (xt: ArrayLike<number>, c: ArrayLike<number>, out: Float64Array) => Float64Array;

/**
 * The exact conditional score ∇log q(x_t|c) = −K(x_t − a(Mc + m)), K precomputed
 * once per level — the conditional counterpart of theory's exactMarginalScore.
 */
export function exactConditionalScore(cd: ConditionedGaussianData, level: NoiseLevel): InPlaceConditionalScore {
  const d = cd.dataDim, k = cd.condDim, a = level.a;
  const K = conditionalNoisyPrecision(cd, level).data;
  const M = cd.conditional.M.data, m = cd.conditional.m;
  const r = new Float64Array(d);
  return (xt, c, out) => {
    for (let i = 0; i < d; i++) {
      let mc = m[i];
      for (let j = 0; j < k; j++) mc += M[i * k + j] * c[j];
      r[i] = xt[i] - a * mc;
    }
    for (let i = 0; i < d; i++) {
      let g = 0;
      for (let j = 0; j < d; j++) g -= K[i * d + j] * r[j];
      out[i] = g;
    }
    return out;
  };
}
