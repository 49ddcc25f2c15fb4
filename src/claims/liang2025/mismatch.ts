import fc from 'fast-check';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import { simpleDouble } from '../../arbitraries/boundedDouble.ts';
import { scaledLinearSchedule } from '../../diffusion/schedule.ts';
import type { AffineGuidance } from '../../diffusion/reverseSampler.ts';
import type { ReverseVarianceKind } from '../../diffusion/reverseVariance.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { add, identity, scaledIdentity } from '../../linalg/index.ts';
import { type GaussianMoments, affineSamplerGrowthLog10 } from '../../theory/gaussianPropagation.ts';
import { gaussianScoreMap, matchedGaussianGuidance, mismatchDecomposition, targetMarginalAt } from '../../theory/mismatch.ts';
import type { Claim } from '../claim.ts';
import type { Figure } from '../figure.ts';
import { T_GRID, describeMoments, logLogSlope, matchedSweep } from './sweeps.ts';

const SPD = { maxConditionNumber: 100, centreRange: 0.5, meanBound: 1.5 } as const;
const targetArb = () => fc.integer({ min: 1, max: 4 }).chain((d) => gaussianOfDim(d, SPD));

// ── Matched score: KL(Q̃_0‖P̂_0) = O(1/T) ────────────────────────────────────────────────
export const matchedKlRate: Claim<Gaussian> = {
  id: 'liang2025.mismatch.matched-kl-rate',
  source: 'liang2025',
  statement: 'With the matched score (Δ_t ≡ 0), KL(Q̃_0 ‖ P̂_0) decays at least as fast as C/T (W_oracle = Õ(1/T), Theorem 1).',
  assumptions: [
    'Gaussian target N(μ, Σ), d ≤ 4, cond(Σ) ≤ 100, eigenvalues in [10^−1.5, 10^1.5], |μ_i| ≤ 1.5',
    'seed sampler: σ_t² = (1−α_t)/α_t, x_T ~ N(0, I); scaled-linear β (total noise fixed), T ∈ {25, 50, 100, 200, 400}',
    'exact KL by Gaussian propagation; "at least as fast as C/T" read as: least-squares log-log slope ≤ −1',
  ],
  expected: 'holds',
  defaultRuns: 40,
  assertionsPerCase: 0,
  cases: targetArb,
  check(target) {
    const sweep = matchedSweep(target);
    const kl = sweep.map((r) => r.finalKL);
    const slope = logLogSlope(T_GRID, kl);
    const pathSlope = logLogSlope(T_GRID, sweep.map((r) => r.pathKL));
    return {
      holds: slope <= -1,
      maxError: slope,
      tolerance: -1,
      metric: 'KL-vs-T exponent',
      quantities: { T: T_GRID, 'KL(Q̃_0‖P̂_0)': kl, 'fitted exponent': slope, 'path KL (the bound)': sweep.map((r) => r.pathKL), 'path-KL exponent': pathSlope },
      note: `fitted exponent ${slope.toFixed(3)} (final KL), ${pathSlope.toFixed(3)} (path KL)`,
    };
  },
  describeCase: (g) => describeMoments(g),
  figures: () => [matchedRateFigure()],
};

export function defaultTarget(): Gaussian {
  return new Gaussian([1, -0.5, 0.3], { rows: 3, cols: 3, data: Float64Array.from([2, 0.3, 0, 0.3, 1, 0.2, 0, 0.2, 0.5]) });
}

function matchedRateFigure(): Figure {
  const grid = [20, 40, 80, 160, 320, 640];
  const target = defaultTarget();
  const series = (['seed', 'beta'] as const).map((v) => {
    const kl = matchedSweep(target, v, grid).map((r) => r.finalKL);
    return { name: `σ_t² = ${v === 'seed' ? '(1−α_t)/α_t' : 'β_t'} (slope ${logLogSlope(grid, kl).toFixed(2)})`, points: grid.map((T, i) => [T, kl[i]] as [number, number]) };
  });
  const ref = series[0].points[0][1];
  return {
    id: 'liang2025-matched-kl-vs-T',
    title: 'Matched score: KL(Q̃_0 ‖ P̂_0) against T',
    xLabel: 'T (scaled-linear β)',
    yLabel: 'KL (nats)',
    logX: true,
    logY: true,
    series: [...series, { name: 'C/T reference', points: grid.map((T) => [T, (ref * grid[0]) / T] as [number, number]), style: 'line' }],
    caption: 'Exact KL by Gaussian propagation, d = 3. The fitted exponent is about −2, faster than the C/T the theorem guarantees.',
  };
}

// ── Mismatched score: the accumulated bias is O(1) in T ──────────────────────────────────
interface MismatchCase {
  readonly target: Gaussian;
  readonly training: Gaussian;
}

/** Guidance = the training distribution's score: a mismatched score for the target. */
function trainingGuidance(training: GaussianMoments, T: number): { guidance: AffineGuidance; schedule: ReturnType<typeof scaledLinearSchedule> } {
  const schedule = scaledLinearSchedule(T);
  return { schedule, guidance: matchedGaussianGuidance(training, schedule) };
}

