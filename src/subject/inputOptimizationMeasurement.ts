import type { Parameterization } from '../diffusion/parameterization.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, diag, fromRows } from '../linalg/index.ts';
import { type MeanTestResult, assertMeanEqual, minNumSamplesMean } from '../mc/meanTest.ts';
import { createRng } from '../mc/rng.ts';
import {
  type InputOptimizationSetting, encoderGradientNorm, inputGradientsAtLevel,
} from '../theory/inputOptimization.ts';
import { readBatch } from './responseShape.ts';
import { subjectPrecision } from './roundingTolerance.ts';
import { expectedInputGradients } from './trainingOracle.ts';
import type { Subject } from './subject.ts';
import type { SubjectSchedule } from './subjectSchedule.ts';
import type { LossInputGradDeclaration } from './trainingProtocol.ts';

/*
 * Input optimization measured on the user's code (Xu 2025 Theorem 2; MATH.md §7.6): scorecheck draws
 * x_0 ~ N(μ, diag v), an encoder's c = B x_0 + b + τξ and ε, asks the subject's `loss_input_grad` for
 * ∂ℓ/∂c, and forms the chain rule's ∂ℓ/∂B = (∂ℓ/∂c)x_0ᵀ, ∂ℓ/∂b = ∂ℓ/∂c. Its mean is the gradient the
 * user's encoder optimization follows, E∇_φ DSM; the prediction gives it, ∇_φ ESM (what an unbiased
 * optimization would follow) and their difference, the bias towards a higher score norm. The test is
 * on one random direction of (B, b), sized so that 10 % of max(‖∇DSM‖, ‖bias‖)·‖dir‖ is detected with
 * power 0.99 (the exact variance of one draw is directionalInputGradientMoments; the control variate
 * below makes the sample far smaller).
 */

export interface InputOptimizationCase {
  readonly mean: readonly number[];
  readonly variances: readonly number[];
  readonly B: readonly (readonly number[])[];
  readonly b: readonly number[];
  readonly tau: number;
  readonly network: { readonly W: number[][]; readonly U: number[][]; readonly b: number[] };
  /** Internal step. */
  readonly t: number;
  readonly seed: number;
}

export interface InputOptimizationMeasurement {
  /** The subject's timestep. */
  readonly t: number;
  readonly samples: number;
  /** Along the test direction: predicted E⟨∇DSM⟩, ⟨∇ESM⟩, ⟨bias⟩, and the measured mean with its standard error. */
  readonly predictedDsm: number;
  readonly predictedEsm: number;
  readonly predictedBias: number;
  readonly measured: number;
  readonly stderr: number;
  readonly test: MeanTestResult;
  /** Full-gradient norms: ‖∇DSM‖, ‖∇ESM‖, ‖bias‖, and ‖measured ∇DSM − predicted ∇ESM‖ (the measured bias). */
  readonly norms: { readonly dsm: number; readonly esm: number; readonly bias: number; readonly measuredBias: number };
  /** E‖∇log q(x_t|c)‖² = tr K, which descending DSM raises. */
  readonly scoreNorm: number;
  /** The scale the detectable discrepancy is relative to. */
  readonly scale: number;
  readonly requestId: number;
}

export function inputOptimizationSetting(c: InputOptimizationCase, p: Parameterization, decl: LossInputGradDeclaration): InputOptimizationSetting {
  return {
    data: new Gaussian(c.mean, diag(c.variances), 'data'),
    encoder: { B: fromRows(c.B as number[][], 'encoder.B'), b: Float64Array.from(c.b), tau: c.tau },
    network: { W: fromRows(c.network.W, 'model.W'), U: fromRows(c.network.U, 'model.U'), b: c.network.b },
    parameterization: p,
    weighting: decl.weighting,
    reduction: decl.reduction,
  };
}

/**
 * Draws, asks the subject in batches, and tests the measured mean against the prediction. Control
 * variate: the declared objective's own ∂ℓ/∂c on the same draws, C_n (its mean is the prediction
 * exactly), so the test is on E[D − C] = 0 with the sample variance of D − C (Student t): a correct
 * subject's D − C is rounding, and the sample needed for 10 % of ‖∇DSM‖·‖dir‖ stays small. The measured
 * gradient reported is prediction + mean(D − C).
 */
