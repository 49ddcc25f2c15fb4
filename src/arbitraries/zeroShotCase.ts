import fc from 'fast-check';
import { scaledLinearSchedule } from '../diffusion/schedule.ts';
import { InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { GaussianMixture } from '../gaussian/mixture.ts';
import { type Matrix, scale as scaleMatrix, symmetricEigen, symmetrize } from '../linalg/index.ts';
import { type LinearInverseProblem, linearInverseProblem, measurementRange, splitByRange } from '../models/linearInverseProblem.ts';
import { simpleDouble } from './boundedDouble.ts';
import type { InverseProblemCase } from './inverseProblem.ts';
import { measurementMatrix } from './inverseProblem.ts';
import { log10Exponent } from './logScale.ts';
import { meanVector } from './meanVector.ts';
import { rotation } from './rotation.ts';
import { fromEigen } from './spdMatrix.ts';

/**
 * The scale-free coordinates of a zero-shot case (MATH.md §4.3): what decides how DDNM,
 * BO-DDNM and the true posterior differ is not σ_y but the measurement noise seen in x-space,
 * H†n ~ N(0, σ_y² H†H†ᵀ), whose variances lie in [ν²_min, ν²_max] = [σ_y²/‖H‖², σ_y²‖H†‖²],
 * against the first step of the sampler β₁ and the prior's eigenvalues [λ_min, λ_max].
 */
export interface ZeroShotScales {
  readonly beta1: number;
  /** σ_y²/‖H‖² and σ_y²‖H†‖² (0 when σ_y = 0; undefined directions when H = 0 count as 0). */
  readonly noiseMin2: number;
  readonly noiseMax2: number;
  /** Eigenvalues of the prior covariance (a mixture: of its components), smallest and largest. */
  readonly priorMin: number;
  readonly priorMax: number;
  /** ‖ζ‖_∞ of the standardized residual: y = Hμ̄ + S^{1/2}ζ, S = HΣ̄Hᵀ + σ_y²I. */
  readonly residual: number;
}

/** A linear inverse problem with a prior, the length T of a scaled-linear schedule, and optionally a step t ∈ [1, T]. */
export interface ZeroShotCase<Prior extends Gaussian | GaussianMixture = Gaussian | GaussianMixture> {
  readonly ip: InverseProblemCase<Prior>;
  readonly T: number;
  readonly t: number;
  readonly scales: ZeroShotScales;
}

/**
 * How σ_y is drawn. 'relative-to-step': ν²_min = β₁·10^a (σ_y² = β₁10^a‖H‖²), a on a quarter-decade
 * grid over `log10`; 'absolute': σ_y = 10^a; either may add σ_y = 0 (`noiseless`). 'none': σ_y = 0.
 */
export type NoiseSpec =
  | { readonly kind: 'relative-to-step'; readonly log10: readonly [number, number]; readonly noiseless?: boolean }
  | { readonly kind: 'absolute'; readonly log10: readonly [number, number]; readonly noiseless?: boolean }
  | { readonly kind: 'none' };

export interface ZeroShotCaseConstraints {
  readonly maxDim?: number;
  /** 'any' (default): H of any rank (masks, masks with repeated/zero rows, generic rank r ≤ min(p, d), H = 0); 'full': rank p ≤ d. */
  readonly rank?: 'full' | 'any';
  readonly priorKind?: 'gaussian' | 'mixture' | 'either';
  readonly maxComponents?: number;
  /** Schedule lengths (scaled-linear β). Default: 1, 2, 3, 5, 10, 25, 50, 100, 200, 400, 1000. */
  readonly T?: readonly number[];
  /** Default: relative to the step over [−4, 4] decades, with σ_y = 0 as a branch. */
  readonly noise?: NoiseSpec;
  /**
   * log10(λ_min(Σ)/ν²_max): the prior's smallest eigenvalue against the largest noise variance in
   * x-space (default [−4, 4]). When σ_y = 0 or H = 0 the reference is β₁ (prior against the step).
   */
  readonly priorOverNoise?: readonly [number, number];
  /** Largest log10 condition number of the prior (default 4: cond ≤ 1e4). */
  readonly priorCondition?: number;
  /** Largest log10 of ‖H‖‖H†‖ for generic H (default 2). */
  readonly measurementCondition?: number;
  /** log10 range of the standardized residual's scale (default [−3, 3]); its entries r·10^m, r ∈ [−1, 1] (r → 0: y = Hμ̄). */
  readonly residual?: readonly [number, number];
  readonly meanBound?: number;
  /** Draw a step t ∈ [1, T] (default false: t = 1). */
  readonly withStep?: boolean;
}

/** The prior's eigenvalues are kept in [1e-12, 1e6] (double precision; see build). */
export const PRIOR_FLOOR = 1e-12;
export const PRIOR_CEILING = 1e6;

export const ZERO_SHOT_T: readonly number[] = [1, 2, 3, 5, 10, 25, 50, 100, 200, 400, 1000];

/**
 * Zero-shot cases over the whole domain, parameterized by the scale-free ratios that decide the
 * comparisons (ZeroShotScales): T first (β₁ = β₁(T)), then H (normalized to ‖H‖ = 1; condition up
 * to 10^measurementCondition), then σ_y (ν²_min/β₁ = 10^a or σ_y = 10^a), then the prior's smallest
 * eigenvalue λ_min = ν²_max·10^b with spreads up to 10^priorCondition above it, a rotation and a
 * mean, and finally y = Hμ̄ + S^{1/2}ζ. Every scale is one integer choice on a log grid, so its
 * extremes — d = 1, smallest/largest T, H = 0 / full / deficient rank, σ_y = 0 and the extreme
 * noise, priors many decades below and above the noise and β₁, cond 10^4 — are corners.
 * Shrinks to d = p = 1, H = [1], T = smallest, t = 1, ratios 10^0, y = Hμ̄.
 */
export function zeroShotCase(c: ZeroShotCaseConstraints = {}): fc.Arbitrary<ZeroShotCase> {
  const Ts = c.T ?? ZERO_SHOT_T;
  const noise: NoiseSpec = c.noise ?? { kind: 'relative-to-step', log10: [-4, 4], noiseless: true };
  const [bLo, bHi] = c.priorOverNoise ?? [-4, 4];
  const [rLo, rHi] = c.residual ?? [-3, 3];
  const kappaP = c.priorCondition ?? 4;
  const rank = c.rank ?? 'any';
  const kind = c.priorKind ?? 'gaussian';
  const noiseArb: fc.Arbitrary<number | null> = noise.kind === 'none'
    ? fc.constant(null)
    : noise.noiseless
      ? fc.oneof(log10Exponent(noise.log10[0], noise.log10[1]), fc.constant(null))
      : log10Exponent(noise.log10[0], noise.log10[1]);
  return fc.integer({ min: 1, max: c.maxDim ?? 4 }).chain((d) =>
    fc.integer({ min: 1, max: rank === 'full' ? d : d + 1 }).chain((p) =>
      fc.record({
        T: fc.constantFrom(...Ts),
        H: measurementMatrix(d, p, rank, { singularLog10: [-(c.measurementCondition ?? 2), 0] }),
        a: noiseArb,
        b: log10Exponent(bLo, bHi),
        components: kind === 'gaussian'
          ? fc.constant(1)
          : kind === 'mixture' ? fc.integer({ min: 1, max: c.maxComponents ?? 3 }) : fc.oneof(fc.constant(1), fc.integer({ min: 2, max: c.maxComponents ?? 3 })),
        shapes: fc.array(componentShape(d, kappaP, c.meanBound ?? 2), { minLength: c.maxComponents ?? 3, maxLength: c.maxComponents ?? 3 }),
        logits: fc.array(simpleDouble(-1.5, 1.5, 2), { minLength: c.maxComponents ?? 3, maxLength: c.maxComponents ?? 3 }),
        m: log10Exponent(rLo, rHi),
        r: fc.array(simpleDouble(-1, 1, 2), { minLength: p, maxLength: p }),
        tFrac: c.withStep ? fc.integer({ min: 0, max: 1000 }) : fc.constant(0),
      }).map((x) => build(x, noise.kind, kind)),
    ),
  );
}

interface ComponentShape {
  readonly spreads: readonly number[];
  readonly rotation: Matrix;
  readonly mean: Float64Array;
}

/** Eigenvalue spreads e_i ∈ [0, κ] (λ_i = λ_min·10^{e_i}, one of them exactly λ_min), a rotation and a mean. */
function componentShape(d: number, kappa: number, meanBound: number): fc.Arbitrary<ComponentShape> {
  return fc.record({
    spreads: fc.array(log10Exponent(0, kappa), { minLength: d, maxLength: d }).map((e) => {
      const lo = Math.min(...e);
      return e.map((v) => v - lo);
    }),
    rotation: rotation(d),
    mean: meanVector(d, meanBound),
  });
}

function build(
  x: { T: number; H: Matrix; a: number | null; b: number; components: number; shapes: ComponentShape[]; logits: number[]; m: number; r: number[]; tFrac: number },
  noiseKind: NoiseSpec['kind'], priorKind: 'gaussian' | 'mixture' | 'either',
): ZeroShotCase {
  const beta1 = scaledLinearSchedule(x.T).beta(1);
  const range = measurementRange(x.H);
  // ‖H‖ = 1 (the scale of H is absorbed in σ_y); H = 0 stays 0.
  let H = x.H;
  let gramMin = 1;
  if (range.rank > 0) {
    const gmax = gramMax(x.H);
    H = scaleMatrix(x.H, 1 / Math.sqrt(gmax));
    gramMin = 1 / range.gramCondition;
  }
  let sigmaY = 0;
  if (x.a !== null) sigmaY = noiseKind === 'absolute' ? 10 ** x.a : Math.sqrt(beta1 * 10 ** x.a);
  const noiseMin2 = range.rank > 0 ? sigmaY * sigmaY : 0;
  const noiseMax2 = range.rank > 0 ? (sigmaY * sigmaY) / gramMin : 0;
  const reference = noiseMax2 > 0 ? noiseMax2 : beta1 * (noiseKind === 'relative-to-step' && x.a !== null ? 10 ** x.a : 1);
  const K = priorKind === 'gaussian' ? 1 : x.components;
  // Double precision: the prior's eigenvalues stay in [PRIOR_FLOOR, PRIOR_CEILING] (clamping λ_min; the
  // recorded scales are the actual ones). Beyond it the sampler's propagated covariance loses its
  // positive definiteness to rounding (measured: λ ≈ 1e11 at T = 10).
  const spread = Math.max(0, ...x.shapes.slice(0, K).flatMap((s) => s.spreads));
  const lambdaMin = Math.min(Math.max(reference * 10 ** x.b, PRIOR_FLOOR), PRIOR_CEILING / 10 ** spread);
  const comps = x.shapes.slice(0, K).map((s) => new Gaussian(s.mean, fromEigen(s.rotation, s.spreads.map((e) => lambdaMin * 10 ** e))));
  const w = x.logits.slice(0, K).map(Math.exp);
  const z = w.reduce((u, v) => u + v, 0);
  const prior = priorKind === 'gaussian' ? comps[0] : new GaussianMixture(w.map((v) => v / z), comps);
  const { mean, cov } = priorMoments(prior);
  const problem = observe(H, sigmaY, mean, cov, x.r.map((v) => v * 10 ** x.m));
  let priorMin = Infinity, priorMax = 0;
  for (const g of comps) for (const e of symmetricEigen(g.cov, 'prior.cov').values) { priorMin = Math.min(priorMin, e); priorMax = Math.max(priorMax, e); }
  const t = Math.min(x.T, 1 + Math.floor((x.tFrac / 1000) * x.T));
  return {
    ip: { prior, problem }, T: x.T, t,
    scales: { beta1, noiseMin2, noiseMax2, priorMin, priorMax, residual: Math.max(0, ...x.r.map((v) => Math.abs(v) * 10 ** x.m)) },
  };
}

function gramMax(H: Matrix): number {
  const g = symmetricEigen(symmetrize(mulT(H)), 'HHᵀ').values;
  return Math.max(...g);
}

function mulT(H: Matrix): Matrix {
  const p = H.rows, d = H.cols;
  const out: Matrix = { rows: p, cols: p, data: new Float64Array(p * p) };
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += H.data[i * d + k] * H.data[j * d + k];
    out.data[i * p + j] = s;
  }
  return out;
}

