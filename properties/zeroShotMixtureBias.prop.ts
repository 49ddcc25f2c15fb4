import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { inverseProblemCase } from '../src/arbitraries/index.ts';
import { scaledLinearSchedule } from '../src/diffusion/index.ts';
import { Gaussian } from '../src/gaussian/index.ts';
import { createRng, criticalT, perAssertionFalseAlarm } from '../src/mc/index.ts';
import { normalQuantile } from '../src/mc/normalQuantile.ts';
import { accumulatedMismatch, accumulatedMismatchGaussian, symmetricMixtureProblem } from '../src/theory/zeroShotMixtureBias.ts';

// MATH.md §13.10: W_bias of zero-shot samplers on mixture priors, against the exact mixture posterior.

const T = 20;
const schedule = scaledLinearSchedule(T);

describe('accumulated mismatch W_bias by Monte Carlo over q̃_t', () => {
  const N = 1500;
  test.prop([inverseProblemCase({ priorKind: 'gaussian', maxDim: 3, noise: { positive: true } }), fc.constantFrom('bo-ddnm' as const, 'optimal' as const), fc.integer({ min: 0, max: 1e6 })], { numRuns: 20 })(
    'Gaussian prior: the estimate agrees with the closed-form Σ_t w_t E‖Δ_t‖² (Student-t at the suite budget)', (c, kind, seed) => {
      const prior = c.prior as Gaussian;
      const exact = accumulatedMismatchGaussian(kind, prior, c.problem, schedule, 'seed');
      const e = accumulatedMismatch(kind, prior, c.problem, schedule, 'seed', createRng(`zs-mixture/${seed}`), N).estimate;
      // α from the budget (family zeroShotMixtureBias.mc: 20 runs); power: with n = 1500 composite draws a shift of
      // (t_α + z_0.99)/√n standard deviations of one composite draw is detected with probability 0.99 (0.227 at the current budget).
      const tCrit = criticalT(perAssertionFalseAlarm('zeroShotMixtureBias.mc'), N - 1);
      expect(Math.abs(e.mean - exact)).toBeLessThanOrEqual(tCrit * e.stderr + 1e-12 * (1 + exact));
      expect((tCrit + normalQuantile(0.99)) / Math.sqrt(N)).toBeLessThan(0.23);
    },
  );

  test.prop([inverseProblemCase({ priorKind: 'mixture', maxDim: 3, noise: { positive: true } }), fc.integer({ min: 0, max: 1e6 })], { numRuns: 15 })(
    'mixture prior, same draws for every sampler: the optimal admissible guidance has the smallest per-step mismatch, the exact posterior score has none', (c, seed) => {
      const run = (k: 'optimal' | 'bo-ddnm' | 'ddnm' | 'matched') => accumulatedMismatch(k, c.prior, c.problem, schedule, 'seed', createRng(`zs-mix/${seed}`), 64);
      const opt = run('optimal'), bo = run('bo-ddnm'), dd = run('ddnm'), matched = run('matched');
      for (let t = 0; t < T; t++) {
        const scale = 1 + bo.perStep[t] + dd.perStep[t];
        expect(opt.perStep[t]).toBeLessThanOrEqual(bo.perStep[t] + 1e-9 * scale);
        expect(opt.perStep[t]).toBeLessThanOrEqual(dd.perStep[t] + 1e-9 * scale);
        expect(matched.perStep[t]).toBeLessThanOrEqual(1e-18 * scale);
      }
    },
  );

  test('negative control: an estimator weighting every step by (1 − α_t) instead of (1 − α_t)/2 is rejected against the closed form', () => {
    const out = fc.check(fc.property(inverseProblemCase({ priorKind: 'gaussian', maxDim: 2, noise: { positive: true } }), (c) => {
      const exact = accumulatedMismatchGaussian('bo-ddnm', c.prior as Gaussian, c.problem, schedule, 'seed');
      const e = accumulatedMismatch('bo-ddnm', c.prior, c.problem, schedule, 'seed', createRng('zs-nc'), 400).estimate;
      const wrong = 2 * e.mean;
      return Math.abs(wrong - exact) <= 6 * 2 * e.stderr + 1e-12;
    }), { numRuns: 50 });
    expect(out.failed).toBe(true);
  });

  test('the figure family: BO-DDNM\'s W_bias grows with ‖y‖ (d = 4, separation 3, σ_y = 0.5)', () => {
    const est = (r: number) => {
      const { prior, problem } = symmetricMixtureProblem(4, 3, 0.5, r);
      return accumulatedMismatch('bo-ddnm', prior, problem, schedule, 'seed', createRng(`fig/${r}`), 400).estimate;
    };
    const near = est(0.5), far = est(5);
    // far − near exceeds 6 combined standard errors (a one-off comparison on fixed seeds)
    expect(far.mean - near.mean).toBeGreaterThan(6 * Math.hypot(far.stderr, near.stderr));
  });
});
