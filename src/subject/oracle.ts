/**
 * What a correct subject must answer, from scorecheck's own closed forms
 * (src/diffusion, src/theory; MATH.md §1 and §4). Pure functions, no I/O.
 * Internal timesteps are 1-based: ᾱ_t = schedule.alphaBar(t).
 */
import { addNoise, conditionalScore } from '../diffusion/forward.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { fromScore, toScore } from '../diffusion/parameterization.ts';
import { posteriorCoefficients, posteriorMean } from '../diffusion/posterior.ts';
import { reverseMean } from '../diffusion/reverseSampler.ts';
import { reverseVariance } from '../diffusion/reverseVariance.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { affineSquaredNormMoments } from '../gaussian/affineExpectation.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, type Vector, fromRows, infNorm, matvec, maxAbs } from '../linalg/index.ts';
import { linearInverseProblem } from '../models/linearInverseProblem.ts';
import { inverseProblemGeometry } from '../theory/inverseProblem.ts';
import { gaussianMarginalPrecision } from '../theory/vincentScoreFunction.ts';
import { zeroShotCorrection } from '../theory/zeroShot.ts';
import type { Parameterization } from '../diffusion/parameterization.ts';
import type { AffineModel, StepVariance } from './protocol.ts';
import type { Weighting } from '../diffusion/lossWeighting.ts';

/** The level of q(x_t|x_0) at internal t. */
export function levelAt(schedule: VPSchedule, t: number): NoiseLevel {
  return schedule.level(t);
}

/** λ_t of a declared weighting (src/diffusion/lossWeighting.ts). */
export { lossWeight } from '../diffusion/lossWeighting.ts';
import { lossWeight } from '../diffusion/lossWeighting.ts';

/** The affine network f(x) = W x + b. */
export function applyModel(model: AffineModel, x: ArrayLike<number>): Vector {
  const out = matvec(fromRows(model.W, 'model.W'), x);
  for (let i = 0; i < out.length; i++) out[i] += model.b[i];
  return out;
}

/** The model's score ŝ(x) = toScore(P, W x + b) (MATH.md §1, "Parameterizations"). */
export function modelScore(p: Parameterization, model: AffineModel, x: ArrayLike<number>, level: NoiseLevel): Vector {
  return toScore(p, applyModel(model, x), x, level);
}

export function expectedAddNoise(level: NoiseLevel, x0: ArrayLike<number>, noise: ArrayLike<number>): Vector {
  return addNoise(x0, noise, level);
}

export function expectedPosterior(schedule: VPSchedule, t: number, xt: ArrayLike<number>, x0: ArrayLike<number>): { mean: Vector; variance: number } {
  return { mean: posteriorMean(schedule, t, xt, x0), variance: posteriorCoefficients(schedule, t).variance };
}

/**
 * Per-sample DSM in the subject's own parameterization: x_t = a x_0 + s ε, target =
 * the conditional score ∇log q(x_t|x_0) = −ε/s expressed in P (ε, x_0, v = aε − s x_0),
 * loss = λ_t ‖f(x_t) − target‖² (÷ d for reduction 'mean'). Since the P-output is an
 * affine image of the score with slope κ_P (−s, s²/a, −s/a, 1), this is λ_t κ_P² times
 * the score-space DSM term ‖ŝ(x_t) − ∇log q(x_t|x_0)‖² (MATH.md §2, Theorem 1).
 */
export function expectedLoss(
  p: Parameterization, weighting: Weighting, reduction: 'mean' | 'sum', model: AffineModel,
  level: NoiseLevel, x0: ArrayLike<number>, noise: ArrayLike<number>,
): { loss: number; scale: number } {
  const d = x0.length;
  const xt = addNoise(x0, noise, level);
  const f = applyModel(model, xt);
  const target = fromScore(p, conditionalScore(xt, x0, level), xt, level);
  const lambda = lossWeight(weighting, level.a * level.a) / (reduction === 'mean' ? d : 1);
  // Magnitudes of the intermediate terms (for a floating-point tolerance): |x_t| ≤ a|x_0| + s|ε|,
  // |∇log q(x_t|x_0)| ≤ (|x_t| + a|x_0|)/s², pushed through the same maps with absolute values.
  const { a, s } = level;
  const xtAbs = Array.from(x0, (v, i) => a * Math.abs(v) + s * Math.abs(noise[i]));
  const csAbs = xtAbs.map((v, i) => (v + a * Math.abs(x0[i])) / (s * s));
  const fAbs = applyModel({ W: model.W.map((r) => r.map(Math.abs)), b: model.b.map(Math.abs) }, xtAbs);
  const tAbs = fromScore(p, csAbs, xtAbs, level);
  let loss = 0, scale = 0;
  for (let i = 0; i < d; i++) {
    const r = f[i] - target[i];
    loss += r * r;
    const m = fAbs[i] + Math.abs(tAbs[i]);
    scale += m * m;
  }
  return { loss: lambda * loss, scale: lambda * scale };
}