export async function measureInputOptimization(
  subject: Subject, sched: SubjectSchedule, p: Parameterization, decl: LossInputGradDeclaration, c: InputOptimizationCase,
  falseAlarm: number, opts: { readonly target?: number; readonly maxSamples?: number; readonly pilot?: number } = {},
): Promise<InputOptimizationMeasurement> {
  const schedule: VPSchedule = sched.schedule;
  const setting = inputOptimizationSetting(c, p, decl);
  const level = schedule.level(c.t);
  const d = c.mean.length, k = c.b.length;
  const rng = createRng(c.seed);
  const V = Float64Array.from({ length: k * d }, () => rng.normal()), v = Float64Array.from({ length: k }, () => rng.normal());
  const dirNorm = Math.hypot(...V, ...v);
  const g = inputGradientsAtLevel(setting, level);
  const along = (m: Matrix, vec: ArrayLike<number>) => m.data.reduce((s, x, i) => s + x * V[i], 0) + Array.from(vec).reduce((s, x, i) => s + x * v[i], 0);
  const predictedDsm = along(g.dsm.B, g.dsm.b), predictedEsm = along(g.esm.B, g.esm.b), predictedBias = along(g.bias.B, g.bias.b);
  // 10 % of the gradient's size along any unit direction, times |dir| (Cauchy–Schwarz scale of the projection).
  const scale = Math.max(encoderGradientNorm(g.dsm), encoderGradientNorm(g.bias)) * dirNorm || Number.MIN_VALUE;
  const measuredB = new Float64Array(k * d), measuredb = new Float64Array(k);
  const diffs: number[] = [];
  let requestId = -1, rounding = 0;
  const xi = new Float64Array(k), eps = new Float64Array(d);
  const t = sched.toSubject(c.t);
  const draw = async (m: number) => {
    const x0s: number[][] = [], noises: number[][] = [], cs: number[][] = [];
    for (let r = 0; r < m; r++) {
      const x0 = c.mean.map((mu, i) => mu + Math.sqrt(c.variances[i]) * rng.normal());
      rng.fillNormal(xi);
      rng.fillNormal(eps);
      x0s.push(x0);
      noises.push(Array.from(eps));
      cs.push(c.b.map((bq, q) => bq + c.tau * xi[q] + c.B[q].reduce((acc, w, j) => acc + w * x0[j], 0)));
    }
    const { id, result } = await subject.call('loss_input_grad', { x0: x0s, noise: noises, t: new Array(m).fill(t), c: cs, model: c.network });
    requestId = id;
    const grads = readBatch(result, { op: 'loss_input_grad', requestId: id }, 'grad_c', m, k);
    const own = expectedInputGradients(schedule, decl, p, c.network, x0s.map((x0, r) => ({ x0, noise: noises[r], c: cs[r], t: c.t })), precisionOf(subject));
    grads.forEach((gc, r) => {
      let dSub = 0, dOwn = 0, tol = 0;
      for (let q = 0; q < k; q++) {
        let dir = v[q];
        // The full measured gradient through the same control variate: Σ (g_sub − g_own)(x_0ᵀ, 1), then + E∇DSM.
        const diff = gc[q] - own.gradients[r].value[q];
        for (let j = 0; j < d; j++) {
          dir += V[q * d + j] * x0s[r][j];
          measuredB[q * d + j] += diff * x0s[r][j];
        }
        measuredb[q] += diff;
        dSub += gc[q] * dir;
        dOwn += own.gradients[r].value[q] * dir;
        tol += own.gradients[r].tolerance[q] * Math.abs(dir);
      }
      diffs.push(dSub - dOwn);
      rounding = Math.max(rounding, tol);
    });
  };
  await draw(opts.pilot ?? 400);
  const pilotVar = variance(diffs);
  const n = pilotVar === 0 ? diffs.length : Math.max(diffs.length, Math.min(opts.maxSamples ?? 40_000, minNumSamplesMean(pilotVar, (opts.target ?? 0.1) * scale, falseAlarm)));
  while (diffs.length < n) await draw(Math.min(4000, n - diffs.length));
  const meanDiff = diffs.reduce((s, x) => s + x, 0) / n;
  const stderr = Math.sqrt(variance(diffs) / n);
  const test = assertMeanEqual({ mean: meanDiff, stderr, n }, 0, { falseAlarm, rounding });
  let mb = 0;
  for (let i = 0; i < k * d; i++) mb += (g.dsm.B.data[i] + measuredB[i] / n - g.esm.B.data[i]) ** 2;
  for (let q = 0; q < k; q++) mb += (g.dsm.b[q] + measuredb[q] / n - g.esm.b[q]) ** 2;
  return {
    t, samples: n, predictedDsm, predictedEsm, predictedBias, measured: predictedDsm + meanDiff, stderr, test,
    norms: { dsm: encoderGradientNorm(g.dsm), esm: encoderGradientNorm(g.esm), bias: encoderGradientNorm(g.bias), measuredBias: Math.sqrt(mb) },
    scoreNorm: g.scoreNorm, scale, requestId,
  };
}

function variance(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
}

function precisionOf(subject: Subject) {
  return subjectPrecision(subject.hello);
}
