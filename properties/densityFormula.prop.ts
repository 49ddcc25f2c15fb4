import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, mcSeed, mixtureOfDim, simpleDouble } from '../src/arbitraries/index.ts';
import { Gaussian, type GaussianMixture } from '../src/gaussian/index.ts';
import { scale } from '../src/linalg/index.ts';
import { criticalZ, perAssertionFalseAlarm } from '../src/mc/index.ts';
import { densityFormulaLogDensity } from '../src/theory/densityFormula.ts';
import { expectedDensityFormula, expectedPredictorMismatch } from '../src/theory/expectedDensityFormula.ts';
import { mmseNoisePredictor } from '../src/theory/mmseNoisePredictor.ts';

// MATH.md §3: log q_0(x_0) from the MMSE noise predictor by the density formula.
const SPD = { maxConditionNumber: 1e3, centreRange: 1, meanBound: 3 } as const;
const MIX = { maxConditionNumber: 30, centreRange: 0.5, meanBound: 2, maxComponents: 3 } as const;
const REL = 1e-8;

/** A point x_0 = μ + L u, |u_i| ≤ 3: within three standard deviations along each factor. */
function pointNear(g: Gaussian, u: readonly number[]): Float64Array {
  const x = Float64Array.from(g.mean);
  for (let i = 0; i < g.dim; i++) for (let k = 0; k <= i; k++) x[i] += g.chol.data[i * g.dim + k] * u[k];
  return x;
}
const gaussianCase = () =>
  fc.integer({ min: 1, max: 3 }).chain((d) => fc.tuple(gaussianOfDim(d, SPD), fc.array(simpleDouble(-3, 3, 2), { minLength: d, maxLength: d })));

/** The integrator's default absTol = relTol (densityFormulaLogDensity). */
const REQUESTED_TOLERANCE = 1e-12;

/**
 * Error allowed for a converged run: the larger of QUADPACK's estimate and the
 * tolerance the integrator was asked for, ½·max(absTol, relTol·|∫|) since
 * log q = const − ½∫ — the estimate is a heuristic and undershot the true error 5×
 * on a peaked integrand (seed 205: 3.2e-9 vs 6.3e-10, inside the requested 6.7e-9) —
 * plus the rounding of log q itself, 1e-13·|log q|.
 */
function formulaAllowance(r: { quadratureError: number; integral: number }, exact: number): number {
  return Math.max(r.quadratureError, 0.5 * REQUESTED_TOLERANCE * Math.max(1, Math.abs(r.integral))) + 1e-13 * Math.abs(exact);
}

function gaussianHolds(g: Gaussian, u: number[], predictorOf: (g: Gaussian) => ReturnType<typeof mmseNoisePredictor>) {
  const x0 = pointNear(g, u);
  const r = densityFormulaLogDensity(x0, predictorOf(g));
  const exact = g.logPdf(x0);
  const err = Math.abs(r.logDensity - exact);
  return { err, r, ok: err <= formulaAllowance(r, exact) && err <= REL * Math.max(1, Math.abs(exact)) };
}

