import { Gaussian } from '../gaussian/gaussian.ts';
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
