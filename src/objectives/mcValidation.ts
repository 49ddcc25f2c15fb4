import { Gaussian } from '../gaussian/gaussian.ts';
import { type DataDistribution, GaussianMixture } from '../gaussian/mixture.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import type { ConditionalScoreModel, ScoreModel } from '../models/scoreModel.ts';
import { requireIntegerInRange } from '../validate.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import type { ConditionedGaussianData } from './conditionedData.ts';

/** Shared argument checks of the Monte Carlo objectives. */
export function requireMcArguments(model: ScoreModel, data: DataDistribution, level: NoiseLevel, n: number): void {
  if (!(data instanceof Gaussian || data instanceof GaussianMixture)) throw new InvalidArgumentError('data', data, 'must be a Gaussian or GaussianMixture');
  if (!model || typeof model.evaluate !== 'function') throw new InvalidArgumentError('model', model, 'must have evaluate(x, out)');
  if (model.dim !== data.dim) throw new DimensionMismatchError('model.dim', data.dim, model.dim);
  requireNoiseLevel(level);
  requireIntegerInRange('n', n, 2, 1e9);
}

export function requireConditionalMcArguments(model: ConditionalScoreModel, cd: ConditionedGaussianData, level: NoiseLevel, n: number): void {
  if (!model || typeof model.evaluate !== 'function') throw new InvalidArgumentError('model', model, 'must have evaluate(x, c, out)');
  if (model.dim !== cd.dataDim) throw new DimensionMismatchError('model.dim', cd.dataDim, model.dim);
  if (model.condDim !== cd.condDim) throw new DimensionMismatchError('model.condDim', cd.condDim, model.condDim);
  requireNoiseLevel(level);
  requireIntegerInRange('n', n, 2, 1e9);
}
