import fc from 'fast-check';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import { simpleDouble } from '../../arbitraries/boundedDouble.ts';
import { scaledLinearSchedule } from '../../diffusion/schedule.ts';
import { withinTolerance } from '../../engine/outcome.ts';
import type { Gaussian } from '../../gaussian/gaussian.ts';
import { symmetricEigen } from '../../linalg/index.ts';
import { affineFamilyModel, affineFitComparison, elboMinimizerScore, likelihoodMatchingModel, negativeExpectedElbo, perturbStep } from '../../theory/affineElboFit.ts';
import type { Claim } from '../claim.ts';
import type { Figure } from '../../engine/figure.ts';
import { describeData, figureGaussian } from './shared.ts';

/*
 * Li & Yan 2024 §4.1 over score estimates (MATH.md §13.6): DDPMs with a free affine score at every step.
 */

export interface AffineFitCase {
  readonly data: Gaussian;
  /** The step whose (B_t, c_t) is perturbed, as a fraction of T, and the direction. */
  readonly stepFraction: number;
  readonly dB: number[];
  readonly dc: number[];
}

const cases = (): fc.Arbitrary<AffineFitCase> => fc.integer({ min: 1, max: 2 }).chain((d) => fc.record({
  data: gaussianOfDim(d, { maxConditionNumber: 100, centreRange: 0.5, meanBound: 2 }),
  stepFraction: fc.integer({ min: 0, max: 100 }).map((k) => k / 100),
  dB: fc.array(simpleDouble(-1, 1, 2), { minLength: d * d, maxLength: d * d }),
  dc: fc.array(simpleDouble(-1, 1, 2), { minLength: d, maxLength: d }),
})).filter((c) => Array.from(symmetricEigen(c.data.cov).values).some((v) => Math.abs(Math.log10(v)) >= 0.01));

const T_PAIR = [50, 400];

export const affineMinimizersCoincide: Claim<AffineFitCase> = {
  id: 'liyan2024.elboFit.affine-minimizers-nearly-coincide',
  source: 'liyan2024',
  section: '§4.1',
  statement: 'Over score estimates, the minimizer of the DDPM training objective (−E ELBO_T) nearly coincides with the minimizer of the negative log-likelihood of the DDPM: here over DDPMs with a free affine score at every step.',
  assumptions: [
    'data N(μ, Σ), d ≤ 2, cond ≤ 100, some eigenvalue ≠ 1 (Σ = I makes the exact-score sampler exact); σ_t² = β_t, p(x_T) = N(0, I), scaled-linear β, T ∈ {50, 400}',
    'the ELBO minimizer is the exact score at every step (checked: no linear term of −E ELBO along a random direction at a random step, rounding floor (T + 32)·ε·(|f| + 10d)); a likelihood minimizer reproduces the data (NLL = H(q))',
    '"nearly coincide" read as: each is near-optimal for the other\'s objective, and both excesses fall from T = 50 to T = 400',
  ],
  expected: 'holds',
  defaultRuns: 30,
  assertionsPerCase: 0,
  cases,
  check(c) {
    const rows = T_PAIR.map((T) => {
      const s = scaledLinearSchedule(T);
      const cmp = affineFitComparison(c.data, s);
      const lm = likelihoodMatchingModel(c.data, s, 'beta');
      return { nllExcess: cmp.likelihoodExcess, elboExcess: negativeExpectedElbo(c.data, lm, s) - cmp.elboObjective, objective: cmp.elboObjective };
    });
    const T = T_PAIR[0], s = scaledLinearSchedule(T), d = c.data.dim;
    const t0 = 1 + Math.round(c.stepFraction * (T - 1));
    const base = elboMinimizerScore(c.data, s);
    const dB = { rows: d, cols: d, data: Float64Array.from(c.dB) };
    const f = (h: number) => negativeExpectedElbo(c.data, affineFamilyModel(perturbStep(base, t0, dB, c.dc, h), 'beta'), s);
    const h = 1e-2, floor = (T + 32) * Number.EPSILON * (Math.abs(rows[0].objective) + 10 * d);
    const linear = Math.abs(f(h) - f(-h)) / (2 * h);
    // one ratio: the worst of (linear term / its floor) and (later excess / earlier excess) for both excesses
    const ratio = Math.max(linear / (floor / h), rows[1].nllExcess / rows[0].nllExcess, rows[1].elboExcess / rows[0].elboExcess);
    return withinTolerance(ratio, 1, {
      metric: 'max(linear term / rounding, excess(400)/excess(50))',
      quantities: { 'NLL excess of the ELBO minimizer': rows.map((r) => r.nllExcess), 'ELBO excess of the likelihood minimizer': rows.map((r) => r.elboExcess), T: T_PAIR, 'linear term at step t0': linear, t0 },
    });
  },
  describeCase: (c) => ({ data: describeData(c.data), stepFraction: c.stepFraction, dB: c.dB, dc: c.dc }),
  figures: () => [affineFitFigure()],
};

function affineFitFigure(): Figure {
  const g = figureGaussian();
  const Ts = [25, 50, 100, 200, 400, 800, 1600];
  const rows = Ts.map((T) => {
    const s = scaledLinearSchedule(T);
    const cmp = affineFitComparison(g, s);
    return { T, nll: cmp.likelihoodExcess, elbo: negativeExpectedElbo(g, likelihoodMatchingModel(g, s, 'beta'), s) - cmp.elboObjective };
  });
  return {
    id: 'liyan2024-affine-minimizers',
    title: 'ELBO vs likelihood minimizers over per-step affine scores',
    xLabel: 'T (scaled-linear β)',
    yLabel: 'excess (nats)',
    logX: true,
    logY: true,
    series: [
      { name: 'NLL excess of the ELBO minimizer (the exact score)', points: rows.map((r) => [r.T, r.nll] as const) },
      { name: 'ELBO excess of a likelihood minimizer', points: rows.map((r) => [r.T, r.elbo] as const) },
    ],
    caption: 'd = 2 figure Gaussian. The two minimizers are different members of the family at every T, but each is near-optimal for the other objective: the NLL excess falls like T⁻², the ELBO excess like T⁻¹.',
  };
}

export const affineElboFitClaims: readonly Claim[] = [affineMinimizersCoincide];