export const biasOrderOne: Claim<MismatchCase> = {
  id: 'liang2025.mismatch.bias-order-one',
  source: 'liang2025',
  statement: 'With a mismatched score, the bias term W_bias (accumulated mismatch Σ_t (1−α_t)/2 · E_{q̃_t}‖Δ_t‖²) is O(1) in T: it neither vanishes nor grows as T → ∞.',
  assumptions: [
    'Gaussian target and a different Gaussian training distribution (same d ≤ 4), guidance = the training score',
    'seed sampler, scaled-linear β, T ∈ {25, …, 400}',
    '"O(1)" read as: the log-log slope of W_bias over T ∈ {100, 200, 400} lies in [−0.25, 0.25] (Õ(1/T) would give −1) and W_bias > 0',
  ],
  expected: 'holds',
  defaultRuns: 40,
  assertionsPerCase: 0,
  cases: () => fc.integer({ min: 1, max: 4 }).chain((d) => fc.record({ target: gaussianOfDim(d, SPD), training: gaussianOfDim(d, SPD) })),
  check({ target, training }) {
    const rows = T_GRID.map((T) => {
      const { schedule, guidance } = trainingGuidance(training, T);
      return mismatchDecomposition(schedule, target, guidance, 'seed');
    });
    const bias = rows.map((r) => r.bias);
    const tail = T_GRID.slice(2);
    const slope = logLogSlope(tail, bias.slice(2));
    const sameLaw = target.mean.every((v, i) => v === training.mean[i]) && target.cov.data.every((v, i) => v === training.cov.data[i]);
    const holds = sameLaw ? true : bias.every((b) => b > 0) && Math.abs(slope) <= 0.25;
    return {
      holds,
      maxError: Math.abs(slope),
      tolerance: 0.25,
      metric: '|W_bias-vs-T exponent|',
      quantities: { T: T_GRID, W_bias: bias, 'KL(Q̃_0‖P̂_0)': rows.map((r) => r.finalKL), 'matched path part (start+oracle)': rows.map((r) => r.start + r.oracle), 'tail slope of W_bias': slope },
      note: sameLaw ? 'training = target: no mismatch' : undefined,
    };
  },
  describeCase: (c) => ({ target: describeMoments(c.target), training: describeMoments(c.training) }),
  figures: () => [biasFigure()],
};

function biasFigure(): Figure {
  const target = defaultTarget();
  const training = new Gaussian([0.8, -0.5, 0.3], add(target.cov, identity(3), 1, 0.2));
  const grid = [20, 40, 80, 160, 320, 640];
  const rows = grid.map((T) => {
    const { schedule, guidance } = trainingGuidance(training, T);
    return mismatchDecomposition(schedule, target, guidance, 'seed');
  });
  const pts = (f: (r: (typeof rows)[number]) => number) => grid.map((T, i) => [T, f(rows[i])] as [number, number]);
  return {
    id: 'liang2025-mismatch-decomposition',
    title: 'Mismatched score: final KL and its path decomposition against T',
    xLabel: 'T',
    yLabel: 'nats',
    logX: true,
    logY: true,
    series: [
      { name: 'KL(Q̃_0‖P̂_0)', points: pts((r) => r.finalKL) },
      { name: 'oracle part (start + reverse-kernel covariances)', points: pts((r) => r.start + r.oracle) },
      { name: 'W_bias = Σ (1−α_t)/2 E‖Δ_t‖²', points: pts((r) => r.bias) },
    ],
    caption: 'Target N(μ, Σ), training N(μ + 0.2e_1-shift, Σ + 0.2I), d = 3. The oracle part decays like 1/T; W_bias settles at a positive constant.',
  };
}

// ── Product targets: the bias is linear in d ───────────────────────────────────────────────
interface ProductCase {
  readonly d: number;
  readonly T: number;
  readonly target: { m: number; v: number };
  readonly training: { m: number; v: number };
}

function productMoments(d: number, m: number, v: number): GaussianMoments {
  return { mean: new Float64Array(d).fill(m), cov: scaledIdentity(d, v) };
}

