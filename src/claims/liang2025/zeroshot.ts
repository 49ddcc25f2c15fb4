import fc from 'fast-check';
import { type InverseProblemCase, inverseProblemCase } from '../../arbitraries/inverseProblem.ts';
import { linearInverseProblem } from '../../models/linearInverseProblem.ts';
import { mcSeed } from '../../arbitraries/seed.ts';
import { scaledLinearSchedule } from '../../diffusion/schedule.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { fromRows, matvec, maxAbs } from '../../linalg/index.ts';
import { createRng } from '../../mc/rng.ts';
import {
  gaussianPosterior, inverseProblemGeometry, mixturePosterior, posteriorMarginalAt,
} from '../../theory/inverseProblem.ts';
import { nullSpaceLeak, zeroShotCorrection } from '../../theory/zeroShot.ts';
import type { Claim } from '../claim.ts';
import type { Figure } from '../figure.ts';
import { T_GRID, describeInverseProblem, zeroShotDecomposition } from './sweeps.ts';

interface StepCase {
  readonly ip: InverseProblemCase;
  readonly T: number;
  readonly tFrac: number;
  readonly seed: number;
}

const stepCases = (c: Parameters<typeof inverseProblemCase>[0] = {}) =>
  fc.record({ ip: inverseProblemCase(c), T: fc.constantFrom(10, 50, 200, 1000), tFrac: fc.double({ min: 0, max: 1, noNaN: true }), seed: mcSeed() });

const stepOf = (c: StepCase) => Math.min(c.T, 1 + Math.floor(c.tFrac * c.T));

const describeStep = (c: StepCase) => ({ ...(describeInverseProblem(c.ip) as object), T: c.T, t: stepOf(c), seed: c.seed });

