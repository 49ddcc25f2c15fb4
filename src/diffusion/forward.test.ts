import { describe, expect, test } from 'vitest';
import { DimensionMismatchError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { GaussianMixture } from '../gaussian/mixture.ts';
import { fromRows } from '../linalg/index.ts';
import { addNoise, conditionalScore, conditionalScoreSecondMoment, gaussianMarginal, marginal, mixtureMarginal } from './forward.ts';
import { marginalScore, tweedieDenoiser } from './tweedie.ts';

const level = { a: 0.6, s: 0.8 };
const near = (got: ArrayLike<number>, want: readonly number[], tol = 1e-13) =>
  want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w))));

describe('forward kernel x_t = a x_0 + s ε (MATH.md §1)', () => {
  test('addNoise and the conditional score, coordinate by coordinate', () => {
    near(addNoise([1, -2], [0.5, 3], level), [0.6 + 0.4, -1.2 + 2.4]);
    const out = new Float64Array(2);
    expect(addNoise([1, 1], [1, 1], level, out)).toBe(out);
    // ∇ log q(x_t|x_0) = −(x_t − a x_0)/s² = −ε/s on x_t = a x_0 + s ε
    near(conditionalScore([1, -0.8], [1, 2], level), [-(1 - 0.6) / 0.64, -(-0.8 - 1.2) / 0.64]);
    expect(() => addNoise([1, 2], [1], level)).toThrow(DimensionMismatchError);
    expect(() => conditionalScore([1, 2], [1], level)).toThrow(DimensionMismatchError);
    expect(conditionalScoreSecondMoment(3, level)).toBeCloseTo(3 / 0.64, 14);
  });

  test('Gaussian marginal N(aμ, a²Σ + s²I), mixture marginal component-wise with the same weights', () => {
    const g = new Gaussian([1, -1], fromRows([[2, 0.5], [0.5, 1]]));
    const m = gaussianMarginal(g, level);
    near(m.mean, [0.6, -0.6]);
    near(m.cov.data, [0.36 * 2 + 0.64, 0.36 * 0.5, 0.36 * 0.5, 0.36 + 0.64]);
    const h = new Gaussian([0, 3], fromRows([[1, 0], [0, 4]]));
    const mix = new GaussianMixture([0.25, 0.75], [g, h]);
    const mm = mixtureMarginal(mix, level);
    near(mm.weights, [0.25, 0.75]);
    near(mm.components[1].mean, [0, 1.8]);
    near(mm.components[1].cov.data, [1, 0, 0, 0.36 * 4 + 0.64]);
    expect(marginal(mix, level)).toBeInstanceOf(GaussianMixture);
    expect(marginal(g, level)).toBeInstanceOf(Gaussian);
    // an invalid level (not validated here) surfaces as the marginal's own field, not a silent NaN
    expect(() => gaussianMarginal(g, { a: Number.NaN, s: 1 })).toThrow(/^marginal\.mean\[0\]/);
  });
});

describe('Tweedie E[x_0 | x_t] against the scalar closed form', () => {
  /** One coordinate of Gaussian data N(μ, σ²): E[x_0|x] = μ + aσ²(x − aμ)/(a²σ² + s²). */
  const posteriorMean1d = (mu: number, v: number, x: number) => mu + (level.a * v * (x - level.a * mu)) / (level.a ** 2 * v + level.s ** 2);

  test('Gaussian data with diagonal Σ: per coordinate; the marginal score −(x − aμ)/(a²σ² + s²)', () => {
    const g = new Gaussian([1, -2], fromRows([[0.5, 0], [0, 3]]));
    const x = [0.3, 1.7];
    near(tweedieDenoiser(g, level, x), [posteriorMean1d(1, 0.5, 0.3), posteriorMean1d(-2, 3, 1.7)], 1e-12);
    near(marginalScore(g, level, x), [-(0.3 - 0.6) / (0.36 * 0.5 + 0.64), -(1.7 + 1.2) / (0.36 * 3 + 0.64)], 1e-12);
  });

  test('1-d mixture: Σ_k r_k(x) E_k[x_0|x], responsibilities from the marginal densities', () => {
    const w = [0.3, 0.7], mus = [-1, 2], vs = [0.25, 1];
    const mix = new GaussianMixture(w, mus.map((m, k) => new Gaussian([m], fromRows([[vs[k]]]))));
    const x = 0.4;
    const dens = mus.map((m, k) => {
      const v = level.a ** 2 * vs[k] + level.s ** 2;
      return (w[k] * Math.exp(-((x - level.a * m) ** 2) / (2 * v))) / Math.sqrt(2 * Math.PI * v);
    });
    const z = dens[0] + dens[1];
    const want = (dens[0] * posteriorMean1d(mus[0], vs[0], x) + dens[1] * posteriorMean1d(mus[1], vs[1], x)) / z;
    near(tweedieDenoiser(mix, level, [x]), [want], 1e-12);
  });
});
