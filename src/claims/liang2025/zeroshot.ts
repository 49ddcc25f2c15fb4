import type fc from 'fast-check';
import type { InverseProblemCase } from '../../arbitraries/inverseProblem.ts';
import { type NoiseSpec, type ZeroShotCase, type ZeroShotCaseConstraints, zeroShotCase } from '../../arbitraries/zeroShotCase.ts';
import { linearInverseProblem, measurementRange } from '../../models/linearInverseProblem.ts';
import { scaledLinearSchedule } from '../../diffusion/schedule.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { fromRows, matvec, maxAbs } from '../../linalg/index.ts';
import { createRng } from '../../mc/rng.ts';
import {
  gaussianPosterior, inverseProblemGeometry, mixturePosterior, posteriorMarginalAt,
} from '../../theory/inverseProblem.ts';
import { targetMarginalAt } from '../../theory/mismatch.ts';
import type { MismatchDecomposition } from '../../theory/mismatch.ts';
import { nullSpaceLeak, zeroShotCorrection } from '../../theory/zeroShot.ts';
import { withinTolerance } from '../../engine/outcome.ts';
import type { CheckOutcome, Claim } from '../claim.ts';
import { describeScales, ratioAtMost } from './comparisons.ts';
import type { Figure } from '../../engine/figure.ts';
import { T_GRID, describeInverseProblem, zeroShotDecomposition } from './sweeps.ts';

/** A zero-shot case with a step t ∈ [1, T] (ZeroShotCase: H, σ_y, prior and T over the whole domain, scale-free). */
type StepCase = ZeroShotCase;

const stepCases = (c: ZeroShotCaseConstraints = {}) => zeroShotCase({ priorKind: 'either', withStep: true, ...c });

const describeStep = (c: StepCase) => ({ ...(describeInverseProblem(c.ip) as object), T: c.T, t: c.t, scales: describeScales(c.scales) });

// ── (I − H†H) f ≡ 0 ─────────────────────────────────────────────────────────────────────────
export const nullSpaceAdmissible: Claim<StepCase> = {
  id: 'liang2025.zeroshot.null-space',
  source: 'liang2025',
  statement: 'DDNM and BO-DDNM are admissible zero-shot samplers: (I − H†H) f_{t,y} ≡ 0.',
  assumptions: ['H p × d of any rank r ≤ min(p, d), d ≤ 4, p ≤ d + 1 (masks, masks with repeated or zero rows, generic; r = 0 included), H† the Moore–Penrose pseudo-inverse; σ_y ≥ 0 (incl. 0; then y ∈ range(H)), Gaussian or mixture prior, any t', 'f is affine, so ≡ 0 is checked on its coefficients, relative to max(1, their size, ‖Σ_{t|0,y}⁻¹‖): 1e-9 plus the inverse\'s rounding 64dκε, κ = κ(Σ_{t|0,y})'],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => stepCases(),
  check(c) {
    const geom = inverseProblemGeometry(c.ip.problem);
    const s = scaledLinearSchedule(c.T);
    const t = c.t;
    // f = K(√ᾱ H†y − Px), K = Σ_{t|0,y}⁻¹ (BO-DDNM) or I/(1−ᾱ) (DDNM): its leak is rounding of K relative to ‖K‖ = 1/λ_min,
    // which an inverse of condition κ = λ_max/λ_min (λ ∈ [1−ᾱ, ᾱν²_max + 1−ᾱ]) carries to ≈ dκε (found: 2.5e-9 at κ ≈ 1e8).
    const ab = s.alphaBar(t);
    const kappa = (ab * c.scales.noiseMax2 + 1 - ab) / (1 - ab);
    const tolerance = 1e-9 + 64 * geom.dim * kappa * Number.EPSILON;
    const rows = (['ddnm', 'bo-ddnm'] as const).map((k) => {
      const f = zeroShotCorrection(geom, s, t, k);
      return { leak: nullSpaceLeak(geom, f), scale: Math.max(1, maxAbs(f.A.data), maxAbs(f.b), 1 / (1 - ab)) };
    });
    const maxError = Math.max(...rows.map((r) => r.leak / r.scale));
    return withinTolerance(maxError, tolerance, { quantities: { 'DDNM leak': rows[0].leak, 'BO-DDNM leak': rows[1].leak, 'κ(Σ_{t|0,y})': kappa } });
  },
  describeCase: describeStep,
};

