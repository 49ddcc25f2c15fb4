import fc from 'fast-check';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import { simpleDouble } from '../../arbitraries/boundedDouble.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { scaledIdentity } from '../../linalg/index.ts';
import { gaussianKL } from '../../gaussian/klDivergence.ts';
import { expectedLossExcess } from '../../theory/diffusionLoss.ts';
import type { Claim } from '../claim.ts';
import { SPD, describeData } from './shared.ts';

export const diffusionLossSurrogate: Claim<{ q: Gaussian; p: Gaussian }> = {
  id: 'liyan2024.diffusionLoss.nll-surrogate',
  source: 'liyan2024',
  statement: 'The per-token diffusion loss, weighted as in the density formula (uniform in log-SNR, weight ½), equals the token NLL up to a predictor-independent constant: its excess for a head ε_p is KL(q ‖ p).',
  assumptions: ['token law q and candidate head = MMSE predictor of p, both Gaussian, d ≤ 3', 'λ-quadrature with error estimate; holds if |excess − KL| ≤ estimate + 1e-10 · max(1, KL)'],
  expected: 'holds',
  defaultRuns: 20,
  assertionsPerCase: 0,
  cases: () => fc.integer({ min: 1, max: 3 }).chain((d) => fc.record({ q: gaussianOfDim(d, SPD), p: gaussianOfDim(d, SPD) })),
  check({ q, p }) {
    const ex = expectedLossExcess(q, p, 'density-formula');
    const kl = gaussianKL(q, p);
    const err = Math.abs(ex.value - kl);
    const tol = ex.error + 1e-10 * Math.max(1, kl);
    return { holds: err <= tol, maxError: err, tolerance: tol, quantities: { 'loss excess': ex.value, 'KL(q‖p)': kl, 'MAR-weighted excess': expectedLossExcess(q, p, 'mar-cosine').value } };
  },
  describeCase: ({ q, p }) => ({ tokenLaw: describeData(q), head: describeData(p) }),
};

interface RankingCase {
  readonly varianceRatio: number;
  readonly klRatio: number;
}

export const marRanking: Claim<RankingCase> = {
  id: 'liyan2024.diffusionLoss.mar-ranking',
  source: 'liyan2024',
  statement: 'Read literally as "MAR\'s diffusion loss (t ~ U[0,1], cosine ᾱ, unweighted) is a likelihood surrogate": it ranks two candidate heads in the same order as their token NLL.',
  assumptions: [
    'token law N(0, 1); head A = MMSE predictor of N(δ, 1), head B = of N(0, r); δ set so that KL_A = k · KL_B, k ∈ [0.8, 1.2], r ∈ [0.2, 5]',
    'MAR weight on log-SNR w(λ) = 1/(2π cosh(λ/2)); formula weight ½ gives the NLL ranking exactly (claim nll-surrogate)',
    'holds if sign(loss_A − loss_B) = sign(KL_A − KL_B)',
  ],
  expected: 'refuted',
  defaultRuns: 40,
  assertionsPerCase: 0,
  cases: () => fc.record({ varianceRatio: simpleDouble(0.2, 5, 2).filter((r) => Math.abs(r - 1) > 0.05), klRatio: simpleDouble(0.8, 1.2, 3).filter((k) => k !== 1) }),
  check({ varianceRatio: r, klRatio: k }) {
    const q = new Gaussian([0], scaledIdentity(1, 1));
    const B = new Gaussian([0], scaledIdentity(1, r));
    const klB = gaussianKL(q, B);
    const A = new Gaussian([Math.sqrt(2 * k * klB)], scaledIdentity(1, 1));
    const klA = gaussianKL(q, A);
    const lA = expectedLossExcess(q, A, 'mar-cosine').value, lB = expectedLossExcess(q, B, 'mar-cosine').value;
    return { holds: Math.sign(lA - lB) === Math.sign(klA - klB), quantities: { 'KL_A (shift)': klA, 'KL_B (variance)': klB, 'MAR loss excess A': lA, 'MAR loss excess B': lB } };
  },
  describeCase: (c) => c,
};

export const diffusionLossClaims: readonly Claim[] = [diffusionLossSurrogate, marRanking];
