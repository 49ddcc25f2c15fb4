import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, simpleDouble } from '../src/arbitraries/index.ts';
import { cosineSchedule, scaledLinearSchedule } from '../src/diffusion/index.ts';
import { ddpmDecomposition } from '../src/theory/ddpmDecomposition.ts';
import { discreteDensityFormula } from '../src/theory/discreteDensityFormula.ts';
import { mmseNoisePredictor } from '../src/theory/mmseNoisePredictor.ts';

// MATH.md §13.8: the density formula on the DDPM grid, beside the exact ELBO decomposition.

const caseArb = fc.integer({ min: 1, max: 3 }).chain((d) => fc.record({
  g: gaussianOfDim(d, { maxConditionNumber: 100, centreRange: 0.5, meanBound: 2 }),
  u: fc.array(simpleDouble(-2.5, 2.5, 2), { minLength: d, maxLength: d }),
  weight: fc.constantFrom('riemann' as const, 'ddpm' as const),
}));
const point = (g: { mean: Float64Array; chol: { data: Float64Array }; dim: number }, u: number[]) => {
  const x = Float64Array.from(g.mean);
  for (let i = 0; i < g.dim; i++) for (let k = 0; k <= i; k++) x[i] += g.chol.data[i * g.dim + k] * u[k];
  return x;
};

describe('discrete density formula', () => {
  test.prop([caseArb], { numRuns: 30 })('cosine schedule (ᾱ_T ≈ 0): the error against log q(x_0) is O(1/T) — T·|err(T)| at T = 3200 is no larger than 1.5 × its maximum over T = 200, 800', ({ g, u, weight }) => {
    const x0 = point(g, u);
    const exact = g.logPdf(x0);
    const scaled = [200, 800, 3200].map((T) => T * Math.abs(discreteDensityFormula(x0, mmseNoisePredictor(g), cosineSchedule(T), weight).logDensity - exact));
    expect(scaled[2]).toBeLessThanOrEqual(1.5 * Math.max(scaled[0], scaled[1]) + 3200 * 1e-10 * (1 + Math.abs(exact)));
  });

  test.prop([caseArb], { numRuns: 30 })('the exact identity on the same grid is the ELBO decomposition (to rounding), while the formula is off by O(1/T)', ({ g, u }) => {
    const x0 = point(g, u);
    const s = scaledLinearSchedule(100);
    const exact = g.logPdf(x0);
    expect(Math.abs(ddpmDecomposition(g, s, x0).total - exact)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(exact)));
  });

  test('negative control: dropping the 1/(1 − ᾱ_t) of the weight is not O(1/T)', () => {
    const out = fc.check(fc.property(caseArb, ({ g, u }) => {
      const x0 = point(g, u);
      const exact = g.logPdf(x0);
      const scaled = [200, 800, 3200].map((T) => T * Math.abs(discreteDensityFormula(x0, mmseNoisePredictor(g), cosineSchedule(T), (beta, alpha) => beta / alpha).logDensity - exact));
      return scaled[2] <= 1.5 * Math.max(scaled[0], scaled[1]) + 3200 * 1e-10 * (1 + Math.abs(exact));
    }), { numRuns: 20 });
    expect(out.failed).toBe(true);
  });
});