/** σ_t of a declared reverse-step variance (β_t or β̃_t). */
export function stepStd(schedule: VPSchedule, t: number, v: StepVariance): number {
  return Math.sqrt(reverseVariance(schedule, t, v === 'beta' ? 'beta' : 'posterior'));
}

/** The DDPM step x_{t−1} = (x_t + β_t ŝ(x_t))/√α_t + σ_t z (MATH.md §4 with g = ŝ). */
export function expectedStep(
  schedule: VPSchedule, t: number, variance: StepVariance, p: Parameterization, model: AffineModel, xt: ArrayLike<number>, z: ArrayLike<number>,
): StepExpectation {
  const x = Float64Array.from(xt as ArrayLike<number>);
  const level = levelAt(schedule, t);
  const g = modelScore(p, model, x, level);
  return combine(schedule, t, x, reverseMean(schedule, t, x, g), stepStd(schedule, t, variance), z, scoreMagnitude(p, model, x, level));
}

/**
 * Componentwise bound on the magnitudes summed to form ŝ(x) (for floating-point tolerances):
 * toScore is elementwise linear, ŝ_i = c_f f_i + c_x x_i, so |ŝ_i| ≤ |c_f|(|W||x| + |b|)_i + |c_x||x_i|.
 */
export function scoreMagnitude(p: Parameterization, model: AffineModel, x: ArrayLike<number>, level: NoiseLevel): Vector {
  const one = Float64Array.of(1), zero = Float64Array.of(0);
  const cf = Math.abs(toScore(p, one, zero, level)[0]);
  const cx = Math.abs(toScore(p, zero, one, level)[0]);
  const xAbs = Array.from(x, Math.abs);
  const fAbs = applyModel({ W: model.W.map((r) => r.map(Math.abs)), b: model.b.map(Math.abs) }, xAbs);
  return fAbs.map((v, i) => cf * v + cx * xAbs[i]);
}

/** A linear inverse problem y = H x_0 + n, n ~ N(0, σ_y² I) as it arrives in a request. */
export interface ZeroShotProblem {
  readonly H: number[][];
  readonly y: number[];
  readonly sigmaY: number;
}

/**
 * The zero-shot step x_{t−1} = (x + β_t g)/√α_t + σ_t z with
 * g = (I − H†H) ŝ(x) + f(x): DDNM f = (√ᾱ_t H†y − H†H x)/(1−ᾱ_t), BO-DDNM
 * f* = Σ_{t|0,y}⁻¹(√ᾱ_t H†y − H†H x), Σ_{t|0,y} = ᾱ_t σ_y² H†H†ᵀ + (1−ᾱ_t)I (MATH.md §4).
 */