describe('density formula (Li & Yan 2024)', () => {
  test.prop([gaussianCase()], { numRuns: 40 })('reproduces log N(x_0; μ, Σ) within its own error estimate and 1e-8, d ≤ 3', ([g, u]) => {
    const { ok, err, r } = gaussianHolds(g, u, mmseNoisePredictor);
    expect(ok, `error ${err}, estimate ${r.quadratureError}`).toBe(true);
    expect(r.converged).toBe(true);
  });

  test('negative control: the predictor of a slightly wrong covariance (×1.05) is detected', () => {
    const wrong = (g: Gaussian) => mmseNoisePredictor(new Gaussian(g.mean, scale(g.cov, 1.05)));
    const out = fc.check(fc.property(gaussianCase(), ([g, u]) => gaussianHolds(g, u, wrong).ok), { numRuns: 20 });
    expect(out.failed).toBe(true);
  });

  const mixtureCase = (d: number) => fc.tuple(mixtureOfDim(d, MIX), fc.array(simpleDouble(-2.5, 2.5, 2), { minLength: d, maxLength: d }), mcSeed());
  const mixtureHolds = (m: GaussianMixture, u: number[], seed: number, wrongScale = 1) => {
    const d = m.dim;
    const x0 = Float64Array.from(u);
    const predictor = wrongScale === 1 ? mmseNoisePredictor(m) : mmseNoisePredictor(new Gaussian(m.components[0].mean, scale(m.components[0].cov, wrongScale)));
    const inner = d <= 2 ? ({ kind: 'gauss-hermite' } as const) : ({ kind: 'monte-carlo', pairs: 400, seed } as const);
    const r = densityFormulaLogDensity(x0, predictor, { inner, relTol: 1e-10, absTol: 1e-10 });
    const z = criticalZ(perAssertionFalseAlarm('densityFormula.mc'));
    const err = Math.abs(r.logDensity - m.logPdf(x0));
    return { ok: err <= r.quadratureError + z * r.statisticalError + 1e-12, err, r, z };
  };

  test.prop([fc.integer({ min: 1, max: 2 }).chain((d) => mixtureCase(d))], { numRuns: 10 })(
    'reproduces the log-density of a Gaussian mixture (Gauss–Hermite inner rule, d ≤ 2) within its quadrature bound',
    ([m, u, seed]) => {
      const { ok, err, r } = mixtureHolds(m, u, seed);
      expect(ok, `error ${err}, bound ${r.quadratureError}`).toBe(true);
    },
  );

  // Statistical: 6 assertions of family densityFormula.mc (budgeted in MC_ASSERTION_PLAN).
  test.prop([mixtureCase(3)], { numRuns: 6 })('reproduces a 3-d mixture log-density within z·(Monte Carlo s.e.) + quadrature bound', ([m, u, seed]) => {
    const { ok, err, r, z } = mixtureHolds(m, u, seed);
    expect(ok, `error ${err}, z ${z}, s.e. ${r.statisticalError}, quad ${r.quadratureError}`).toBe(true);
  });

  test('negative control: the predictor of a different law (first component, covariance ×1.5) is detected on mixtures', () => {
    const out = fc.check(fc.property(mixtureCase(1), ([m, u, seed]) => mixtureHolds(m, u, seed, 1.5).ok), { numRuns: 10 });
    expect(out.failed).toBe(true);
  });

  const pairCase = () => fc.integer({ min: 1, max: 3 }).chain((d) => fc.tuple(gaussianOfDim(d, SPD), gaussianOfDim(d, SPD)));
  const H = (q: Gaussian) => -0.5 * (q.dim * Math.log(2 * Math.PI * Math.E) + q.logDetCov());

  test.prop([pairCase()], { numRuns: 25 })(
    "an imperfect predictor's expected error is its mismatch: E F(ε̂) = E log q − ½∫E‖ε̂ − ε*‖² dλ ≤ E log q",
    ([q, p]) => {
      const f = expectedDensityFormula(q, mmseNoisePredictor(p));
      const mm = expectedPredictorMismatch(q, mmseNoisePredictor(p), () => 0.5);
      expect(Math.abs(f.value - (H(q) - mm.value))).toBeLessThanOrEqual(f.error + mm.error + 1e-12 * (Math.abs(H(q)) + mm.value));
      expect(mm.value).toBeGreaterThanOrEqual(0);
    },
  );

  test.prop([pairCase(), fc.array(simpleDouble(-2, 2, 2), { minLength: 3, maxLength: 3 })], { numRuns: 20 })(
    'the formula with the MMSE predictor of another Gaussian p returns log p(x_0): the error is the model mismatch',
    ([q, p], u) => {
      const x0 = pointNear(q, u.slice(0, q.dim));
      const r = densityFormulaLogDensity(x0, mmseNoisePredictor(p));
      const exact = p.logPdf(x0);
      expect(r.converged).toBe(true);
      expect(Math.abs(r.logDensity - exact)).toBeLessThanOrEqual(formulaAllowance(r, exact));
      expect(Math.abs(r.logDensity - exact)).toBeLessThanOrEqual(REL * Math.max(1, Math.abs(exact)));
    },
  );

  test('negative control: the mismatch identity without the ½ factor is rejected', () => {
    const out = fc.check(
      fc.property(pairCase(), ([q, p]) => {
        const f = expectedDensityFormula(q, mmseNoisePredictor(p));
        const mm = expectedPredictorMismatch(q, mmseNoisePredictor(p), () => 1);
        return Math.abs(f.value - (H(q) - mm.value)) <= f.error + mm.error + 1e-12 * (Math.abs(H(q)) + mm.value);
      }),
      { numRuns: 20 },
    );
    expect(out.failed).toBe(true);
  });

  test('bad input: a predictor that returns NaN and a non-affine predictor in affine mode are named errors', () => {
    expect(() => densityFormulaLogDensity([0], () => [NaN])).toThrow(/predictor output\[0\]/);
    expect(() => densityFormulaLogDensity([0], (x) => [Math.sin(x[0])])).toThrow(/not affine/);
    expect(() => densityFormulaLogDensity([NaN], () => [0])).toThrow(/x0\[0\]/);
  });
});
