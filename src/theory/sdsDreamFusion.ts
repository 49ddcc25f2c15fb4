import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, type Vector, cholesky, choleskySolve, matmul, matvec, symmetricEigen, symmetrize, zeros } from '../linalg/index.ts';
import { requireFinite, requireIntegerInRange } from '../validate.ts';
import { requireWeightedLevels } from './weightedLevels.ts';
import { gaussianMarginalPrecision } from './vincentScoreFunction.ts';

/*
 * DreamFusion's score distillation (SDS) on a Gaussian instance (Xu 2025, application 3; MATH.md §13.4).
 * The rendered image is x = μ + Fξ (ξ ~ N(0, I): the camera/seed randomness), so the optimized input
 * distribution is p_φ = N(μ, FFᵀ). The frozen model is the exact ε-predictor of a conditional target
 * N(μ_y, Σ_y), with classifier-free guidance ω against the unconditional N(μ_0, Σ_0):
 *   ε̂_ω(x_t) = (1 + ω) s P_y(x_t − aμ_y) − ω s P_0(x_t − aμ_0),  P = (a²Σ + s²I)⁻¹.
 * DreamFusion's update drops the U-Net Jacobian: ∇_φ L_SDS = E_{t,ε,ξ}[w(t)(ε̂_ω(x_t) − ε) ∂x/∂φ]. Since
 * E_ε[ε̂_ω − ε | x] = s a [(1 + ω)P_y(x − μ_y) − ωP_0(x − μ_0)], in expectation over ξ
 *   g_μ = Σ_t w_t s_t a_t [(1 + ω)P_{y,t}(μ − μ_y) − ωP_{0,t}(μ − μ_0)] = K_ω μ − h_ω,
 *   g_F = K_ω F,   K_ω = Σ_t w_t s_t a_t ((1 + ω)P_{y,t} − ωP_{0,t}).
 * Where K_ω ≻ 0 the flow φ̇ = −g drives F → 0 (every fixed point is a point mass: zero diversity) and
 * μ → μ_∞ = K_ω⁻¹h_ω; at ω = 0, μ_∞ = μ_y (mode seeking), and for ω > 0 μ_∞ overshoots μ_y away from
 * μ_0 (DreamFusion's over-saturation). The full DSM gradient keeps the Jacobian ∂ε̂/∂x = s a P_y: at
 * ω = 0 it is 2 s a P_y·g per level — the same direction of collapse (sds.ts: DSM is minimized by the
 * point mass).
 */

/** The frozen guided model: conditional and unconditional Gaussian targets and the guidance scale ω ≥ 0. */
export interface GuidedTarget {
  readonly conditional: Gaussian;
  readonly unconditional: Gaussian;
  readonly guidance: number;
}

/** The optimized rendering law N(μ, FFᵀ). */
export interface RenderingLaw {
  readonly mean: Vector;
  /** d×m factor. */
  readonly factor: Matrix;
}

function requireTarget(t: GuidedTarget): number {
  if (!(t.conditional instanceof Gaussian)) throw new InvalidArgumentError('target.conditional', t.conditional, 'must be a Gaussian');
  if (!(t.unconditional instanceof Gaussian)) throw new InvalidArgumentError('target.unconditional', t.unconditional, 'must be a Gaussian');
  if (t.unconditional.dim !== t.conditional.dim) throw new DimensionMismatchError('target.unconditional', t.conditional.dim, t.unconditional.dim);
  requireFinite('target.guidance', t.guidance);
  if (!(t.guidance >= 0)) throw new InvalidArgumentError('target.guidance', t.guidance, 'must be ≥ 0');
  return t.conditional.dim;
}

/** K_ω and h_ω of the expected SDS gradient g_μ = K_ω μ − h_ω, g_F = K_ω F. */
export interface SdsLinearization {
  readonly K: Matrix;
  readonly h: Vector;
}

export function sdsLinearization(target: GuidedTarget, levels: readonly NoiseLevel[], weights: readonly number[]): SdsLinearization {
  const d = requireTarget(target);
  requireWeightedLevels(levels, weights);
  const K = zeros(d, d);
  const h = new Float64Array(d);
  const w1 = 1 + target.guidance, w0 = target.guidance;
  levels.forEach((l, j) => {
    if (weights[j] === 0) return;
    const c = weights[j] * l.s * l.a;
    const Py = gaussianMarginalPrecision(target.conditional.cov, l, 'target.conditional.cov (marginal)');
    const hy = matvec(Py, target.conditional.mean);
    let P0: Matrix | undefined, h0: Vector | undefined;
    if (w0 > 0) {
      P0 = gaussianMarginalPrecision(target.unconditional.cov, l, 'target.unconditional.cov (marginal)');
      h0 = matvec(P0, target.unconditional.mean);
    }
    for (let i = 0; i < d * d; i++) K.data[i] += c * (w1 * Py.data[i] - (P0 ? w0 * P0.data[i] : 0));
    for (let i = 0; i < d; i++) h[i] += c * (w1 * hy[i] - (h0 ? w0 * h0[i] : 0));
  });
  return { K: symmetrize(K), h };
}