export const biasLinearInD: Claim<ProductCase> = {
  id: 'liang2025.mismatch.bias-linear-in-d',
  source: 'liang2025',
  statement: 'For product targets the bias term grows linearly with d (W_bias is a weighted sum of Fisher divergences, "usually linear in d").',
  assumptions: [
    'target N(m1, vI_d) and training N(m′1, v′I_d), i.i.d. coordinates, d ≤ 8',
    'seed sampler, scaled-linear β, T ∈ {25, 50, 100, 200}',
    'checked exactly: W_bias(d) = d·W_bias(1) and KL_d = d·KL_1, relative 1e-9 (floating point)',
  ],
  expected: 'holds',
  defaultRuns: 60,
  assertionsPerCase: 0,
  cases: () =>
    fc.record({
      d: fc.integer({ min: 1, max: 8 }),
      T: fc.constantFrom(25, 50, 100, 200),
      target: fc.record({ m: simpleDouble(-2, 2, 2), v: simpleDouble(-1, 1, 2).map((u) => 10 ** u) }),
      training: fc.record({ m: simpleDouble(-2, 2, 2), v: simpleDouble(-1, 1, 2).map((u) => 10 ** u) }),
    }),
  check(c) {
    const run = (d: number) => {
      const { schedule, guidance } = trainingGuidance(productMoments(d, c.training.m, c.training.v), c.T);
      return mismatchDecomposition(schedule, productMoments(d, c.target.m, c.target.v), guidance, 'seed');
    };
    const one = run(1), many = run(c.d);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
    const errs = [rel(many.bias, c.d * one.bias), rel(many.finalKL, c.d * one.finalKL)].map((e) => (Number.isNaN(e) ? 0 : e));
    const maxError = Math.max(...errs);
    return { holds: maxError <= 1e-9, maxError, tolerance: 1e-9, quantities: { 'W_bias(d)': many.bias, 'd·W_bias(1)': c.d * one.bias, 'KL_d': many.finalKL, 'd·KL_1': c.d * one.finalKL } };
  },
  describeCase: (c) => c,
};

// ── The exact chain-rule bound behind Theorem 1 ───────────────────────────────────────────
interface PathCase {
  readonly target: Gaussian;
  readonly perturbA: number[];
  readonly perturbB: number[];
  readonly T: number;
  readonly variance: ReverseVarianceKind;
}

export const pathKlBound: Claim<PathCase> = {
  id: 'liang2025.mismatch.path-kl-bound',
  source: 'liang2025',
  statement: 'KL(Q̃_0‖P̂_0) ≤ W_start + W_oracle + W_bias, with W_bias = Σ_t (1−α_t)²/(2α_tσ_t²) E_{q̃_t}‖Δ_t‖² and W_oracle the same for every guidance (the path-KL form of Theorem 1, exact for Gaussian targets).',
  assumptions: [
    'Gaussian target, d ≤ 4; guidance = target score + an arbitrary affine perturbation (entries in [−1, 1])',
    'σ_t² = (1−α_t)/α_t or β_t (β̃_t makes the path KL infinite at t = 1); scaled-linear β, T ∈ [2, 100]',
    'exact closed forms; inequality checked with relative slack 1e-9 (floating point)',
    'float64 range: the sampler stretches its covariance by at most Π‖M_t‖_F ≤ 1e6 (condition ≤ 1e12); beyond it (small T, large perturbation: 1/√α_t ≈ 32 per step) the KL is finite but not computable in double precision, so such cases are not generated',
  ],
  expected: 'holds',
  defaultRuns: 60,
  assertionsPerCase: 0,
  cases: () =>
    fc
      .integer({ min: 1, max: 4 })
      .chain((d) =>
        fc.record({
          target: gaussianOfDim(d, SPD),
          perturbA: fc.array(simpleDouble(-1, 1, 2), { minLength: d * d, maxLength: d * d }),
          perturbB: fc.array(simpleDouble(-1, 1, 2), { minLength: d, maxLength: d }),
          T: fc.integer({ min: 2, max: 100 }),
          variance: fc.constantFrom<ReverseVarianceKind>('seed', 'beta'),
        }),
      )
      .filter((c) => affineSamplerGrowthLog10(scaledLinearSchedule(c.T), perturbedGuidance(c), c.target.dim) <= 6),
  check(c) {
    const schedule = scaledLinearSchedule(c.T);
    const guidance = perturbedGuidance(c);
    const r = mismatchDecomposition(schedule, c.target, guidance, c.variance);
    const matched = mismatchDecomposition(schedule, c.target, matchedGaussianGuidance(c.target, schedule), c.variance);
    const oracleSame = Math.abs(r.oracle - matched.oracle) <= 1e-9 * Math.max(1, Math.abs(matched.oracle));
    const holds = r.finalKL <= r.pathKL * (1 + 1e-9) && oracleSame && matched.bias === 0;
    return {
      holds,
      maxError: r.finalKL / r.pathKL,
      tolerance: 1 + 1e-9,
      metric: 'KL/bound',
      quantities: { 'KL(Q̃_0‖P̂_0)': r.finalKL, W_start: r.start, W_oracle: r.oracle, W_bias: r.bias, 'matched W_oracle': matched.oracle, 'matched KL': matched.finalKL },
    };
  },
  describeCase: (c) => ({ target: describeMoments(c.target), perturbA: c.perturbA, perturbB: c.perturbB, T: c.T, variance: c.variance }),
};

export const mismatchClaims: readonly Claim[] = [matchedKlRate, biasOrderOne, biasLinearInD, pathKlBound];

/** Target score plus the case's fixed affine perturbation (dA x + db) at every t. */
function perturbedGuidance(c: PathCase): AffineGuidance {
  const d = c.target.dim;
  const schedule = scaledLinearSchedule(c.T);
  const dA = { rows: d, cols: d, data: Float64Array.from(c.perturbA) };
  return (t) => {
    const s = gaussianScoreMap(targetMarginalAt(c.target, schedule, t));
    return { A: add(s.A, dA), b: s.b.map((v, i) => v + c.perturbB[i]) };
  };
}