// ── BO-DDNM = DDNM when σ_y = 0 ─────────────────────────────────────────────────────────────
export const boEqualsDdnmNoiseless: Claim<StepCase> = {
  id: 'liang2025.zeroshot.bo-equals-ddnm-noiseless',
  source: 'liang2025',
  statement: 'If σ_y = 0 then BO-DDNM = DDNM (Σ_{t|0,y} = (1−ᾱ_t)I).',
  assumptions: ['σ_y = 0 exactly (y ∈ range(H)), H p × d of any rank r ≤ min(p, d), d ≤ 4, p ≤ d + 1 (masks, masks with repeated or zero rows, generic; r = 0 included), H† the Moore–Penrose pseudo-inverse, any t', 'coefficients compared, relative 1e-9'],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => stepCases({ noise: { kind: 'none' } }),
  check(c) {
    const geom = inverseProblemGeometry(c.ip.problem);
    const s = scaledLinearSchedule(c.T);
    const t = c.t;
    const a = zeroShotCorrection(geom, s, t, 'ddnm'), b = zeroShotCorrection(geom, s, t, 'bo-ddnm');
    const scale = Math.max(1, maxAbs(a.A.data), maxAbs(a.b));
    const maxError = Math.max(...Array.from(a.A.data, (v, i) => Math.abs(v - b.A.data[i])), ...Array.from(a.b, (v, i) => Math.abs(v - b.b[i]))) / scale;
    return { holds: maxError <= 1e-9, maxError, tolerance: 1e-9 };
  },
  describeCase: describeStep,
};

// ── Theorem 3, pointwise: f* minimizes ‖Δ_{t,y}‖² among admissible f ────────────────────────
/**
 * ‖Δ‖² = ‖(I−P)Δ‖² + ‖PΔ‖² and only PΔ = P∇log q̃_t − f depends on f, so f* is a pointwise
 * minimizer iff P∇log q̃_t(x) = f*(x). Checked at 8 draws x ~ q̃_t (seeded from the case's T and t).
 * Relative to the largest of ‖∇log q̃_t(x)‖∞ (its projection carries that score's rounding: a prior
 * concentrated off the row space makes it ≫ its projection) and ‖f*(x)‖∞.
 */
function pointwiseOptimalityGap(c: StepCase): { gap: number; scale: number; x: number[] } {
  const geom = inverseProblemGeometry(c.ip.problem);
  const s = scaledLinearSchedule(c.T);
  const post = c.ip.prior instanceof Gaussian ? gaussianPosterior(c.ip.prior, c.ip.problem) : mixturePosterior(c.ip.prior, c.ip.problem);
  const qt = posteriorMarginalAt(post, s, c.t);
  const f = zeroShotCorrection(geom, s, c.t, 'bo-ddnm');
  const rng = createRng(`pointwise/${c.T}/${c.t}`);
  // Rounding of the posterior itself (MATH.md §4.3): Σ_post = Σ − ΣH_rᵀS_r⁻¹H_rΣ cancels (to 0 on row(H) at σ_y = 0)
  // and μ_post = μ + ΣH_rᵀS_r⁻¹(y_r − H_rμ) solves with S_r, each to ≈ ε·κ, κ ≤ κ(Σ)·κ(HHᵀ): absolute errors
  // ε·κ·λ_max(Σ) and ε·κ·(‖H†y‖ + ‖μ‖). q̃_t's score −(ᾱΣ_post + (1−ᾱ)I)⁻¹(x − √ᾱμ_post) carries them times
  // ᾱ/(1−ᾱ)·|score| and √ᾱ/(1−ᾱ) (measured: 2.4e-10 in μ_post at κ ≈ 1e4, |y| = 600, giving 5e-6 in the score at t = 1, T = 1000).
  const ab = s.alphaBar(c.t);
  const kappa = (c.scales.priorMax / c.scales.priorMin) * measurementRange(c.ip.problem.H).gramCondition;
  const comps = c.ip.prior instanceof Gaussian ? [c.ip.prior] : c.ip.prior.components;
  const location = maxAbs(geom.HpinvY) + Math.max(...comps.map((g) => maxAbs(g.mean)));
  const roundingOf = (scoreMax: number) => 64 * Number.EPSILON * kappa * ((ab / (1 - ab)) * c.scales.priorMax * scoreMax + (Math.sqrt(ab) / (1 - ab)) * location);
  const x = new Float64Array(geom.dim);
  let worst = { gap: 0, scale: 1, x: [] as number[] };
  for (let k = 0; k < 8; k++) {
    qt.sampleInto(rng, x);
    const score = qt.score(x);
    const opt = matvec(geom.rowProjector, score);
    const fx = matvec(f.A, x).map((v, i) => v + f.b[i]);
    const gap = maxAbs(opt.map((v, i) => v - fx[i]));
    const scale = Math.max(maxAbs(score), maxAbs(fx), Number.MIN_VALUE) + roundingOf(maxAbs(score)) / 1e-7;
    if (gap / scale >= worst.gap / worst.scale) worst = { gap, scale, x: Array.from(x) };
  }
  return worst;
}

