import type { NoiseLevel } from '../../diffusion/noiseLevel.ts';
import { InvalidArgumentError } from '../../errors.ts';
import type { DataDistribution } from '../../gaussian/mixture.ts';
import { cholesky, choleskySolve } from '../../linalg/index.ts';
import { controlVariateEstimate } from '../../mc/controlVariate.ts';
import { type Estimate, RunningEstimate } from '../../mc/estimate.ts';
import { criticalValue, minDiscrepancyMean, minNumSamplesMean } from '../../mc/meanTest.ts';
import type { Rng } from '../../mc/rng.ts';
import type { ScoreModel } from '../../models/scoreModel.ts';
import { exactMarginalScore } from '../../theory/vincentScoreFunction.ts';
import { requireIntegerInRange } from '../../validate.ts';
import { forwardDrawEstimate } from '../forwardDraws.ts';
import { requireMcArguments } from '../mcValidation.ts';
import { MAX_REPLANS } from './plannedGapEstimate.ts';

/**
 * Same-draw test of DSM(ŝ) − ESM(ŝ) = C_t for any data law whose marginal score is closed form
 * (a Gaussian or a Gaussian mixture) and any score model (MATH.md §2, §2.2). Per draw (x_0, ε),
 * x_t = a x_0 + s ε, σ = ∇log q_t(x_t):
 *   D = (‖ŝ + ε/s‖² − ‖ŝ − σ‖²) − (‖ε/s‖² − ‖σ‖²)   (E D = DSM − ESM − C_t; = 2ŝ·(ε/s + σ)),
 *   G = ‖ε/s‖² − ‖σ‖²                              (E G = C_t, its definition).
 * C_t of a mixture has no closed form; G on the same draws removes its variance from the test
 * (the plain check estimated C_t on independent draws), so D carries only the model term's.
 * Control variate: L = 2ℓ(x_t)·(ε/s + σ) for an affine ℓ fitted (least squares) to ŝ on an
 * independent sample: E[ε/s + σ | x_t] = 0 for every data law, so E L = 0 exactly and
 * mean(D − βL) (β fitted on the sample, bias O(1/n)) keeps only the nonlinear part of ŝ.
 */
export interface SameDrawGap {
  /** Mean of D over the main sample: tests E D = 0. */
  readonly difference: Estimate;
  /** Mean of G over the main sample: the estimate of C_t the discrepancy target is relative to. */
  readonly gap: Estimate;
  readonly mainSamples: number;
  /** Pilot and main draws. */
  readonly samples: number;
  /** The absolute discrepancy the main sample was planned to detect (relativeTarget·|Ĉ_t| of the pilot). */
  readonly plannedDiscrepancy: number;
}

export interface SameDrawPlan {
  readonly falseAlarm: number;
  readonly missRate?: number;
  /** The main sample detects relativeTarget·|C_t| (C_t from the pilot) with power 1 − missRate. */
  readonly relativeTarget: number;
  readonly pilotSamples: number;
  readonly minSamples: number;
  readonly maxSamples: number;
  /** Re-plan when the main sample detects only more than replanAbove × the plan (default 1.25). */
  readonly replanAbove?: number;
}

/** Draws of the affine fit of ŝ (independent of the test's draws). */
const AFFINE_FIT_SAMPLES = 256;

/** The marginal score ESM is computed against (the exact one; negative controls pass a wrong one). */
export type MarginalScore = (x: Float64Array, out: Float64Array) => unknown;

/** ℓ(x) = W x + w₀ fitted to the model by least squares on n draws of x_t (normal equations, (d+1)², ridge 1e-12·trace). */
function fitAffine(model: ScoreModel, data: DataDistribution, level: NoiseLevel, rng: Rng, n: number): { W: Float64Array; w0: Float64Array } {
  const d = data.dim, q = d + 1;
  const buf = { x0: new Float64Array(d), eps: new Float64Array(d), xt: new Float64Array(d), xi: new Float64Array(d) };
  const xt = buf.xt, out = new Float64Array(d);
  const G = new Float64Array(q * q), R = new Float64Array(q * d);
  forwardDrawEstimate(level, rng, n, buf, () => data.sampleInto(rng, buf.x0, buf.xi), () => {
    model.evaluate(xt, out);
    for (let i = 0; i < q; i++) {
      const zi = i < d ? xt[i] : 1;
      for (let j = 0; j < q; j++) G[i * q + j] += zi * (j < d ? xt[j] : 1);
      for (let j = 0; j < d; j++) R[i * d + j] += zi * out[j];
    }
    return 0;
  });
  let tr = 0;
  for (let i = 0; i < q; i++) tr += G[i * q + i];
  for (let i = 0; i < q; i++) G[i * q + i] += 1e-12 * tr;
  const L = cholesky({ rows: q, cols: q, data: G }, 'sameDraw.XᵀX');
  const W = new Float64Array(d * d), w0 = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const col = choleskySolve(L, Float64Array.from({ length: q }, (_, i) => R[i * d + j]));
    for (let i = 0; i < d; i++) W[j * d + i] = col[i];
    w0[j] = col[d];
  }
  return { W, w0 };
}