export function expectedZeroShot(
  schedule: VPSchedule, t: number, variance: StepVariance, variant: 'ddnm' | 'bo_ddnm', p: Parameterization,
  model: AffineModel, problem: ZeroShotProblem, xt: ArrayLike<number>, z: ArrayLike<number>,
): StepExpectation {
  const x = Float64Array.from(xt as ArrayLike<number>);
  const geom = inverseProblemGeometry(linearInverseProblem(fromRows(problem.H, 'H'), problem.sigmaY, problem.y));
  const level = levelAt(schedule, t);
  const s = modelScore(p, model, x, level);
  const g = matvec(geom.nullProjector, s);
  const f = zeroShotCorrection(geom, schedule, t, variant === 'ddnm' ? 'ddnm' : 'bo-ddnm');
  const fx = matvec(f.A, x);
  for (let i = 0; i < g.length; i++) g[i] += fx[i] + f.b[i];
  // Normwise magnitudes (∞-norms): H†, P = H†H and I − P carry rounding relative to their norms,
  // not to their entries — an entry that is 0 in exact arithmetic (H† of a triangular H, say)
  // comes out ~1e-19 from any pseudo-inverse, the subject's or ours (seed 425). With
  // ‖K‖ ≤ √d/(1−ᾱ_t) for both corrections (Σ_{t|0,y} ⪰ (1−ᾱ_t)I):
  // |g_i| ≲ (1 + ‖P‖)‖|ŝ|‖ + √d/(1−ᾱ_t)·(√ᾱ_t‖H†‖‖y‖ + ‖P‖‖x‖).
  const ab = schedule.alphaBar(t);
  const d = x.length;
  const pNorm = infNorm(geom.rowProjector);
  const sMag = maxAbs(scoreMagnitude(p, model, x, level));
  const fMag = (Math.sqrt(d) / (1 - ab)) * (Math.sqrt(ab) * infNorm(geom.Hpinv) * maxAbs(problem.y) + pNorm * maxAbs(x));
  const gAbs = new Float64Array(d).fill((1 + pNorm) * sMag + fMag);
  return combine(schedule, t, x, reverseMean(schedule, t, x, g), stepStd(schedule, t, variance), z, gAbs);
}

/** Expected answer of a reverse step, with the magnitude of its terms: (|x| + β_t|g|)/√α_t + σ_t|z|. */
export interface StepExpectation {
  readonly mean: Vector;
  readonly std: number;
  readonly xPrev: Vector;
  readonly scale: Vector;
}

function combine(schedule: VPSchedule, t: number, x: Vector, mean: Vector, std: number, z: ArrayLike<number>, gAbs: Vector): StepExpectation {
  const alpha = schedule.alpha(t);
  const k = 1 / Math.sqrt(alpha);
  return {
    mean,
    std,
    xPrev: mean.map((m, i) => m + std * z[i]),
    scale: mean.map((_, i) => k * (Math.abs(x[i]) + (1 - alpha) * gAbs[i]) + std * Math.abs(z[i])),
  };
}

/**
 * ESM(θ) = E_{x~q_t}‖ŝ_θ(x) − ∇log q_t(x)‖² for Gaussian data N(μ, Σ) and the affine
 * network in parameterization P: ŝ_θ(x) = A x + c is affine, q_t = N(aμ, Σ_t),
 * ∇log q_t(x) = −Σ_t⁻¹(x − aμ), so ESM = E‖(A + Σ_t⁻¹)x + c − Σ_t⁻¹aμ‖² (MATH.md §1–2).
 */
export function affineEsm(p: Parameterization, model: AffineModel, data: Gaussian, level: NoiseLevel): number {
  const d = data.dim;
  const prec = gaussianMarginalPrecision(data.cov, level, 'data.cov');
  const zero = new Float64Array(d);
  const c = modelScore(p, model, zero, level);
  const L: Matrix = { rows: d, cols: d, data: new Float64Array(d * d) };
  const e = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    e.fill(0);
    e[j] = 1;
    const col = modelScore(p, model, e, level);
    for (let i = 0; i < d; i++) L.data[i * d + j] = col[i] - c[i] + prec.data[i * d + j];
  }
  const am = data.mean.map((m) => level.a * m);
  const pam = matvec(prec, am);
  const l = c.map((v, i) => v - pam[i]);
  const cov: Matrix = { rows: d, cols: d, data: data.cov.data.map((v) => v * level.a * level.a) };
  for (let i = 0; i < d; i++) cov.data[i * d + i] += level.s * level.s;
  return affineSquaredNormMoments(L, l, am, cov).mean;
}

/** κ_P²: the squared slope of the P-output in the score (ε: s², x_0: s⁴/a², v: s²/a², score: 1). */
export function parameterizationGain(p: Parameterization, level: NoiseLevel): number {
  const x = Float64Array.of(0);
  const k = fromScore(p, Float64Array.of(1), x, level)[0] - fromScore(p, Float64Array.of(0), x, level)[0];
  return k * k;
}