export const boOptimalPointwise: Claim<StepCase> = {
  id: 'liang2025.zeroshot.bo-optimal-pointwise',
  source: 'liang2025',
  statement: 'Theorem 3 (read literally): f*_{t,y} = Σ_{t|0,y}⁻¹(√ᾱ_t H†y − H†H x_t) attains min over admissible f of ‖Δ_{t,y}(x_t)‖², Q_{t|y}-almost surely, for every prior.',
  assumptions: [
    'Gaussian or Gaussian-mixture prior, H p × d of any rank r ≤ min(p, d), d ≤ 4, p ≤ d + 1 (masks, masks with repeated or zero rows, generic; r = 0 included), H† the Moore–Penrose pseudo-inverse, σ_y ≥ 0, any t; pointwise minimizer = H†H∇log q̃_t (row-space projection of the true posterior score)',
    'checked at 8 draws x ~ q̃_t: |P∇log q̃_t(x) − f*(x)| ≤ 1e-7 relative',
    'expected refuted: for σ_y > 0 and an informative prior, P∇log q̃_t shrinks towards the prior (posterior mean and variance), f* does not',
  ],
  expected: 'refuted',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => stepCases(),
  check(c) {
    const w = pointwiseOptimalityGap(c);
    return { holds: w.gap / w.scale <= 1e-7, maxError: w.gap / w.scale, tolerance: 1e-7, quantities: { 'worst x': w.x, '|PΔ_BO(x)|_∞': w.gap } };
  },
  describeCase: describeStep,
};

export const boOptimalNoiseless: Claim<StepCase> = {
  id: 'liang2025.zeroshot.bo-optimal-noiseless',
  source: 'liang2025',
  statement: 'When σ_y = 0, BO-DDNM (= DDNM) is the pointwise-optimal admissible guidance for every prior: P∇log q̃_t(x) = f*(x) for all x.',
  assumptions: [
    'σ_y = 0: P x_0 = H†y a.s. under the posterior, so P x_t ~ N(√ᾱ_t H†y, (1−ᾱ_t)P) independently of (I−P)x_t',
    'Gaussian or Gaussian-mixture prior, H p × d of any rank r ≤ min(p, d), d ≤ 4, p ≤ d + 1 (masks, masks with repeated or zero rows, generic; r = 0 included), H† the Moore–Penrose pseudo-inverse, y ∈ range(H), any t (zeroShotCase scales); 8 draws x ~ q̃_t, relative 1e-7 of the largest score plus the posterior\'s own rounding, 64εκ(Σ)κ(HHᵀ)·[ᾱ_t/(1−ᾱ_t)·λ_max(Σ)·|score| + √ᾱ_t/(1−ᾱ_t)·(‖H†y‖ + ‖μ‖)] (Σ_post cancels to 0 on row(H), μ_post solves with S_r)',
  ],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => stepCases({ noise: { kind: 'none' } }),
  check(c) {
    const w = pointwiseOptimalityGap(c);
    return { holds: w.gap / w.scale <= 1e-7, maxError: w.gap / w.scale, tolerance: 1e-7, quantities: { 'worst x': w.x, '|PΔ_BO(x)|_∞': w.gap } };
  },
  describeCase: describeStep,
};