// ── (I − H†H) f ≡ 0 ─────────────────────────────────────────────────────────────────────────
export const nullSpaceAdmissible: Claim<StepCase> = {
  id: 'liang2025.zeroshot.null-space',
  source: 'liang2025',
  statement: 'DDNM and BO-DDNM are admissible zero-shot samplers: (I − H†H) f_{t,y} ≡ 0.',
  assumptions: ['H p × d of any rank r ≤ min(p, d), d ≤ 4, p ≤ d + 1 (masks, masks with repeated or zero rows, generic; r = 0 included), H† the Moore–Penrose pseudo-inverse; σ_y ≥ 0 (incl. 0; then y ∈ range(H)), Gaussian or mixture prior, any t', 'f is affine, so ≡ 0 is checked on its coefficients, relative 1e-9 (floating point)'],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => stepCases(),
  check(c) {
    const geom = inverseProblemGeometry(c.ip.problem);
    const s = scaledLinearSchedule(c.T);
    const t = stepOf(c);
    const rows = (['ddnm', 'bo-ddnm'] as const).map((k) => {
      const f = zeroShotCorrection(geom, s, t, k);
      return { leak: nullSpaceLeak(geom, f), scale: Math.max(1, maxAbs(f.A.data), maxAbs(f.b)) };
    });
    const maxError = Math.max(...rows.map((r) => r.leak / r.scale));
    return { holds: maxError <= 1e-9, maxError, tolerance: 1e-9, quantities: { 'DDNM leak': rows[0].leak, 'BO-DDNM leak': rows[1].leak } };
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
  cases: () => stepCases({ sigmaY: 0 }),
  check(c) {
    const geom = inverseProblemGeometry(c.ip.problem);
    const s = scaledLinearSchedule(c.T);
    const t = stepOf(c);
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
 * minimizer iff P∇log q̃_t(x) = f*(x). Checked at 8 draws x ~ q̃_t (seeded from the case).
 */
function pointwiseOptimalityGap(c: StepCase): { gap: number; scale: number; x: number[] } {
  const geom = inverseProblemGeometry(c.ip.problem);
  const s = scaledLinearSchedule(c.T);
  const t = stepOf(c);
  const post = c.ip.prior instanceof Gaussian ? gaussianPosterior(c.ip.prior, c.ip.problem) : mixturePosterior(c.ip.prior, c.ip.problem);
  const qt = posteriorMarginalAt(post, s, t);
  const f = zeroShotCorrection(geom, s, t, 'bo-ddnm');
  const rng = createRng(c.seed);
  const x = new Float64Array(geom.dim);
  let worst = { gap: 0, scale: 1, x: [] as number[] };
  for (let k = 0; k < 8; k++) {
    qt.sampleInto(rng, x);
    const opt = matvec(geom.rowProjector, qt.score(x));
    const fx = matvec(f.A, x).map((v, i) => v + f.b[i]);
    const gap = maxAbs(opt.map((v, i) => v - fx[i]));
    const scale = Math.max(1, maxAbs(opt), maxAbs(fx));
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
    'Gaussian or Gaussian-mixture prior, H p × d of any rank r ≤ min(p, d), d ≤ 4, p ≤ d + 1 (masks, masks with repeated or zero rows, generic; r = 0 included), H† the Moore–Penrose pseudo-inverse, y ∈ range(H), any t; 8 draws x ~ q̃_t, relative 1e-7',
  ],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => stepCases({ sigmaY: 0 }),
  check(c) {
    const w = pointwiseOptimalityGap(c);
    return { holds: w.gap / w.scale <= 1e-7, maxError: w.gap / w.scale, tolerance: 1e-7, quantities: { 'worst x': w.x, '|PΔ_BO(x)|_∞': w.gap } };
  },
  describeCase: describeStep,
};

// ── The weaker statements: BO-DDNM no worse than DDNM (Gaussian priors, exact) ──────────────
interface CompareCase {
  readonly ip: InverseProblemCase<Gaussian>;
  readonly T: number;
}

const compareCases = (noise: { positive?: boolean } | number) =>
  fc.record({
    ip: inverseProblemCase({ priorKind: 'gaussian', ...(typeof noise === 'number' ? {} : { noise }) }).map((x) => x as InverseProblemCase<Gaussian>),
    T: fc.constantFrom(...T_GRID),
  });

function compare(c: CompareCase) {
  const dd = zeroShotDecomposition(c.ip, c.T, 'ddnm');
  const bo = zeroShotDecomposition(c.ip, c.T, 'bo-ddnm');
  return { dd, bo };
}

const describeCompare = (c: CompareCase) => ({ ...(describeInverseProblem(c.ip) as object), T: c.T });

export const boMismatchPerStep: Claim<CompareCase> = {
  id: 'liang2025.zeroshot.bo-mismatch-le-ddnm-per-step',
  source: 'liang2025',
  statement: "BO-DDNM's mismatch is no larger than DDNM's at every step: E_{q̃_t}‖Δ^{BO}_t‖² ≤ E_{q̃_t}‖Δ^{DDNM}_t‖² for all t.",
  assumptions: ['Gaussian prior (exact closed forms), H of any rank r ≤ min(p, d), d ≤ 4, p ≤ d + 1 (rank-deficient H act as their r-row reduction U_rᵀH), σ_y ∈ [0.01, 3.2], fixed y', 'seed sampler, scaled-linear β, T ∈ {25, 50, 100}; relative slack 1e-9 plus absolute 1e-12 (rounding)', 'expected refuted: with a strong prior and y near the prior mean, DDNM\'s stronger pull is closer to the true posterior score at intermediate t'],
  expected: 'refuted',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => fc.record({ ip: inverseProblemCase({ priorKind: 'gaussian', noise: { positive: true } }).map((x) => x as InverseProblemCase<Gaussian>), T: fc.constantFrom(25, 50, 100) }),
  check(c) {
    const { dd, bo } = compare(c);
    let worst = 0, at = 1;
    for (let i = 0; i < c.T; i++) {
      // Absolute floor 1e-12: near t = T both mismatches are O(1e-14) rounding noise.
      const r = (bo.perStepMismatch[i] - 1e-12) / Math.max(dd.perStepMismatch[i], 1e-300);
      if (r > worst) (worst = r), (at = i + 1);
    }
    return { holds: worst <= 1 + 1e-9, maxError: worst, tolerance: 1 + 1e-9, metric: 'E‖Δ_BO‖²/E‖Δ_DDNM‖²', quantities: { t: at, 'E‖Δ_BO‖²': bo.perStepMismatch[at - 1], 'E‖Δ_DDNM‖²': dd.perStepMismatch[at - 1] } };
  },
  describeCase: describeCompare,
};

export const boAccumulatedMismatch: Claim<CompareCase> = {
  id: 'liang2025.zeroshot.bo-accumulated-mismatch-le-ddnm',
  source: 'liang2025',
  statement: "BO-DDNM's accumulated mismatch (the bias term Σ_t (1−α_t)/2 · E_{q̃_t}‖Δ_t‖²) is no larger than DDNM's.",
  assumptions: ['Gaussian prior, H of any rank r ≤ min(p, d), d ≤ 4, p ≤ d + 1 (rank-deficient H act as their r-row reduction U_rᵀH), σ_y ∈ [0.01, 3.2], fixed y', 'seed sampler, scaled-linear β, T ∈ {25, …, 400}; relative slack 1e-9'],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => compareCases({ positive: true }),
  check(c) {
    const { dd, bo } = compare(c);
    const r = bo.bias / dd.bias;
    return { holds: bo.bias <= dd.bias * (1 + 1e-9), maxError: r, tolerance: 1 + 1e-9, metric: 'W_bias BO/DDNM', quantities: { 'W_bias BO': bo.bias, 'W_bias DDNM': dd.bias } };
  },
  describeCase: describeCompare,
};

export const boFinalKl: Claim<CompareCase> = {
  id: 'liang2025.zeroshot.bo-kl-le-ddnm',
  source: 'liang2025',
  statement: "BO-DDNM's final KL(Q̃_0 ‖ P̂_0) is no larger than DDNM's.",
  assumptions: ['Gaussian prior, H of any rank r ≤ min(p, d), d ≤ 4, p ≤ d + 1 (rank-deficient H act as their r-row reduction U_rᵀH), σ_y ∈ [0.01, 3.2], fixed y', 'seed sampler, scaled-linear β, T ∈ {25, …, 400}; relative slack 1e-9', 'expected refuted: fails for small σ_y relative to the step size (σ_y² ≲ β_1)'],
  expected: 'refuted',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => compareCases({ positive: true }),
  check(c) {
    const { dd, bo } = compare(c);
    return { holds: bo.finalKL <= dd.finalKL * (1 + 1e-9), maxError: bo.finalKL / dd.finalKL, tolerance: 1 + 1e-9, metric: 'KL BO/DDNM', quantities: { 'KL BO': bo.finalKL, 'KL DDNM': dd.finalKL } };
  },
  describeCase: describeCompare,
};

export const boFinalKlModerateNoise: Claim<CompareCase> = {
  id: 'liang2025.zeroshot.bo-kl-le-ddnm-moderate-noise',
  source: 'liang2025',
  statement: "BO-DDNM's final KL is no larger than DDNM's when the measurement noise is not small: σ_y ≥ 0.3.",
  assumptions: ['Gaussian prior, H of any rank r ≤ min(p, d), d ≤ 4, p ≤ d + 1 (rank-deficient H act as their r-row reduction U_rᵀH), σ_y ∈ [0.3, 3.2], fixed y', 'seed sampler, scaled-linear β, T ∈ {25, …, 400} (β_1 ≤ 0.004 ≪ σ_y²); relative slack 1e-9'],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () =>
    fc.record({
      ip: inverseProblemCase({ priorKind: 'gaussian', noise: { positive: true } }).map((x) => x as InverseProblemCase<Gaussian>),
      T: fc.constantFrom(...T_GRID),
    }).map((c) => ({ ...c, ip: { ...c.ip, problem: { ...c.ip.problem, sigmaY: Math.max(0.3, c.ip.problem.sigmaY) } } })),
  check(c) {
    const { dd, bo } = compare(c);
    return { holds: bo.finalKL <= dd.finalKL * (1 + 1e-9), maxError: bo.finalKL / dd.finalKL, tolerance: 1 + 1e-9, metric: 'KL BO/DDNM', quantities: { 'KL BO': bo.finalKL, 'KL DDNM': dd.finalKL } };
  },
  describeCase: describeCompare,
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