/** The expected SDS gradient (Jacobian omitted) at N(μ, FFᵀ). */
export function sdsExpectedGradient(law: RenderingLaw, target: GuidedTarget, levels: readonly NoiseLevel[], weights: readonly number[]): { readonly mean: Vector; readonly factor: Matrix } {
  const d = requireTarget(target);
  if (law.mean.length !== d) throw new DimensionMismatchError('law.mean', d, law.mean.length);
  if (law.factor.rows !== d) throw new DimensionMismatchError('law.factor', `${d}×m`, `${law.factor.rows}x${law.factor.cols}`);
  const { K, h } = sdsLinearization(target, levels, weights);
  const Km = matvec(K, law.mean);
  return { mean: Km.map((v, i) => v - h[i]), factor: matmul(K, law.factor) };
}

/** One Monte Carlo draw of the SDS gradient, the way DreamFusion computes it (level j drawn by the caller). */
export function sdsGradientDraw(
  law: RenderingLaw, target: GuidedTarget, level: NoiseLevel, weight: number, xi: ArrayLike<number>, eps: ArrayLike<number>,
): { readonly mean: Vector; readonly factor: Matrix } {
  const d = requireTarget(target);
  const { a, s } = requireNoiseLevel(level);
  const m = law.factor.cols;
  const x = matvec(law.factor, xi);
  for (let i = 0; i < d; i++) x[i] += law.mean[i];
  const xt = x.map((v, i) => a * v + s * eps[i]);
  const Py = gaussianMarginalPrecision(target.conditional.cov, level);
  const P0 = gaussianMarginalPrecision(target.unconditional.cov, level);
  const ry = matvec(Py, xt.map((v, i) => v - a * target.conditional.mean[i]));
  const r0 = matvec(P0, xt.map((v, i) => v - a * target.unconditional.mean[i]));
  const g = new Float64Array(d);
  for (let i = 0; i < d; i++) g[i] = weight * ((1 + target.guidance) * s * ry[i] - target.guidance * s * r0[i] - eps[i]);
  const gF = zeros(d, m);
  for (let i = 0; i < d; i++) for (let k = 0; k < m; k++) gF.data[i * m + k] = g[i] * xi[k];
  return { mean: g, factor: gF };
}

/** Fixed point of the SDS flow: μ_∞ = K_ω⁻¹h_ω and the collapse rates (eigenvalues of K_ω). */
export interface SdsFixedPoint {
  /** All eigenvalues of K_ω > 0: F → 0 (collapse) and μ → μ_∞. */
  readonly collapses: boolean;
  readonly collapseRates: Vector;
  /** Undefined when K_ω is not positive definite (the flow diverges along some direction). */
  readonly mean?: Vector;
  /** ⟨μ_∞ − μ_0, μ_y − μ_0⟩/‖μ_y − μ_0‖²: 1 = the conditional mean; > 1 over-saturation (NaN if μ_y = μ_0). */
  readonly overshoot?: number;
}

export function sdsFixedPoint(target: GuidedTarget, levels: readonly NoiseLevel[], weights: readonly number[]): SdsFixedPoint {
  const { K, h } = sdsLinearization(target, levels, weights);
  const { values } = symmetricEigen(K, 'K_ω');
  const collapses = Array.from(values).every((v) => v > 0);
  if (!collapses) return { collapses, collapseRates: Float64Array.from(values) };
  const mean = choleskySolve(cholesky(K, 'K_ω'), h);
  const dy = target.conditional.mean.map((v, i) => v - target.unconditional.mean[i]);
  let num = 0, den = 0;
  for (let i = 0; i < dy.length; i++) {
    num += (mean[i] - target.unconditional.mean[i]) * dy[i];
    den += dy[i] * dy[i];
  }
  return { collapses, collapseRates: Float64Array.from(values), mean, overshoot: den > 0 ? num / den : NaN };
}

/**
 * Figure-ready: the expected SDS flow μ ← μ − η g_μ, F ← F − η K_ω F from N(μ_init, F_initF_initᵀ); returns the
 * per-step mean distance to μ_y and the diversity tr(FFᵀ)/d (the rendering variance per dimension).
 */
export function sdsFlow(
  init: RenderingLaw, target: GuidedTarget, levels: readonly NoiseLevel[], weights: readonly number[], steps: number, stepSize: number,
): { readonly distanceToConditionalMean: number[]; readonly diversity: number[] } {
  requireIntegerInRange('steps', steps, 1, 1e6);
  requireFinite('stepSize', stepSize);
  const { K, h } = sdsLinearization(target, levels, weights);
  let mu = Float64Array.from(init.mean);
  let F: Matrix = { rows: init.factor.rows, cols: init.factor.cols, data: Float64Array.from(init.factor.data) };
  const d = mu.length;
  const dist: number[] = [], div: number[] = [];
  const record = () => {
    let s = 0;
    for (let i = 0; i < d; i++) s += (mu[i] - target.conditional.mean[i]) ** 2;
    dist.push(Math.sqrt(s));
    let tr = 0;
    for (const v of F.data) tr += v * v;
    div.push(tr / d);
  };
  record();
  for (let k = 0; k < steps; k++) {
    const Km = matvec(K, mu);
    mu = mu.map((v, i) => v - stepSize * (Km[i] - h[i]));
    const KF = matmul(K, F);
    F = { rows: F.rows, cols: F.cols, data: F.data.map((v, i) => v - stepSize * KF.data[i]) };
    record();
  }
  return { distanceToConditionalMean: dist, diversity: div };
}

/** DreamFusion's weighting w(t) = s_t² (σ_t² in their notation) over levels t drawn uniformly from [t_min, t_max]. */
export function dreamFusionWeights(levels: readonly NoiseLevel[]): number[] {
  const total = levels.reduce((acc, l) => acc + l.s * l.s, 0);
  return levels.map((l) => (l.s * l.s) / total);
}