function sameDrawTerms(model: ScoreModel, data: DataDistribution, level: NoiseLevel, rng: Rng, n: number, esmScore?: MarginalScore): { difference: Estimate; gap: Estimate } {
  requireMcArguments(model, data, level, n);
  const d = data.dim;
  const invS = 1 / level.s;
  const score = exactMarginalScore(data, level);
  const esmAgainst = esmScore ?? score;
  const w = esmScore ? new Float64Array(d) : undefined;
  const buf = { x0: new Float64Array(d), eps: new Float64Array(d), xt: new Float64Array(d), xi: new Float64Array(d) };
  const { eps, xt } = buf;
  const g = new Float64Array(d), out = new Float64Array(d);
  const gap = new RunningEstimate();
  const D = new Float64Array(n), Lc = new Float64Array(n);
  const { W, w0 } = fitAffine(model, data, level, rng.fork('fit'), AFFINE_FIT_SAMPLES);
  let k = 0;
  forwardDrawEstimate(level, rng, n, buf, () => data.sampleInto(rng, buf.x0, buf.xi), () => {
    model.evaluate(xt, out);
    score(xt, g);
    const h = w ? (esmAgainst(xt, w), w) : g;
    let dsm = 0, esm = 0, e2 = 0, g2 = 0, lin = 0;
    for (let i = 0; i < d; i++) {
      const u = out[i] + eps[i] * invS, v = out[i] - h[i], e = eps[i] * invS;
      dsm += u * u;
      esm += v * v;
      e2 += e * e;
      g2 += g[i] * g[i];
      let l = w0[i];
      for (let j = 0; j < d; j++) l += W[i * d + j] * xt[j];
      lin += 2 * l * (e + g[i]);
    }
    D[k] = dsm - esm - (e2 - g2);
    Lc[k] = lin;
    gap.push(e2 - g2);
    return D[k++];
  });
  return { difference: controlVariateEstimate(D, Lc, 0), gap: gap.result() };
}

/** Pilot (Var D, Ĉ_t), then a main sample sized by minNumSamplesMean to detect relativeTarget·|Ĉ_t|, on independent forks of `rng`. */
export function plannedSameDrawGap(model: ScoreModel, data: DataDistribution, level: NoiseLevel, rng: Rng, plan: SameDrawPlan, esmScore?: MarginalScore): SameDrawGap {
  const maxN = requireIntegerInRange('plan.maxSamples', plan.maxSamples, 2, 1e9);
  const minN = requireIntegerInRange('plan.minSamples', plan.minSamples, 2, maxN);
  const pilotN = requireIntegerInRange('plan.pilotSamples', plan.pilotSamples, 16, 1e9);
  if (!(plan.relativeTarget > 0)) throw new InvalidArgumentError('plan.relativeTarget', plan.relativeTarget, 'must be > 0');
  const pilot = sameDrawTerms(model, data, level, rng.fork('pilot'), pilotN, esmScore);
  const plannedDiscrepancy = plan.relativeTarget * Math.abs(pilot.gap.mean);
  const variance = pilot.difference.variance;
  const wanted = plannedDiscrepancy > 0 ? minNumSamplesMean(variance, plannedDiscrepancy, plan.falseAlarm, plan.missRate ?? 0.01) : maxN;
  const n = Math.min(maxN, Math.max(minN, wanted));
  let main = sameDrawTerms(model, data, level, rng.fork('main'), n, esmScore);
  let mainN = n, drawn = pilotN + n;
  // As plannedGapEstimate: a main sample whose own variance misses replanAbove × the plan is replaced by a
  // fresh, independent one sized from the largest variance seen (the test runs on the last sample alone).
  // The plan is relative to Ĉ_t, which the pilot only estimates, and the outcome states power relative to
  // the main sample's Ĉ_t: the target follows the smaller of the two estimates seen so far (it depends only
  // on samples the final test does not use).
  const beta = plan.missRate ?? 0.01;
  const detects = () => minDiscrepancyMean(main.difference.stderr, criticalValue(plan.falseAlarm, mainN, true, 2), beta, mainN - 1);
  let target = Math.min(plannedDiscrepancy, plan.relativeTarget * Math.abs(main.gap.mean));
  let worstVariance = Math.max(variance, main.difference.variance);
  for (let k = 2; k <= MAX_REPLANS + 1 && target > 0 && mainN < maxN && detects() > (plan.replanAbove ?? 1.25) * target; k++) {
    mainN = Math.min(maxN, Math.max(mainN + 1, minNumSamplesMean(worstVariance, target, plan.falseAlarm, beta)));
    main = sameDrawTerms(model, data, level, rng.fork(`main-${k}`), mainN, esmScore);
    worstVariance = Math.max(worstVariance, main.difference.variance);
    target = Math.min(target, plan.relativeTarget * Math.abs(main.gap.mean));
    drawn += mainN;
  }
  return { ...main, mainSamples: mainN, samples: drawn, plannedDiscrepancy };
}
