import { describe, expect, test } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { gaussianKL } from '../gaussian/klDivergence.ts';
import { GaussianMixture } from '../gaussian/mixture.ts';
import { fromRows } from '../linalg/index.ts';
import { createRng } from '../mc/rng.ts';
import { densityFormulaLogDensity } from './densityFormula.ts';
import { expectedLossExcess, tokenNllFromPredictor } from './diffusionLoss.ts';
import { expectedDensityFormula, expectedPredictorMismatch } from './expectedDensityFormula.ts';
import { mmseNoisePredictor } from './mmseNoisePredictor.ts';

/* Li & Yan 2024's density formula (MATH.md §3) against log densities, entropies and KLs in closed form. */
const g2 = new Gaussian([0.5, -1], fromRows([[1.5, 0.6], [0.6, 0.8]]));

describe('density formula at a point', () => {
  test('affine inner rule with the exact predictor of correlated 2-d Gaussian data: log q(x_0)', () => {
    const r = densityFormulaLogDensity([0.3, 0.2], mmseNoisePredictor(g2));
    expect(Math.abs(r.logDensity - g2.logPdf([0.3, 0.2]))).toBeLessThanOrEqual(r.quadratureError + 1e-10);
    expect(r.quadratureError).toBeLessThan(1e-8);
    expect(r.statisticalError).toBe(0);
    expect(r.converged).toBe(true);
    expect(r.predictorCalls).toBeGreaterThan(0);
    expect(r.parts.outer + r.parts.tail + r.parts.inner).toBeCloseTo(r.quadratureError, 15);
    expect(tokenNllFromPredictor([0.3, 0.2], mmseNoisePredictor(g2)).nll).toBeCloseTo(-g2.logPdf([0.3, 0.2]), 8);
  });

  test('Gauss–Hermite inner rule with a 1-d mixture\'s exact predictor: the mixture\'s log density', () => {
    const mix = new GaussianMixture([0.4, 0.6], [new Gaussian([-1], fromRows([[0.5]])), new Gaussian([1.5], fromRows([[1]]))]);
    const r = densityFormulaLogDensity([0.2], mmseNoisePredictor(mix), { inner: { kind: 'gauss-hermite' } });
    expect(Math.abs(r.logDensity - mix.logPdf([0.2]))).toBeLessThanOrEqual(r.quadratureError + 1e-9);
    expect(r.parts.inner).toBeGreaterThan(0);
  });

  test('Monte Carlo inner rule, draw by draw: for N(0, 1) data each pair integrates to x_0² − z_p², so log q = −½log 2πe − ½(x_0² − mean z²)', () => {
    const pairs = 16, x0 = 0.7;
    const z = createRng('densityFormula/7').fillNormal(new Float64Array(pairs));
    const per = Array.from(z, (v) => x0 * x0 - v * v);
    const m = per.reduce((p, v) => p + v, 0) / pairs;
    const sd = Math.sqrt(per.reduce((p, v) => p + (v - m) ** 2, 0) / (pairs - 1));
    const r = densityFormulaLogDensity([x0], mmseNoisePredictor(new Gaussian([0], fromRows([[1]]))), { inner: { kind: 'monte-carlo', pairs, seed: 7 } });
    expect(r.logDensity).toBeCloseTo(-0.5 * (Math.log(2 * Math.PI) + 1) - 0.5 * m, 8);
    expect(r.statisticalError).toBeCloseTo((0.5 * sd) / Math.sqrt(pairs), 8);
  });

  test('validation: x_0, L, the inner rule and its sizes, and the predictor\'s answers', () => {
    const p = mmseNoisePredictor(g2);
    expect(() => densityFormulaLogDensity([], p)).toThrow(/^x0/);
    expect(() => densityFormulaLogDensity([0, Number.NaN], p)).toThrow(InvalidArgumentError);
    expect(() => densityFormulaLogDensity([0, 0], p, { logSnrBound: 0 })).toThrow(/^logSnrBound/);
    expect(() => densityFormulaLogDensity([0, 0], p, { logSnrBound: 701 })).toThrow(/^logSnrBound/);
    expect(() => densityFormulaLogDensity([0, 0, 0, 0], () => [0, 0, 0, 0], { inner: { kind: 'gauss-hermite' } })).toThrow(/Gauss–Hermite/);
    expect(() => densityFormulaLogDensity([0], () => [0], { inner: { kind: 'gauss-hermite', nodes: 2 } })).toThrow(/inner\.nodes/);
    expect(() => densityFormulaLogDensity([0], () => [0], { inner: { kind: 'monte-carlo', pairs: 1, seed: 1 } })).toThrow(/inner\.pairs/);
    expect(() => densityFormulaLogDensity([0], () => [0], { inner: { kind: 'nope' } as never })).toThrow(/unknown inner/);
    expect(() => densityFormulaLogDensity([0], (x) => [x[0] ** 3])).toThrow(/not affine/);
    expect(() => densityFormulaLogDensity([0, 0], () => [0])).toThrow(DimensionMismatchError);
    expect(() => densityFormulaLogDensity([0], () => [Number.NaN])).toThrow(NonFiniteError);
  });
});

describe('the formula averaged over x_0 ~ N(μ, Σ), affine predictors', () => {
  const cand = new Gaussian([0, 0], fromRows([[1, 0], [0, 2]]));
  test('exact predictor: −H(q); a candidate\'s predictor: the cross-entropy E_q log p_cand = −H(q) − KL(q ‖ p_cand)', () => {
    const ent = -0.5 * (2 * Math.log(2 * Math.PI * Math.E) + g2.logDetCov());
    const e = expectedDensityFormula(g2, mmseNoisePredictor(g2));
    expect(Math.abs(e.value - ent)).toBeLessThanOrEqual(e.error + 1e-10);
    const c = expectedDensityFormula(g2, mmseNoisePredictor(cand));
    expect(c.value).toBeCloseTo(ent - gaussianKL(g2, cand), 8);
  });

  test('½ ∫ E‖ε_cand − ε*‖² dλ = KL(q ‖ p_cand); zero for the exact predictor; MAR\'s weighting is a different positive number', () => {
    expect(expectedLossExcess(g2, cand, 'density-formula').value).toBeCloseTo(gaussianKL(g2, cand), 8);
    expect(expectedPredictorMismatch(g2, mmseNoisePredictor(g2)).value).toBeCloseTo(0, 12);
    expect(expectedPredictorMismatch(g2, mmseNoisePredictor(cand), () => 0.5).value).toBeCloseTo(gaussianKL(g2, cand), 8);
    const mar = expectedLossExcess(g2, cand, 'mar-cosine').value;
    expect(mar).toBeGreaterThan(0);
    expect(Math.abs(mar - gaussianKL(g2, cand))).toBeGreaterThan(1e-3);
  });
});