// ── The weaker statements: BO-DDNM no worse than DDNM (Gaussian priors, exact) ──────────────
/**
 * Gaussian prior, exact propagation (MATH.md §4, §4.3). Cases over the whole domain in scale-free
 * coordinates (zeroShotCase): T ∈ {1, …, 1000}; the noise in x-space ν² ∈ [σ_y²/‖H‖², σ_y²‖H†‖²]
 * from 10⁻⁴ to 10⁴ times β₁; the prior's smallest eigenvalue from 10⁻⁴ to 10⁴ times ν²_max,
 * cond ≤ 1e4; H of any rank; y = Hμ + S^{1/2}ζ with ‖ζ‖∞ from 0 to 10³.
 */
type CompareCase = ZeroShotCase<Gaussian>;

/** Largest first: shrinking moves towards large T (the regime the statements are about), the corners are both ends. */
const COMPARE_T: readonly number[] = [400, 200, 100, 50, 25, 10, 5, 3, 2, 1];

const compareCases = (noise: NoiseSpec = { kind: 'relative-to-step', log10: [-4, 4] }) =>
  zeroShotCase({ priorKind: 'gaussian', noise, T: COMPARE_T }) as fc.Arbitrary<CompareCase>;

function compare(c: CompareCase) {
  const dd = zeroShotDecomposition(c.ip, c.T, 'ddnm');
  const bo = zeroShotDecomposition(c.ip, c.T, 'bo-ddnm');
  return { dd, bo };
}

const describeCompare = (c: CompareCase) => ({ ...(describeInverseProblem(c.ip) as object), T: c.T, scales: describeScales(c.scales) });

export const boMismatchPerStep: Claim<CompareCase> = {
  id: 'liang2025.zeroshot.bo-mismatch-le-ddnm-per-step',
  source: 'liang2025',
  statement: "BO-DDNM's mismatch is no larger than DDNM's at every step: E_{q̃_t}‖Δ^{BO}_t‖² ≤ E_{q̃_t}‖Δ^{DDNM}_t‖² for all t.",
  assumptions: [
    'Gaussian prior (exact closed forms), H of any rank (rank-deficient H act as their r-row reduction U_rᵀH), d ≤ 4, p ≤ d + 1, σ_y > 0, fixed y; scale-free domain (zeroShotCase): ν²/β₁ and λ_min(Σ)/ν²_max over 10^[−4, 4], cond(Σ) ≤ 1e4, T ∈ {1, …, 400} (seed sampler, scaled-linear β)',
    'per step: (E‖Δ_BO‖² − rounding)/E‖Δ_DDNM‖² against 1 + 1e-9, rounding 2cε√(M·E‖Δ_BO‖²) + (cε)²M, M = tr Σ̃_t⁻¹, c = 64d',
    'expected refuted: with a strong prior and y near the prior mean, DDNM\'s stronger pull is closer to the true posterior score at intermediate t',
  ],
  expected: 'refuted',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => compareCases(),
  check(c) {
    const { dd, bo } = compare(c);
    const schedule = scaledLinearSchedule(c.T);
    const post = gaussianPosterior(c.ip.prior, c.ip.problem);
    let worst = { margin: -Infinity, t: 1, out: undefined as CheckOutcome | undefined };
    for (let t = 1; t <= c.T; t++) {
      const a = bo.perStepMismatch[t - 1], b = dd.perStepMismatch[t - 1];
      // Rounding (only where it can decide, a > b): Δ = ∇log q̃_t − g_t is a difference of affine maps of
      // size √M, M = tr Σ̃_t⁻¹, each off by ≤ cε√M (c = 64d), so E‖Δ‖² is off by ≤ 2cε√(M·E‖Δ‖²) + (cε)²M.
      let allowance = 0;
      if (a > b) {
        const M = targetMarginalAt(post, schedule, t).fisherInformation(), ce = 64 * c.ip.prior.dim * Number.EPSILON;
        allowance = 2 * ce * Math.sqrt(M * a) + ce * ce * M;
      }
      const out = ratioAtMost(Math.max(0, a - allowance), b, 'E‖Δ_BO‖²/E‖Δ_DDNM‖² (worst t)', { t, 'E‖Δ_BO‖²': a, 'E‖Δ_DDNM‖²': b, ...(allowance > 0 ? { 'rounding allowance': allowance } : {}) });
      if (out.margin! > worst.margin) worst = { margin: out.margin!, t, out };
    }
    return worst.out!;
  },
  describeCase: describeCompare,
};

