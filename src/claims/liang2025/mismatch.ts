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
import type { Figure } from '../../engine/figure.ts';
import { T_GRID, describeMoments, logLogSlope, matchedSweep, resolvedWindowLog10 } from './sweeps.ts';
import { withinTolerance } from '../../engine/outcome.ts';
import { logScale } from '../../arbitraries/logScale.ts';

/**
 * Targets of the T-sweeps: every Gaussian the sweep's schedules resolve and forget (MATH.md §4.4),
 * d ≤ 4, |μ_i| ≤ 2, eigenvalues on a quarter-decade grid over that window (cond up to 10^3.8).
 */
const sweepTargets = (fitFrom: number) => {
  const [lo, hi] = resolvedWindowLog10(fitFrom, T_GRID[T_GRID.length - 1]);
  return (d: number) => gaussianOfDim(d, { eigenLog10: [lo, hi], meanBound: 2 });
};
const matchedTarget = sweepTargets(T_GRID[0]);
const targetArb = () => fc.integer({ min: 1, max: 4 }).chain((d) => matchedTarget(d));
/** Paths of the exact chain-rule bound: any scale double precision carries (see pathKlBound). */
const SPD = { maxConditionNumber: 1e4, centreRange: 1.5, meanBound: 2 } as const;
const [MATCHED_LO, MATCHED_HI] = resolvedWindowLog10(T_GRID[0], T_GRID[T_GRID.length - 1]);
const [BIAS_LO, BIAS_HI] = resolvedWindowLog10(T_GRID[2], T_GRID[T_GRID.length - 1]);
const windowText = (lo: number, hi: number, from: number) =>
  `eigenvalues in [${(10 ** lo).toPrecision(2)}, ${(10 ** hi).toPrecision(3)}]: the sweep's schedules resolve and forget the data — λ_min ≥ 10·β₁ of T = ${from} and ᾱ_T·λ_max ≤ 10⁻² at T = ${T_GRID[T_GRID.length - 1]} (MATH.md §4.4; outside, the finite-T sweep measures the unresolved or unforgotten scale, not the rate)`;

