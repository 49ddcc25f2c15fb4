import { Gaussian } from '../gaussian/gaussian.ts';
import type { QuadraticMoments } from '../gaussian/affineExpectation.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { AffineScoreModel } from '../models/affineScoreModel.ts';
import { AffineConditionalScoreModel } from '../models/affineConditionalScoreModel.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import { type AffineGaussianSetting, affineObjectiveGradient, affineObjectiveMoments } from './affineGaussianObjective.ts';
import type { ConditionedGaussianData } from './conditionedData.ts';
import { concatColumns, conditionalDsmSetting, conditionalEsmSetting, dsmSetting, esmSetting } from './dsmEsmSettings.ts';

/*
 * Closed-form DSM and ESM at one noise level for affine models on Gaussian data
 * (MATH.md §2; losses without the ½):
 *   DSM(θ) = E‖s_θ(x_t) − ∇log q(x_t|x_0)‖²,  ESM(θ) = E‖s_θ(x_t) − ∇log q_t(x_t)‖²,
 * and for conditional models s_θ(x_t, c) with ∇log q(x_t|c) in ESM.
 * Each returns the mean and the exact variance of one Monte Carlo draw.
 * Gradients are returned in the model's θ layout (see `parameters()`).
 */

function requireUnconditional(model: AffineScoreModel, data: Gaussian, level: NoiseLevel): void {
  if (!(model instanceof AffineScoreModel)) throw new InvalidArgumentError('model', model, 'must be an AffineScoreModel');
  if (!(data instanceof Gaussian)) throw new InvalidArgumentError('data', data, 'must be a Gaussian');
  if (model.dim !== data.dim) throw new DimensionMismatchError('model.A', `${data.dim}x${data.dim}`, `${model.dim}x${model.dim}`);
  requireNoiseLevel(level);
}

function requireConditional(model: AffineConditionalScoreModel, cd: ConditionedGaussianData, level: NoiseLevel): void {
  if (!(model instanceof AffineConditionalScoreModel)) throw new InvalidArgumentError('model', model, 'must be an AffineConditionalScoreModel');
  if (model.dim !== cd.dataDim) throw new DimensionMismatchError('model.A', `${cd.dataDim}x${cd.dataDim}`, `${model.dim}x${model.dim}`);
  if (model.condDim !== cd.condDim) throw new DimensionMismatchError('model.B', `${cd.dataDim}x${cd.condDim}`, `${model.dim}x${model.condDim}`);
  requireNoiseLevel(level);
}

export function dsmAffine(model: AffineScoreModel, data: Gaussian, level: NoiseLevel): QuadraticMoments {
  requireUnconditional(model, data, level);
  return affineObjectiveMoments(dsmSetting(data, level), model.A, model.b);
}

export function esmAffine(model: AffineScoreModel, data: Gaussian, level: NoiseLevel): QuadraticMoments {
  requireUnconditional(model, data, level);
  return affineObjectiveMoments(esmSetting(data, level), model.A, model.b);
}

function unconditionalGradient(setting: AffineGaussianSetting, model: AffineScoreModel): Float64Array {
  const g = affineObjectiveGradient(setting, model.A, model.b);
  const out = new Float64Array(model.parameterCount);
  out.set(g.W.data);
  out.set(g.b, model.dim * model.dim);
  return out;
}

/** ∇_θ DSM, θ = (vec A, b). */
export function dsmAffineGradient(model: AffineScoreModel, data: Gaussian, level: NoiseLevel): Float64Array {
  requireUnconditional(model, data, level);
  return unconditionalGradient(dsmSetting(data, level), model);
}

/** ∇_θ ESM, θ = (vec A, b). */
export function esmAffineGradient(model: AffineScoreModel, data: Gaussian, level: NoiseLevel): Float64Array {
  requireUnconditional(model, data, level);
  return unconditionalGradient(esmSetting(data, level), model);
}

export function conditionalDsmAffine(model: AffineConditionalScoreModel, cd: ConditionedGaussianData, level: NoiseLevel): QuadraticMoments {
  requireConditional(model, cd, level);
  return affineObjectiveMoments(conditionalDsmSetting(cd, level), concatColumns(model.A, model.B), model.b);
}

export function conditionalEsmAffine(model: AffineConditionalScoreModel, cd: ConditionedGaussianData, level: NoiseLevel): QuadraticMoments {
  requireConditional(model, cd, level);
  return affineObjectiveMoments(conditionalEsmSetting(cd, level), concatColumns(model.A, model.B), model.b);
}

function conditionalGradient(setting: AffineGaussianSetting, model: AffineConditionalScoreModel): Float64Array {
  const g = affineObjectiveGradient(setting, concatColumns(model.A, model.B), model.b);
  const d = model.dim, k = model.condDim, p = d + k;
  const out = new Float64Array(model.parameterCount);
  for (let i = 0; i < d; i++) {
    for (let c = 0; c < d; c++) out[i * d + c] = g.W.data[i * p + c];
    for (let c = 0; c < k; c++) out[d * d + i * k + c] = g.W.data[i * p + d + c];
  }
  out.set(g.b, d * d + d * k);
  return out;
}

/** ∇_θ conditional DSM, θ = (vec A, vec B, b). */
export function conditionalDsmAffineGradient(model: AffineConditionalScoreModel, cd: ConditionedGaussianData, level: NoiseLevel): Float64Array {
  requireConditional(model, cd, level);
  return conditionalGradient(conditionalDsmSetting(cd, level), model);
}

/** ∇_θ conditional ESM, θ = (vec A, vec B, b). */
export function conditionalEsmAffineGradient(model: AffineConditionalScoreModel, cd: ConditionedGaussianData, level: NoiseLevel): Float64Array {
  requireConditional(model, cd, level);
  return conditionalGradient(conditionalEsmSetting(cd, level), model);
}
