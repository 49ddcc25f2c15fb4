import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, simpleDouble } from '../src/arbitraries/index.ts';
import { scaledLinearSchedule } from '../src/diffusion/index.ts';
import { Gaussian } from '../src/gaussian/index.ts';
import { identity } from '../src/linalg/index.ts';
import {
  biasAgainstDimension, continuumAccumulatedMismatch, continuumAlphaBar, discreteAccumulatedMismatch, toeplitzCovariance, vanishingMismatch,
} from '../src/theory/mismatchAsymptotics.ts';

// MATH.md §13.9: W_bias(T) = W_bias^∞ + W_vanish(T), and the dimension dependence on correlated targets.

const SPD = { maxConditionNumber: 100, centreRange: 0.5, meanBound: 1.5 } as const;
const pair = fc.integer({ min: 1, max: 3 }).chain((d) => fc.record({ target: gaussianOfDim(d, SPD), training: gaussianOfDim(d, SPD) }));

describe('the vanishing and the asymptotic part of the accumulated mismatch', () => {
  test.prop([fc.integer({ min: 25, max: 2000 })], { numRuns: 30 })('the continuum ᾱ(τ) is the T → ∞ limit of the scaled-linear schedule: |log ᾱ_t − log ᾱ(t/T)| = O(1/T)', (T) => {
    const s = scaledLinearSchedule(T);
    // −log ᾱ_t = Σ_{i≤t} −log(1 − β_i): the O(β²) part is ≤ Σ β_i²/(2(1 − β_i)); the Riemann part of Σβ_i against
    // 1000∫₀^{t/T}β(τ)dτ (grid (i−1)/(T−1) against τ) is ≤ 1000(β_e − β_s)(t/T)/(T − 1) + 1000 β_e/T.
    let quad = 0;
    for (let i = 1; i <= T; i++) quad += s.beta(i) ** 2 / (2 * (1 - s.beta(i)));
    const bound = quad + (1000 * (0.02 - 1e-4)) / (T - 1) + (1000 * 0.02) / T;
    for (const t of [1, Math.ceil(T / 3), Math.ceil(T / 2), T]) {
      expect(Math.abs(Math.log(s.alphaBar(t)) - Math.log(continuumAlphaBar(t / T)))).toBeLessThanOrEqual(bound);
    }
    expect(bound).toBeLessThanOrEqual(1100 / T);
  });

  test.prop([pair], { numRuns: 20 })('W_vanish(T) = W_bias(T) − W_bias^∞ shrinks at least like 1/T: |W_vanish(2T)| ≤ 0.6·|W_vanish(T)| for T = 400, 800', ({ target, training }) => {
    const inf = continuumAccumulatedMismatch(target, training);
    const rows = vanishingMismatch(target, training, [400, 800, 1600]);
    const floor = 1e-12 * (1 + inf.value) + inf.error;
    for (let i = 1; i < rows.length; i++) expect(Math.abs(rows[i].wVanish)).toBeLessThanOrEqual(0.6 * Math.abs(rows[i - 1].wVanish) + floor);
    // and W_bias^∞ is O(1): positive unless target = training
    expect(inf.value).toBeGreaterThan(0);
  });

  test('negative control: a continuum limit built with the weight (1 − α_t) instead of (1 − α_t)/2 does not match W_bias(T) as T grows', () => {
    const out = fc.check(fc.property(pair, ({ target, training }) => {
      const wrong = 2 * continuumAccumulatedMismatch(target, training).value;
      return Math.abs(discreteAccumulatedMismatch(target, training, 1600) - wrong) <= 1e-3 * wrong;
    }), { numRuns: 30 });
    expect(out.failed).toBe(true);
  });
});

describe('W_bias against the dimension on correlated (non-product) targets', () => {
  const ar1 = fc.record({ rhoTarget: simpleDouble(-0.8, 0.8, 2), rhoTraining: simpleDouble(-0.8, 0.8, 2), vT: simpleDouble(-0.5, 0.5, 2).map((u) => 10 ** u), mean: simpleDouble(-1, 1, 2) })
    .filter((c) => c.rhoTarget !== c.rhoTraining || c.mean !== 0 || c.vT !== 1);
  const family = (c: { rhoTarget: number; rhoTraining: number; vT: number; mean: number }) => (d: number) => ({
    target: new Gaussian(new Float64Array(d).fill(c.mean), toeplitzCovariance(d, c.rhoTarget, c.vT)),
    training: new Gaussian(new Float64Array(d), toeplitzCovariance(d, c.rhoTraining)),
  });

  test.prop([ar1], { numRuns: 12 })('AR(1) target vs AR(1) training: W_bias(d)/d converges (the boundary term decays like 1/d) — linear in d asymptotically', (c) => {
    const rows = biasAgainstDimension(family(c), [8, 16, 32], 50);
    const d1 = Math.abs(rows[1].perDimension - rows[0].perDimension), d2 = Math.abs(rows[2].perDimension - rows[1].perDimension);
    expect(d2).toBeLessThanOrEqual(0.6 * d1 + 1e-12 * rows[2].perDimension);
    expect(rows[2].wBias).toBeGreaterThan(0);
  });

  test.prop([fc.integer({ min: 1, max: 24 }), simpleDouble(-2, 2, 2)], { numRuns: 20 })('one mismatched coordinate: W_bias does not grow with d at all (the mismatch is not spread over coordinates)', (d, m) => {
    fc.pre(m !== 0);
    const fam = (dd: number) => {
      const mu = new Float64Array(dd);
      mu[0] = m;
      return { target: new Gaussian(mu, identity(dd)), training: new Gaussian(new Float64Array(dd), identity(dd)) };
    };
    const [one, many] = biasAgainstDimension(fam, [1, d], 40);
    expect(Math.abs(many.wBias - one.wBias)).toBeLessThanOrEqual(1e-12 * one.wBias * d);
  });

  test('the reading "W_bias(d) = d·W_bias(1)" (exact proportionality, true for product targets) is refuted on correlated targets', () => {
    const out = fc.check(fc.property(ar1.filter((c) => c.rhoTarget !== 0 || c.rhoTraining !== 0), (c) => {
      const [one, many] = biasAgainstDimension(family(c), [1, 6], 40);
      return Math.abs(many.wBias - 6 * one.wBias) <= 1e-9 * many.wBias;
    }), { numRuns: 40 });
    expect(out.failed).toBe(true);
  });
});
