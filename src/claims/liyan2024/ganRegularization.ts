import fc from 'fast-check';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import { mixtureOfDim } from '../../arbitraries/mixture.ts';
import { withinTolerance } from '../../engine/outcome.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { GaussianMixture, type DataDistribution } from '../../gaussian/mixture.ts';
import { fromRows } from '../../linalg/index.ts';
import { dsmRegularizer, entropyByQuadrature, klByQuadrature, scoreDivergenceDensity, scoreDivergenceIntegral } from '../../theory/ganScoreRegularization.ts';
import type { Claim } from '../claim.ts';
import type { Figure } from '../../engine/figure.ts';
import { describeData } from './shared.ts';

/*
 * Li & Yan 2024 §4.2 (MATH.md §13.5): what a score-matching regularizer controls in GAN training.
 */

export interface GanCase {
  readonly generator: DataDistribution;
  readonly data: DataDistribution;
}

const SPD = { maxConditionNumber: 30, centreRange: 0.5, meanBound: 2 } as const;
/** Gaussian generator and data (d ≤ 3, closed-form inner expectation) or 1-D Gaussian mixtures (≤ 2 components, Gauss–Hermite). */
const cases = (): fc.Arbitrary<GanCase> => fc.oneof(
  fc.integer({ min: 1, max: 3 }).chain((d) => fc.record({ generator: gaussianOfDim(d, SPD), data: gaussianOfDim(d, SPD) })),
  fc.record({ generator: mixtureOfDim(1, { ...SPD, maxComponents: 2 }), data: mixtureOfDim(1, { ...SPD, maxComponents: 2 }) }),
);

export const klThroughScores: Claim<GanCase> = {
  id: 'liyan2024.ganRegularization.kl-through-scores',
  source: 'liyan2024',
  section: '§4.2',
  statement: 'Score-matching regularization in GAN training controls the divergence between generator and data written through their scores along the forward process: KL(p_G ‖ p_data) = ½ ∫₀¹ E_{x_α~p_{G,α}} ‖ε*_data(x_α) − ε*_G(x_α)‖² / (α(1−α)) dα.',
  assumptions: [
    'generator and data Gaussian (d ≤ 3; inner expectation in closed form) or 1-D Gaussian mixtures (≤ 2 components; inner expectation by adaptive Gauss–Kronrod over the generator\'s components, with its error estimate)',
    'λ-integral (λ = log-SNR) by adaptive Gauss–Kronrod on [−40, 40] with tail bound; KL of mixtures by Gauss–Hermite',
    'holds if |integral − KL| ≤ the two quadrature error bounds + 1e-9·max(1, KL)',
  ],
  expected: 'holds',
  defaultRuns: 12,
  assertionsPerCase: 0,
  cases,
  check(c) {
    const r = scoreDivergenceIntegral(c.generator, c.data);
    const kl = klByQuadrature(c.generator, c.data);
    return withinTolerance(Math.abs(r.value - kl.value), r.error + kl.error + 1e-9 * Math.max(1, kl.value), {
      quantities: { '½∫E‖ε*_data − ε*_G‖²dλ': r.value, 'KL(p_G ‖ p_data)': kl.value, 'quadrature bound': r.error, 'KL quadrature bound': kl.error },
    });
  },
  describeCase: (c) => ({ generator: describeData(c.generator), data: describeData(c.data) }),
  figures: () => [ganDensityFigure()],
};

export const dsmRegularizerIsKl: Claim<[GanCase, GanCase]> = {
  id: 'liyan2024.ganRegularization.dsm-regularizer-is-kl',
  source: 'liyan2024',
  section: '§4.2',
  statement: 'Read as "the regularizer one trains with — DSM against a frozen data model, ½∫(E‖ε*_data(x_α) − z‖² − dα)dλ over generator samples — equals KL(p_G ‖ p_data) up to a constant": it differs from the KL by the generator\'s entropy H(p_G), which moves with G.',
  assumptions: [
    'two Gaussian generators against the same Gaussian data, d ≤ 3 (closed-form inner expectations)',
    'holds if (R_DSM − KL) is the same for both generators to 1e-9·(1 + |values|); the identity R_DSM = KL + H(p_G) − (d/2)log 2πe is a property (properties/ganScoreRegularization.prop.ts)',
  ],
  expected: 'refuted',
  defaultRuns: 30,
  assertionsPerCase: 0,
  cases: () => fc.integer({ min: 1, max: 3 }).chain((d) => fc.tuple(
    fc.record({ generator: gaussianOfDim(d, SPD), data: gaussianOfDim(d, SPD) }),
    gaussianOfDim(d, SPD),
  ).map(([a, g2]) => [a, { generator: g2, data: a.data }] as [GanCase, GanCase])),
  check([a, b]) {
    const off = (c: GanCase) => dsmRegularizer(c.generator, c.data).value - klByQuadrature(c.generator, c.data).value;
    const oa = off(a), ob = off(b);
    return withinTolerance(Math.abs(oa - ob), 1e-9 * (1 + Math.abs(oa) + Math.abs(ob)), {
      metric: '|(R_DSM − KL)(G₁) − (R_DSM − KL)(G₂)|',
      quantities: { '(R_DSM − KL)(G₁)': oa, '(R_DSM − KL)(G₂)': ob, 'H(G₁)': entropyByQuadrature(a.generator).value, 'H(G₂)': entropyByQuadrature(b.generator).value },
    });
  },
  describeCase: ([a, b]) => ({ data: describeData(a.data), generator1: describeData(a.generator), generator2: describeData(b.generator) }),
};

function ganDensityFigure(): Figure {
  const data = new GaussianMixture([0.5, 0.5], [new Gaussian([-1], fromRows([[0.3]])), new Gaussian([1], fromRows([[0.3]]))]);
  const collapsed = new Gaussian([1], fromRows([[0.3]]));
  const wide = new Gaussian([0], fromRows([[1.5]]));
  const grid = Array.from({ length: 121 }, (_, i) => -12 + i * 0.2);
  const series = [['generator on one mode N(1, 0.3)', collapsed], ['generator covering both N(0, 1.5)', wide]] as const;
  return {
    id: 'liyan2024-gan-score-divergence',
    title: 'GAN regularization: the score divergence along the forward process (its area is KL(p_G ‖ p_data))',
    xLabel: 'log-SNR λ',
    yLabel: '½ E_{p_G,α}‖ε*_data − ε*_G‖²',
    series: series.map(([name, g]) => ({ name: `${name}: KL = ${klByQuadrature(g, data).value.toFixed(4)}`, points: scoreDivergenceDensity(g, data, grid, 40).map((r) => [r.logSnr, r.density] as const) })),
    caption: 'Data ½N(−1, 0.3) + ½N(1, 0.3). A generator that drops a mode differs from the data at low SNR (coarse structure); one that blurs both differs at high SNR (fine structure).',
  };
}

export const ganRegularizationClaims: readonly Claim[] = [klThroughScores, dsmRegularizerIsKl];