/** Mean and covariance of a Gaussian or a mixture (Σ π_k(Σ_k + μ_kμ_kᵀ) − μ̄μ̄ᵀ). */
function priorMoments(prior: Gaussian | GaussianMixture): { mean: Float64Array; cov: Matrix } {
  if (prior instanceof Gaussian) return { mean: Float64Array.from(prior.mean), cov: prior.cov };
  const d = prior.components[0].dim;
  const mean = new Float64Array(d);
  prior.components.forEach((g, k) => { for (let i = 0; i < d; i++) mean[i] += prior.weights[k] * g.mean[i]; });
  const cov: Matrix = { rows: d, cols: d, data: new Float64Array(d * d) };
  prior.components.forEach((g, k) => {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      cov.data[i * d + j] += prior.weights[k] * (g.cov.data[i * d + j] + (g.mean[i] - mean[i]) * (g.mean[j] - mean[j]));
    }
  });
  return { mean, cov: symmetrize(cov) };
}

/**
 * y = Hμ̄ + S^{1/2}ζ, S = HΣ̄Hᵀ + σ_y²I (p × p, PSD): the residual in units of the evidence's
 * own spread, so "near the prior mean" and "far" mean the same at every scale. At σ_y = 0,
 * S^{1/2}ζ ∈ range(HΣ̄Hᵀ) = range(H): the observation is always possible.
 */