/** A refuted "BO-DDNM ≤ DDNM" comparison of one exact quantity of the two samplers' decompositions. */
function comparisonClaim(
  c: { id: string; statement: string; assumptions: readonly string[]; noise?: NoiseSpec; metric: string; of: (d: MismatchDecomposition) => number; label: string },
): Claim<CompareCase> {
  return {
    id: c.id,
    source: 'liang2025',
    statement: c.statement,
    assumptions: c.assumptions,
    expected: 'refuted',
    defaultRuns: 100,
    assertionsPerCase: 0,
    cases: () => compareCases(c.noise),
    check(x) {
      const { dd, bo } = compare(x);
      return ratioAtMost(c.of(bo), c.of(dd), c.metric, { [`${c.label} BO`]: c.of(bo), [`${c.label} DDNM`]: c.of(dd), 'σ_y': x.ip.problem.sigmaY });
    },
    describeCase: describeCompare,
  };
}

const COMPARE_DOMAIN = 'Gaussian prior, H of any rank, d ≤ 4, p ≤ d + 1, σ_y > 0, fixed y; scale-free domain (zeroShotCase): ν²/β₁ and λ_min(Σ)/ν²_max over 10^[−4, 4], cond(Σ) ≤ 1e4, T ∈ {1, …, 400} (seed sampler, scaled-linear β); ratio against 1 + 1e-9 (two exact zeros, e.g. H = 0, are equal)';

export const boAccumulatedMismatch = comparisonClaim({
  id: 'liang2025.zeroshot.bo-accumulated-mismatch-le-ddnm',
  statement: "BO-DDNM's accumulated mismatch (the bias term Σ_t (1−α_t)/2 · E_{q̃_t}‖Δ_t‖²) is no larger than DDNM's.",
  assumptions: [
    COMPARE_DOMAIN,
    'expected refuted (was "holds" on σ_y ∈ [0.01, 3.2] with priors near unit scale): when the prior is concentrated against the noise in x-space and y is near the prior mean, BO-DDNM\'s per-step mismatch exceeds DDNM\'s at every step',
  ],
  metric: 'W_bias BO/DDNM', of: (d) => d.bias, label: 'W_bias',
});

export const boFinalKl = comparisonClaim({
  id: 'liang2025.zeroshot.bo-kl-le-ddnm',
  statement: "BO-DDNM's final KL(Q̃_0 ‖ P̂_0) is no larger than DDNM's.",
  assumptions: [
    COMPARE_DOMAIN,
    'expected refuted: fails for small noise in x-space against the step (σ_y²‖H†‖² ≲ β₁), and for priors concentrated against the noise with y near the prior mean',
  ],
  metric: 'KL BO/DDNM', of: (d) => d.finalKL, label: 'KL',
});

