import type { DataDistribution } from '../gaussian/mixture.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { type Estimate, RunningEstimate } from '../mc/estimate.ts';
import type { Rng } from '../mc/rng.ts';
import type { ConditionalScoreModel, ScoreModel } from '../models/scoreModel.ts';
import { exactMarginalScore } from '../theory/vincentScoreFunction.ts';
import { type ConditionedGaussianData, exactConditionalScore } from './conditionedData.ts';
import { requireConditionalMcArguments, requireMcArguments } from './mcValidation.ts';

/**
 * Monte Carlo estimate of DSM(s) − ESM(s) at one noise level from the SAME draws
 * (x_0, ε), x_t = a x_0 + s ε (MATH.md §2, Theorem 1). Per draw:
 *   D = ‖s(x_t) + ε/s‖² − ‖s(x_t) − ∇log q_t(x_t)‖²,
 * whose mean is C_t for every model s. Returns mean, sample variance, stderr, n.
 *
 * This is the hot loop a benchmark may optimize: no allocation per draw; the
 * model is called once per draw; the exact marginal score is precomputed.
 * Contract to keep: same rng consumption order (x_0 via data.sampleInto, then
 * ε via rng.fillNormal(d)), so seeded results replay.
 */
export function dsmMinusEsmMonteCarlo(model: ScoreModel, data: DataDistribution, level: NoiseLevel, rng: Rng, n: number): Estimate {
  requireMcArguments(model, data, level, n);
  const d = data.dim;
  const { a, s } = level;
  const invS = 1 / s;
  const score = exactMarginalScore(data, level);
  const x0 = new Float64Array(d), eps = new Float64Array(d), xt = new Float64Array(d);
  const g = new Float64Array(d), out = new Float64Array(d), xi = new Float64Array(d);
  const acc = new RunningEstimate();
  for (let k = 0; k < n; k++) {
    data.sampleInto(rng, x0, xi);
    rng.fillNormal(eps);
    for (let i = 0; i < d; i++) xt[i] = a * x0[i] + s * eps[i];
    model.evaluate(xt, out);
    score(xt, g);
    let dsm = 0, esm = 0;
    for (let i = 0; i < d; i++) {
      const u = out[i] + eps[i] * invS;
      const v = out[i] - g[i];
      dsm += u * u;
      esm += v * v;
    }
    acc.push(dsm - esm);
  }
  return acc.result();
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
  const d = cd.dataDim, k = cd.condDim;
  const { a, s } = level;
  const invS = 1 / s;
  const score = exactConditionalScore(cd, level);
  const z = new Float64Array(d + k), zi = new Float64Array(d + k);
  const x0 = z.subarray(0, d), c = z.subarray(d);
  const eps = new Float64Array(d), xt = new Float64Array(d), g = new Float64Array(d), out = new Float64Array(d);
  const acc = new RunningEstimate();
  for (let it = 0; it < n; it++) {
    cd.joint.sampleInto(rng, z, zi);
    rng.fillNormal(eps);
    for (let i = 0; i < d; i++) xt[i] = a * x0[i] + s * eps[i];
    model.evaluate(xt, c, out);
    score(xt, c, g);
    let dsm = 0, esm = 0;
    for (let i = 0; i < d; i++) {
      const u = out[i] + eps[i] * invS;
      const v = out[i] - g[i];
      dsm += u * u;
      esm += v * v;
    }
    acc.push(dsm - esm);
  }
  return acc.result();
}
