import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, simpleDouble } from '../src/arbitraries/index.ts';
import { symmetricEigen } from '../src/linalg/index.ts';
import { scaledLinearSchedule } from '../src/diffusion/index.ts';
import {
  affineFamilyModel, affineFitComparison, elboMinimizerScore, likelihoodMatchingModel, negativeExpectedElbo, negativeExpectedLogLikelihood, perturbStep,
} from '../src/theory/affineElboFit.ts';

// MATH.md §13.6: ELBO vs likelihood minimizers over DDPMs with a free affine score at every step.

/** d ≤ 2, cond ≤ 100, eigenvalues in [10^−1.5, 10^1.5] with one ≠ 1 (for Σ = I the exact-score sampler is exact at every T). */
const dataArb = fc.integer({ min: 1, max: 2 }).chain((d) => gaussianOfDim(d, { maxConditionNumber: 100, centreRange: 0.5, meanBound: 2 }))
  .filter((g) => Array.from(symmetricEigen(g.cov).values).some((v) => Math.abs(Math.log10(v)) >= 0.01));
const dirArb = fc.record({ dB: fc.array(simpleDouble(-1, 1, 2), { minLength: 4, maxLength: 4 }), dc: fc.array(simpleDouble(-1, 1, 2), { minLength: 2, maxLength: 2 }) });
const U = Number.EPSILON;

describe('ELBO minimizer over per-step affine scores', () => {
  test.prop([dataArb, fc.integer({ min: 2, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), dirArb, fc.constantFrom('beta' as const, 'betaTilde' as const)], { numRuns: 40 })(
    'the exact score is stationary for −E ELBO_T in every step\'s (B_t, c_t): no linear term, a non-negative quadratic one', (data, T, u, dir, variance) => {
      const s = scaledLinearSchedule(T);
      const d = data.dim;
      const t0 = 1 + Math.floor(u * (T - 1));
      const dB = { rows: d, cols: d, data: Float64Array.from(dir.dB.slice(0, d * d)) };
      const base = elboMinimizerScore(data, s);
      const f = (h: number) => negativeExpectedElbo(data, affineFamilyModel(perturbStep(base, t0, dB, dir.dc.slice(0, d), h), variance), s);
      const h = 1e-2;
      const f0 = f(0), fp = f(h), fm = f(-h);
      // f is an exact quadratic in h: linear coefficient (fp − fm)/(2h), quadratic (fp + fm − 2f0)/(2h²);
      // rounding of each value ≤ (T + 32)·u·|f| (elbo.ts elboRoundingFloor, magnitude ≈ |f| + d)
      const floor = (T + 32) * U * (Math.abs(f0) + 10 * d);
      expect(Math.abs(fp - fm) / (2 * h)).toBeLessThanOrEqual(floor / h);
      expect((fp + fm - 2 * f0) / (2 * h * h)).toBeGreaterThanOrEqual(-floor / (h * h));
    },
  );

  test('negative control: a score shifted at one step (c_t + 0.1) is not stationary', () => {
    const out = fc.check(fc.property(dataArb, fc.integer({ min: 2, max: 60 }), dirArb, (data, T, dir) => {
      const s = scaledLinearSchedule(T);
      const d = data.dim;
      const dB = { rows: d, cols: d, data: Float64Array.from(dir.dB.slice(0, d * d)) };
      const shifted = perturbStep(elboMinimizerScore(data, s), 1, { rows: d, cols: d, data: new Float64Array(d * d) }, new Float64Array(d).fill(0.1), 1);
      const f = (h: number) => negativeExpectedElbo(data, affineFamilyModel(perturbStep(shifted, 1, dB, dir.dc.slice(0, d), h), 'beta'), s);
      const h = 1e-2;
      const floor = (T + 32) * U * (Math.abs(f(0)) + 10 * d);
      return Math.abs(f(h) - f(-h)) / (2 * h) <= floor / h;
    }), { numRuns: 50 });
    expect(out.failed).toBe(true);
  });
});

describe('the likelihood minimizer and how far the ELBO minimizer is from it', () => {
  test.prop([dataArb, fc.integer({ min: 10, max: 400 })], { numRuns: 30 })('a member of the family reproduces the data: its NLL is H(q) (the family\'s minimum)', (data, T) => {
    const s = scaledLinearSchedule(T);
    const m = likelihoodMatchingModel(data, s, 'beta');
    const cmp = affineFitComparison(data, s);
    const nll = negativeExpectedLogLikelihood(data, m, s);
    expect(Math.abs(nll - cmp.nllMinimum)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(cmp.nllMinimum)));
  });

  test.prop([dataArb], { numRuns: 20 })('the minimizers nearly coincide: NLL excess of the ELBO minimizer and ELBO excess of the likelihood minimizer both fall from T = 50 to T = 400', (data) => {
    const rows = [50, 400].map((T) => {
      const s = scaledLinearSchedule(T);
      const cmp = affineFitComparison(data, s);
      const lm = likelihoodMatchingModel(data, s, 'beta');
      return { nllExcess: cmp.likelihoodExcess, elboExcess: negativeExpectedElbo(data, lm, s) - cmp.elboObjective, floor: (T + 32) * U * (Math.abs(cmp.elboObjective) + 20) };
    });
    expect(rows[1].nllExcess).toBeLessThan(rows[0].nllExcess);
    expect(rows[1].elboExcess).toBeLessThan(rows[0].elboExcess);
    // and both are ≥ 0 (each member is optimal for its own objective)
    for (const r of rows) {
      expect(r.nllExcess).toBeGreaterThanOrEqual(0);
      expect(r.elboExcess).toBeGreaterThanOrEqual(-r.floor);
    }
  });
});
