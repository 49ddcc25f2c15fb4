import type { DataDistribution } from '../gaussian/mixture.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import type { Estimate } from '../mc/estimate.ts';
import type { Rng } from '../mc/rng.ts';
import type { ConditionalScoreModel, ScoreModel } from '../models/scoreModel.ts';
import { exactMarginalScore } from '../theory/vincentScoreFunction.ts';
import { type ConditionedGaussianData, exactConditionalScore } from './conditionedData.ts';
import { forwardDrawEstimate } from './forwardDraws.ts';
import { requireConditionalMcArguments, requireMcArguments } from './mcValidation.ts';
import { squaredDistance } from './monteCarloObjectives.ts';

/**
 * Monte Carlo estimate of DSM(s) − ESM(s) at one noise level from the SAME draws
 * (x_0, ε), x_t = a x_0 + s ε (MATH.md §2, Theorem 1). Per draw:
 *   D = ‖s(x_t) + ε/s‖² − ‖s(x_t) − ∇log q_t(x_t)‖²,
 * whose mean is C_t for every model s. Returns mean, sample variance, stderr, n.
 *
 * The draw loop is forwardDrawEstimate's (no allocation per draw, one model call per
 * draw, the exact marginal score precomputed; x_0 then ε from the rng, so seeded
 * results replay).
 */
export function dsmMinusEsmMonteCarlo(model: ScoreModel, data: DataDistribution, level: NoiseLevel, rng: Rng, n: number): Estimate {
  requireMcArguments(model, data, level, n);
  const d = data.dim, invS = 1 / level.s;
  const score = exactMarginalScore(data, level);
  const b = { x0: new Float64Array(d), eps: new Float64Array(d), xt: new Float64Array(d) };
  const g = new Float64Array(d), out = new Float64Array(d), xi = new Float64Array(d);
  return forwardDrawEstimate(level, rng, n, b, () => data.sampleInto(rng, b.x0, xi), () => {
    model.evaluate(b.xt, out);
    score(b.xt, g);
    return squaredDistance(out, b.eps, -invS) - squaredDistance(out, g, 1);
  });
}

/**
 * Conditional version (MATH.md §2, Theorem 2): draws (x_0, c) from the joint, ε,
 *   D = ‖s(x_t, c) + ε/s‖² − ‖s(x_t, c) − ∇log q(x_t|c)‖²,
 * ∇log q(x_t|c) = −K(x_t − a(Mc + m)), K = (a²Σ_{x|c} + s²I)⁻¹. Mean: d/s² − tr K.
 */
export function conditionalDsmMinusEsmMonteCarlo(
  model: ConditionalScoreModel, cd: ConditionedGaussianData, level: NoiseLevel, rng: Rng, n: number,
): Estimate {
  requireConditionalMcArguments(model, cd, level, n);
  const d = cd.dataDim, k = cd.condDim, invS = 1 / level.s;
  const score = exactConditionalScore(cd, level);
  const z = new Float64Array(d + k), zi = new Float64Array(d + k);
  const c = z.subarray(d);
  const b = { x0: z.subarray(0, d), eps: new Float64Array(d), xt: new Float64Array(d) };
  const g = new Float64Array(d), out = new Float64Array(d);
  return forwardDrawEstimate(level, rng, n, b, () => cd.joint.sampleInto(rng, z, zi), () => {
    model.evaluate(b.xt, c, out);
    score(b.xt, c, g);
    return squaredDistance(out, b.eps, -invS) - squaredDistance(out, g, 1);
  });
}