// ── Matched score: KL(Q̃_0‖P̂_0) = O(1/T) ────────────────────────────────────────────────
export const matchedKlRate: Claim<Gaussian> = {
  id: 'liang2025.mismatch.matched-kl-rate',
  source: 'liang2025',
  statement: 'With the matched score (Δ_t ≡ 0), KL(Q̃_0 ‖ P̂_0) decays at least as fast as C/T (W_oracle = Õ(1/T), Theorem 1).',
  assumptions: [
    `Gaussian target N(μ, Σ), d ≤ 4, |μ_i| ≤ 2, ${windowText(MATCHED_LO, MATCHED_HI, T_GRID[0])}; measured outside: λ = 1e-8 gives exponent −0.1 (KL ≈ ½ log(β₁/λ)), λ = 4e6 a KL growing with T (the start term)`,
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
    `Gaussian target and a different Gaussian training distribution (same d ≤ 4, |μ_i| ≤ 2), guidance = the training score; both with ${windowText(BIAS_LO, BIAS_HI, T_GRID[2])}; measured outside: target λ ≈ 480 gives a tail exponent 0.35 (W_bias still converging at T = 400)`,
    'seed sampler, scaled-linear β, T ∈ {25, …, 400}',
    '"O(1)" read as: the log-log slope of W_bias over T ∈ {100, 200, 400} lies in [−0.25, 0.25] (Õ(1/T) would give −1) and W_bias > 0 at every T; training = target (no mismatch) is outside the statement',
  ],
  expected: 'holds',
  defaultRuns: 40,
  assertionsPerCase: 0,
  cases: () => {
    const law = sweepTargets(T_GRID[2]);
    return fc.integer({ min: 1, max: 4 }).chain((d) => fc.record({ target: law(d), training: law(d) }));
  },
  check({ target, training }) {
    const rows = T_GRID.map((T) => {
      const { schedule, guidance } = trainingGuidance(training, T);
      return mismatchDecomposition(schedule, target, guidance, 'seed');
    });
    const bias = rows.map((r) => r.bias);
    const quantities = { T: T_GRID, W_bias: bias, 'KL(Q̃_0‖P̂_0)': rows.map((r) => r.finalKL), 'matched path part (start+oracle)': rows.map((r) => r.start + r.oracle) };
    // training = target (a corner of two independent draws): no mismatch, W_bias ≡ 0 exactly — outside the
    // statement (a mismatched score), not a 0/0: vacuous, as far from failing as a case can be.
    if (bias.every((b) => b === 0)) return { holds: true, margin: -20, maxError: 0, tolerance: 0.25, metric: '|W_bias-vs-T exponent|', quantities, note: 'training = target: no mismatch (W_bias ≡ 0), outside the statement' };
    const tail = T_GRID.slice(2);
    const slope = logLogSlope(tail, bias.slice(2));
    const positive = bias.every((b) => b > 0);
    return {
      ...withinTolerance(Math.abs(slope), 0.25, { metric: '|W_bias-vs-T exponent|', quantities: { ...quantities, 'tail slope of W_bias': slope } }),
      ...(positive ? {} : { holds: false, margin: 1, note: 'W_bias vanishes at some T' }),
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
    'target N(m1, vI_d) and training N(m′1, v′I_d), i.i.d. coordinates, d ≤ 8, v, v′ ∈ 10^[−4, 4] (quarter-decade grid), |m|, |m′| ≤ 3',
    'seed sampler, scaled-linear β, T ∈ {1, 2, 5, 25, 50, 100, 200}',
    'checked exactly: W_bias(d) = d·W_bias(1) and KL_d = d·KL_1 to 1e-9 relative + 64dε absolute (rounding of a sum of O(d) cancelling terms); two exact zeros (training = target) are equal',
  ],
  expected: 'holds',
  defaultRuns: 60,
  assertionsPerCase: 0,
  cases: () =>
    fc.record({
      d: fc.integer({ min: 1, max: 8 }),
      T: fc.constantFrom(25, 1, 2, 5, 50, 100, 200),
      target: fc.record({ m: simpleDouble(-3, 3, 2), v: logScale(-4, 4) }),
      training: fc.record({ m: simpleDouble(-3, 3, 2), v: logScale(-4, 4) }),
    }),
  check(c) {
    const run = (d: number) => {
      const { schedule, guidance } = trainingGuidance(productMoments(d, c.training.m, c.training.v), c.T);
      return mismatchDecomposition(schedule, productMoments(d, c.target.m, c.target.v), guidance, 'seed');
    };
    const one = run(1), many = run(c.d);
    // Relative error against 1e-9 plus rounding: a KL near 0 is a sum of O(d) terms that cancel, so its absolute
    // rounding is ≈ d·ε (allowance 64dε); two exact zeros (training = target: W_bias ≡ 0) are equal, not 0/0.
    const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / (Math.abs(b) + (64 * c.d * Number.EPSILON) / 1e-9));
    const maxError = Math.max(rel(many.bias, c.d * one.bias), rel(many.finalKL, c.d * one.finalKL));
    return { ...withinTolerance(maxError, 1e-9), quantities: { 'W_bias(d)': many.bias, 'd·W_bias(1)': c.d * one.bias, 'KL_d': many.finalKL, 'd·KL_1': c.d * one.finalKL } };
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
    'Gaussian target, d ≤ 4, |μ_i| ≤ 2, eigenvalues in 10^[−3.5, 3.5] with cond ≤ 1e4 (beyond, the reverse-kernel covariance Σ_{t−1} − α_tΣ_{t−1}Σ_t⁻¹Σ_{t−1} loses its positive definiteness to cancellation in double precision: W_oracle = ∞); guidance = target score + an arbitrary affine perturbation (entries in [−1, 1])',
    'σ_t² = (1−α_t)/α_t or β_t (β̃_t makes the path KL infinite at t = 1); scaled-linear β, T ∈ [2, 100]',
    'exact closed forms; inequality checked with slack 1e-9 relative + 64·T·d·ε absolute (rounding)',
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
    // Rounding: each of the T reverse-kernel KLs (and the final KL) is a sum of O(d) terms computed to ≈ dε, so
    // the bound carries 64·T·d·ε absolute besides 1e-9 relative (N(0, I) itself gives W_oracle = −4e-17, KL = 0).
    const rounding = 64 * c.T * c.target.dim * Number.EPSILON;
    const bound = r.pathKL * (1 + 1e-9) + rounding;
    const oracleSame = Math.abs(r.oracle - matched.oracle) <= 1e-9 * Math.abs(matched.oracle) + rounding;
    const inequality = withinTolerance(r.finalKL, bound, {
      metric: 'KL(Q̃_0‖P̂_0) against W_start + W_oracle + W_bias (+ rounding)',
      quantities: { 'KL(Q̃_0‖P̂_0)': r.finalKL, W_start: r.start, W_oracle: r.oracle, W_bias: r.bias, 'matched W_oracle': matched.oracle, 'matched KL': matched.finalKL },
    });
    if (oracleSame && matched.bias === 0) return inequality;
    return { ...inequality, holds: false, margin: Math.max(inequality.margin!, Number.MIN_VALUE), note: matched.bias !== 0 ? 'the matched guidance has W_bias ≠ 0' : 'W_oracle differs between the guidance and the matched one' };
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
