import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, simpleDouble } from '../src/arbitraries/index.ts';
import { cosineSchedule, scaledLinearSchedule } from '../src/diffusion/index.ts';
import { Gaussian } from '../src/gaussian/gaussian.ts';
import { symmetricEigen } from '../src/linalg/index.ts';
import { integrate } from '../src/numerics/gaussKronrod.ts';
import { affinePredictorProbe } from '../src/theory/affinePredictorProbe.ts';
import { ddpmDecomposition } from '../src/theory/ddpmDecomposition.ts';
import { discreteDensityFormula } from '../src/theory/discreteDensityFormula.ts';
import { cosineRateConstants, discreteFormulaErrorBound, discreteFormulaRoundingFloor } from '../src/theory/discreteFormulaErrorBound.ts';
import { gaussianDensityIntegrand } from '../src/theory/gaussianDensityIntegrand.ts';
import { mmseNoisePredictor } from '../src/theory/mmseNoisePredictor.ts';

// MATH.md §13.8: the density formula on the DDPM grid, its explicit error bound, beside the exact ELBO decomposition.

const caseArb = fc.integer({ min: 1, max: 3 }).chain((d) => fc.record({
  g: gaussianOfDim(d, { maxConditionNumber: 100, centreRange: 0.5, meanBound: 2 }),
  u: fc.array(simpleDouble(-3, 3, 2), { minLength: d, maxLength: d }),
  weight: fc.constantFrom('riemann' as const, 'ddpm' as const),
  T: fc.integer({ min: 0, max: 48 }).map((k) => Math.round(2 ** (k / 4))),
}));
const point = (g: { mean: Float64Array; chol: { data: Float64Array }; dim: number }, u: number[]) => {
  const x = Float64Array.from(g.mean);
  for (let i = 0; i < g.dim; i++) for (let k = 0; k <= i; k++) x[i] += g.chol.data[i * g.dim + k] * u[k];
  return x;
};
const cond = (c: { data: Float64Array; rows: number; cols: number }) => {
  const e = symmetricEigen(c).values;
  return Math.max(...e) / Math.min(...e);
};

describe('the density formula\'s integrand for Gaussian data in closed form', () => {
  test.prop([caseArb, fc.double({ min: 1e-3, max: 1 - 1e-3, noNaN: true })], { numRuns: 40 })('g(α) = [E_z‖ε*(√α x_0 + √(1−α) z) − z‖² − dα]/(α(1−α)) (the affine predictor probed at α)', ({ g, u }, alpha) => {
    const x0 = point(g, u);
    const pt = { alpha, oneMinusAlpha: 1 - alpha, logSnr: Math.log(alpha / (1 - alpha)), a: Math.sqrt(alpha), s: Math.sqrt(1 - alpha) };
    const { e0, A } = affinePredictorProbe(mmseNoisePredictor(g), Float64Array.from(x0, (v) => pt.a * v), pt);
    const d = g.dim;
    let f = -d * alpha, size = d;
    for (let i = 0; i < d; i++) {
      f += e0[i] * e0[i];
      size += e0[i] * e0[i];
      for (let j = 0; j < d; j++) f += (pt.s * A[i * d + j] - (i === j ? 1 : 0)) ** 2;
    }
    const closed = gaussianDensityIntegrand(g, x0).at(alpha);
    expect(Math.abs(closed - f / (alpha * (1 - alpha)))).toBeLessThanOrEqual((1e-11 * cond(g.cov) * size) / (alpha * (1 - alpha)));
  });

  test.prop([caseArb], { numRuns: 30 })('−(d/2) log 2πe − ½∫₀¹ g = log q(x_0) (Theorem 1), and TV, sup bound the integrand\'s variation on a fine grid', ({ g, u }) => {
    const x0 = point(g, u);
    const ig = gaussianDensityIntegrand(g, x0);
    const I = integrate(ig.at, 0, 1, { absTol: 1e-12, relTol: 1e-12, maxIntervals: 20000 });
    const exact = g.logPdf(x0);
    expect(Math.abs(-0.5 * g.dim * Math.log(2 * Math.PI * Math.E) - 0.5 * I.value - exact)).toBeLessThanOrEqual(I.error + 1e-10 * (1 + Math.abs(exact)));
    let tv = 0, sup = Math.abs(ig.at(0));
    for (let i = 1; i <= 4000; i++) {
      tv += Math.abs(ig.at(i / 4000) - ig.at((i - 1) / 4000));
      sup = Math.max(sup, Math.abs(ig.at(i / 4000)));
    }
    expect(tv).toBeLessThanOrEqual(ig.totalVariation * (1 + 1e-12) + 1e-12);
    expect(sup).toBeLessThanOrEqual(ig.supremum * (1 + 1e-12) + 1e-12);
  });
});

