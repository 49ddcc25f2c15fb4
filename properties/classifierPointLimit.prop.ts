import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { classifierPoint } from '../src/arbitraries/index.ts';
import { scaledLinearSchedule } from '../src/diffusion/index.ts';
import type { Gaussian } from '../src/gaussian/index.ts';
import { classifierPointSweep, priorMismatchFloor, priorMismatchShift, vanishingTerminalSchedule } from '../src/theory/classifierPointLimit.ts';
import { classModel } from '../src/theory/diffusionClassifier.ts';
import { ddpmElbo } from '../src/theory/elbo.ts';

// MATH.md §13.7: the diffusion classifier at a point with the N(0, I) prior.

const caseArb = classifierPoint();

/** ELBO_c(x) − log q_c(x) with the N(0, I) prior on the scaled-linear schedule at T. */
function elboGap(c: Gaussian, x0: number[], T: number): number {
  const s = scaledLinearSchedule(T);
  return ddpmElbo(classModel(c, s, { prior: 'standard' }), s, { mean: x0 }).elbo - c.logPdf(x0);
}

describe('the small-step limit keeps a prior-mismatch shift δ_c(x)', () => {
  test.prop([caseArb], { numRuns: 20 })('ELBO_c(x) − log q_c(x) → δ_c(x) (fixed ᾱ_T, scaled-linear): the distance shrinks ≥ 4× from T = 200 to T = 1600', ({ classes, x0 }) => {
    const c = classes[0];
    const dist = [200, 1600].map((T) => {
      const ab = scaledLinearSchedule(T).alphaBar(T);
      return Math.abs(elboGap(c, x0, T) - priorMismatchShift([c], x0, ab)[0]);
    });
    expect(dist[1]).toBeLessThanOrEqual(dist[0] / 4 + 1e-11);
  });

  test('negative control: the shift with the opposite sign is not the limit', () => {
    const out = fc.check(fc.property(caseArb, ({ classes, x0 }) => {
      const c = classes[0];
      const dist = [200, 1600].map((T) => Math.abs(elboGap(c, x0, T) + priorMismatchShift([c], x0, scaledLinearSchedule(T).alphaBar(T))[0]));
      return dist[1] <= dist[0] / 4 + 1e-11;
    }), { numRuns: 30 });
    expect(out.failed).toBe(true);
  });

  test.prop([caseArb], { numRuns: 30 })('the floor is O(ᾱ_T): floor(10⁻⁶) ≤ 10⁻²·floor(10⁻³) + rounding', ({ classes, weights, x0 }) => {
    const f3 = priorMismatchFloor(classes, weights, x0, 1e-3), f6 = priorMismatchFloor(classes, weights, x0, 1e-6);
    expect(f6).toBeLessThanOrEqual(1e-2 * f3 + 1e-13);
  });
});

describe('TV(p̂_T(·|x), Bayes) with the N(0, I) prior', () => {
  test.prop([caseArb], { numRuns: 10 })('on a schedule with ᾱ_T → 0 (Li–Yan) TV at the point falls ≥ 2× from T = 400 to T = 3200 and its floor vanishes', ({ classes, weights, x0 }) => {
    const rows = classifierPointSweep(classes, weights, x0, [400, 3200], (T) => vanishingTerminalSchedule(T));
    expect(rows[1].tv).toBeLessThanOrEqual(rows[0].tv / 2 + 1e-12);
    expect(rows[1].alphaBarT).toBeLessThan(rows[0].alphaBarT);
    expect(rows[1].floor).toBeLessThanOrEqual(rows[0].floor + 1e-15);
  });

  test('the Li–Yan schedule: ᾱ_T → 0 and max β_t → 0 as T grows', () => {
    const stats = [100, 1000, 10000].map((T) => {
      const s = vanishingTerminalSchedule(T);
      return { ab: s.alphaBar(T), maxBeta: Math.max(...s.betas) };
    });
    for (let i = 1; i < stats.length; i++) {
      expect(stats[i].ab).toBeLessThan(stats[i - 1].ab);
      expect(stats[i].maxBeta).toBeLessThan(stats[i - 1].maxBeta);
    }
  });
});