function observe(H: Matrix, sigmaY: number, mean: Float64Array, cov: Matrix, zeta: readonly number[]): LinearInverseProblem {
  const p = H.rows, d = H.cols;
  const S: Matrix = { rows: p, cols: p, data: new Float64Array(p * p) };
  const HS = new Float64Array(p * d);
  for (let i = 0; i < p; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += H.data[i * d + k] * cov.data[k * d + j];
    HS[i * d + j] = s;
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += HS[i * d + k] * H.data[j * d + k];
    S.data[i * p + j] = s + (i === j ? sigmaY * sigmaY : 0);
  }
  const e = symmetricEigen(symmetrize(S), 'S = HΣHᵀ + σ²I');
  const offset = new Float64Array(p);
  for (let i = 0; i < p; i++) for (let k = 0; k < p; k++) offset[i] += e.vectors.data[i * p + k] * Math.sqrt(Math.max(e.values[k], 0)) * zeta[k];
  // σ_y = 0: the offset lies in range(H) up to rounding of the eigenvectors; project it there exactly.
  const inRange = sigmaY === 0 ? splitByRange(measurementRange(H), offset) : undefined;
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = inRange ? offset[i] - inRange.orthogonal[i] : offset[i];
    for (let k = 0; k < d; k++) s += H.data[i * d + k] * mean[k];
    y[i] = s;
  }
  if (!y.every(Number.isFinite)) throw new InvalidArgumentError('zeroShotCase.y', Array.from(y), 'non-finite observation');
  return linearInverseProblem(H, sigmaY, y);
}