describe('discrete density formula: an explicit O(1/T) bound', () => {
  test.prop([caseArb], { numRuns: 60 })('cosine schedule, every T: |F_T(x_0) − log q(x_0)| ≤ ½[max Δ_t·TV(g) + ᾱ_T sup|g| (+ sup|g|Σβ_tΔ_t)], with T·max Δ_t ≤ M₁ and T·Σβ_tΔ_t ≤ 6M₃²', ({ g, u, weight, T }) => {
    const x0 = point(g, u);
    const exact = g.logPdf(x0);
    const s = cosineSchedule(T);
    const r = discreteDensityFormula(x0, mmseNoisePredictor(g), s, weight);
    const b = discreteFormulaErrorBound(gaussianDensityIntegrand(g, x0), s, weight);
    const floor = discreteFormulaRoundingFloor(T, g.dim, cond(g.cov), r.magnitude, exact);
    expect(Math.abs(r.logDensity - exact)).toBeLessThanOrEqual(b.bound + floor);
    const k = cosineRateConstants(T);
    expect(T * b.maxStep).toBeLessThanOrEqual(k.maxStep * (1 + 1e-12));
    expect(T * b.weightShift).toBeLessThanOrEqual(k.weightShift * (1 + 1e-12));
  });

  test('the bound is attained for Σ = I (a constant integrand): the truncation ½ᾱ_T g and the DDPM weight\'s shift are exact', () => {
    const g = new Gaussian([0.5, -0.2], { rows: 2, cols: 2, data: Float64Array.from([1, 0, 0, 1]) });
    const x0 = [0.7, -1.2];
    for (const weight of ['riemann', 'ddpm'] as const) for (const T of [1, 3, 50]) {
      const s = cosineSchedule(T);
      const err = discreteDensityFormula(x0, mmseNoisePredictor(g), s, weight).logDensity - g.logPdf(x0);
      const b = discreteFormulaErrorBound(gaussianDensityIntegrand(g, x0), s, weight);
      expect(Math.abs(Math.abs(err) - b.bound)).toBeLessThanOrEqual(1e-13 * (1 + b.bound));
    }
  });

  test('negative control: dropping the 1/(1 − ᾱ_t) of the weight breaks the bound (the error no longer vanishes)', () => {
    const out = fc.check(fc.property(caseArb, ({ g, u, T }) => {
      const x0 = point(g, u);
      const s = cosineSchedule(Math.max(T, 64));
      const err = discreteDensityFormula(x0, mmseNoisePredictor(g), s, (beta, alpha) => beta / alpha).logDensity - g.logPdf(x0);
      return Math.abs(err) <= discreteFormulaErrorBound(gaussianDensityIntegrand(g, x0), s, 'riemann').bound;
    }), { numRuns: 20 });
    expect(out.failed).toBe(true);
  });

  test('negative control: on the scaled-linear schedule (ᾱ_T fixed) the bound keeps a floor ½ᾱ_T sup|g|: no 1/T rate constant exists', () => {
    const bs = [1e4, 1e6].map((T) => T * discreteFormulaErrorBound({ totalVariation: 1, supremum: 1 }, scaledLinearSchedule(T)).bound);
    expect(bs[1]).toBeGreaterThan(5 * bs[0]);
    const cosine = 1e6 * discreteFormulaErrorBound({ totalVariation: 1, supremum: 1 }, cosineSchedule(1e6)).bound;
    expect(cosine).toBeLessThanOrEqual(0.5 * cosineRateConstants(1e6).maxStep + 1e-6);
    expect(bs[1]).toBeGreaterThan(10 * cosine);
  });

  test.prop([caseArb], { numRuns: 30 })('the exact identity on the same grid is the ELBO decomposition (to rounding), while the formula is off by O(1/T)', ({ g, u }) => {
    const x0 = point(g, u);
    const s = scaledLinearSchedule(100);
    const exact = g.logPdf(x0);
    expect(Math.abs(ddpmDecomposition(g, s, x0).total - exact)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(exact)));
  });
});