export const boFinalKlModerateNoise: Claim<CompareCase> = {
  ...comparisonClaim({
    id: 'liang2025.zeroshot.bo-kl-le-ddnm-moderate-noise',
    statement: "BO-DDNM's final KL is no larger than DDNM's when the measurement noise is not small: σ_y ≥ 0.3.",
    assumptions: [
      'Gaussian prior, H of any rank with ‖H‖ = 1, d ≤ 4, p ≤ d + 1, σ_y ∈ [0.3, 31.6], fixed y; the prior\'s smallest eigenvalue from 10⁻⁴ to 10⁴ times σ_y²‖H†‖², cond(Σ) ≤ 1e4; T ∈ {1, …, 400}; ratio against 1 + 1e-9',
      'expected refuted (was "holds" on priors near unit scale): σ_y is not scale-free — what matters is the noise in x-space against the prior and β₁; a prior concentrated against σ_y²‖H†‖² with y near the prior mean makes DDNM\'s point-mass pull the better guess (issue 11: KL ratios up to 3× at σ_y = 0.3)',
    ],
    noise: { kind: 'absolute', log10: [Math.log10(0.3), 1.5] },
    metric: 'KL BO/DDNM', of: (d) => d.finalKL, label: 'KL',
  }),
  figures: () => zeroShotFigures(),
};

// ── Figures ────────────────────────────────────────────────────────────────────────────────
export function defaultZeroShotCase(sigmaY: number): InverseProblemCase<Gaussian> {
  const prior = new Gaussian([0.5, -0.3, 0.2, 0], fromRows([[1, 0.3, 0, 0], [0.3, 1, 0.2, 0], [0, 0.2, 0.5, 0.1], [0, 0, 0.1, 2]]));
  const H = fromRows([[1, 0, 0, 0], [0, 0, 1, 0]]);
  return { prior, problem: linearInverseProblem(H, sigmaY, [1.2, -0.4]) };
}

function zeroShotFigures(): Figure[] {
  const grid = [20, 40, 80, 160, 320, 640];
  const klFig = (sigmaY: number): Figure => {
    const c = defaultZeroShotCase(sigmaY);
    const series = (['ddnm', 'bo-ddnm', 'optimal'] as const).map((k) => ({
      name: k === 'ddnm' ? 'DDNM' : k === 'bo-ddnm' ? 'BO-DDNM' : 'optimal admissible (PΔ ≡ 0)',
      points: grid.map((T) => [T, zeroShotDecomposition(c, T, k).finalKL] as [number, number]),
    }));
    return {
      id: `liang2025-zeroshot-kl-vs-T-sigma${sigmaY}`,
      title: `Zero-shot samplers: KL(Q̃_0‖P̂_0) against T (σ_y = ${sigmaY})`,
      xLabel: 'T',
      yLabel: 'KL (nats)',
      logX: true,
      logY: true,
      series,
      caption: 'Gaussian prior, d = 4, inpainting 2 of 4 coordinates; exact propagation. The optimal guidance is the row-space projection of the true posterior score.',
    };
  };
  // Region map: for the default prior, who wins the final KL at (σ_y, T)?
  const sigmas = Array.from({ length: 12 }, (_, i) => 10 ** (-2 + (2.5 * i) / 11));
  const bo: [number, number][] = [], dd: [number, number][] = [];
  for (const sg of sigmas) for (const T of T_GRID) {
    const c = defaultZeroShotCase(sg);
    (zeroShotDecomposition(c, T, 'bo-ddnm').finalKL <= zeroShotDecomposition(c, T, 'ddnm').finalKL ? bo : dd).push([sg, T]);
  }
  return [
    klFig(0.5),
    klFig(0.02),
    {
      id: 'liang2025-zeroshot-region',
      title: 'Which sampler has the smaller final KL (default prior)',
      xLabel: 'σ_y',
      yLabel: 'T',
      logX: true,
      logY: true,
      series: [{ name: 'BO-DDNM wins', points: bo, style: 'points' }, { name: 'DDNM wins', points: dd, style: 'points' }],
      caption: 'DDNM wins only when σ_y² is small against the first step β_1 (the noiseless limit where the two coincide); per-step mismatch can favour DDNM at any σ_y (strong prior, y near the prior mean).',
    },
  ];
}

export const zeroShotClaims: readonly Claim[] = [
  nullSpaceAdmissible, boEqualsDdnmNoiseless, boOptimalPointwise, boOptimalNoiseless,
  boMismatchPerStep, boAccumulatedMismatch, boFinalKl, boFinalKlModerateNoise,
];
