import fc from 'fast-check';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import { mixtureOfDim } from '../../arbitraries/mixture.ts';
import { type VPSchedule, scaledLinearSchedule } from '../../diffusion/schedule.ts';
import { NoMinimizerError } from '../../numerics/noMinimizerError.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import type { DataDistribution } from '../../gaussian/mixture.ts';
import { fitPowerLaw } from '../../numerics/powerLawFit.ts';
import { type DataMoments, dataMoments, isotropicElboMinimizer, isotropicNllMinimizer, isotropicSamplerNllMinimizer, minimizerDistanceFloor } from '../../theory/elboFit.ts';
import type { Claim } from '../claim.ts';
import type { Figure } from '../../engine/figure.ts';
import { SPD, T_SWEEP, describeData, figureGaussian } from './shared.ts';
import { simpleDouble } from '../../arbitraries/boundedDouble.ts';
import { withinTolerance } from '../../engine/outcome.ts';
import { scale, symmetricEigen } from '../../linalg/index.ts';
import { affineFamilyModel, affineFitComparison, elboMinimizerScore, likelihoodMatchingModel, negativeExpectedElbo, perturbStep } from '../../theory/affineElboFit.ts';

export const elboMinimizer: Claim<DataDistribution> = {
  id: 'liyan2024.elboFit.minimizer-coincides',
  source: 'liyan2024',
  statement: 'The minimizer of the DDPM training objective (−E ELBO_T) nearly coincides with the minimizer of the true negative log-likelihood.',
  assumptions: [
    'family N(m, vI) with its exact diffused score, σ_t² = β_t, model-marginal prior; data Gaussian or a Gaussian mixture, d ≤ 2',
    'found: argmin −E ELBO_T = argmin NLL = (μ, tr S / d) for every T (each ELBO term is minimized by the moment-matched member); checked to 1e-7 relative at T ∈ {50, 200}',
    'and the T-step sampler\'s own NLL minimizer approaches it (distance decreasing from T = 50 to 200 by more than the search resolution minimizerDistanceFloor); the family sees data only through μ and τ = tr S/d, and for τ = 1 the member v = 1 is exact for every T (distance 0), so cases have |τ − 1| ≥ 0.01',
    'the sampler\'s minimizer is taken over the closure v ∈ [0, ∞): where its NLL decreases all the way to v → 0 (data variance below its last-step noise β_1 = 0.002 at T = 50) no member minimizes it, and the infimum v = 0 is at distance exactly 1',
  ],
  expected: 'holds',
  defaultRuns: 6,
  assertionsPerCase: 0,
  cases: () =>
    fc.integer({ min: 1, max: 2 }).chain((d) => fc.oneof(gaussianOfDim(d, SPD), mixtureOfDim(d, { ...SPD, maxComponents: 3 }))).filter((data) => {
      const c = dataMoments(data).cov;
      let tr = 0;
      for (let i = 0; i < c.rows; i++) tr += c.data[i * c.rows + i];
      return Math.abs(tr / c.rows - 1) >= 0.01;
    }),
  check(data) {
    const mom = dataMoments(data);
    const nll = isotropicNllMinimizer(mom);
    const rel: number[] = [], samplerDist: number[] = [], floor: number[] = [];
    for (const T of [50, 200]) {
      const s = scaledLinearSchedule(T);
      const f = isotropicElboMinimizer(mom, s);
      rel.push(Math.abs(f.variance - nll.variance) / nll.variance + Math.hypot(...f.mean.map((x, i) => x - nll.mean[i])));
      const h = samplerMinimizerDistance(mom, s, f.variance);
      samplerDist.push(h.distance);
      floor.push((minimizerDistanceFloor(f, mom.mean.length, T) + (h.objective === undefined ? 0 : minimizerDistanceFloor({ objective: h.objective }, mom.mean.length, T))) / 2);
    }
    const maxRel = Math.max(...rel);
    return { holds: maxRel <= 1e-7 && samplerDist[1] + floor[1] < samplerDist[0] - floor[0], maxError: maxRel, tolerance: 1e-7, quantities: { 'NLL argmin v': nll.variance, 'ELBO argmin rel. error': rel, 'sampler-NLL argmin distance': samplerDist } };
  },
  describeCase: (d) => describeData(d),
  figures: () => [minimizerFigure()],
};

/**
 * Relative distance |v_h − v_f|/v_f of the T-step sampler's NLL minimizer v_h from v_f, over the family's
 * closure v ∈ [0, ∞]. When the NLL decreases all the way to v → 0 no member minimizes it (the sampler's
 * own last-step noise already exceeds the data's spread: σ_1² = β_1 = 0.002 at T = 50 against data
 * variances down to 1e-3), its infimum is at v_h = 0 and the distance is exactly 1 (no search error:
 * objective undefined); toward v → ∞ it is ∞.
 */
function samplerMinimizerDistance(mom: DataMoments, s: VPSchedule, vf: number): { distance: number; objective?: number } {
  try {
    const h = isotropicSamplerNllMinimizer(mom, s);
    return { distance: Math.abs(h.variance - vf) / vf, objective: h.objective };
  } catch (e) {
    if (!(e instanceof NoMinimizerError)) throw e;
    return { distance: e.direction === 'lower' ? 1 : Number.POSITIVE_INFINITY };
  }
}

function minimizerFigure(): Figure {
  const mom = dataMoments(figureGaussian());
  const rows = T_SWEEP.map((T) => {
    const s = scaledLinearSchedule(T);
    const f = isotropicElboMinimizer(mom, s);
    const h = isotropicSamplerNllMinimizer(mom, s);
    return [T, Math.abs(h.variance - f.variance) / f.variance] as [number, number];
  });
  const fit = fitPowerLaw(rows.slice(2).map((r) => r[0]), rows.slice(2).map((r) => r[1]));
  return {
    id: 'liyan2024-minimizer-vs-T',
    title: 'ELBO minimizer against the T-step sampler\'s NLL minimizer',
    xLabel: 'T (scaled-linear β)',
    yLabel: '|v_sampler − v_ELBO| / v_ELBO',
    logX: true,
    logY: true,
    series: [{ name: `relative distance (slope ${fit.exponent.toFixed(2)})`, points: rows }],
    caption: 'Family N(m, vI), d = 2 Gaussian data. The ELBO minimizer equals the family NLL minimizer (tr S/d) exactly at every T; the sampler\'s own NLL minimizer approaches it like 1/T.',
  };
}

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
})).map(someEigenvalueNotOne);

/**
 * The assumption "some eigenvalue of Σ is not 1" (|log10 λ| ≥ 0.01), enforced by a map (no filter): a Σ with every
 * |log10 λ_i| < 0.01 is scaled by 10^0.02, which puts every eigenvalue in [10^0.01, 10^0.03).
 */
function someEigenvalueNotOne(c: AffineFitCase): AffineFitCase {
  if (Array.from(symmetricEigen(c.data.cov).values).some((v) => Math.abs(Math.log10(v)) >= 0.01)) return c;
  return { ...c, data: new Gaussian(c.data.mean, scale(c.data.cov, 10 ** 0.02)) };
}

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

export const elboFitClaims: readonly Claim[] = [elboMinimizer, ...affineElboFitClaims];
