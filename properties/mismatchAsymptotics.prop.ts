import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, simpleDouble } from '../src/arbitraries/index.ts';
import { scaledLinearSchedule } from '../src/diffusion/index.ts';
import { Gaussian } from '../src/gaussian/index.ts';
import { identity, spdInverse, symmetrize } from '../src/linalg/index.ts';
import { gaussianAccumulatedMismatch, matchedGaussianGuidance, mismatchDecomposition } from '../src/theory/mismatch.ts';
import {
  biasAgainstDimension, continuumAccumulatedMismatch, continuumAlphaBar, discreteAccumulatedMismatch, toeplitzCovariance, vanishingMismatch,
} from '../src/theory/mismatchAsymptotics.ts';
import { stationaryBiasSlope } from '../src/theory/stationaryBiasSlope.ts';
import { vanishingMismatchBound } from '../src/theory/vanishingMismatchBound.ts';

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

  test.prop([pair, fc.integer({ min: 4, max: 42 }).map((k) => Math.round(2 ** (k / 4)))], { numRuns: 20 })('|W_vanish(T)| = |W_bias(T) − W_bias^∞| ≤ ½[Σ δu_t TV_cell(ψ) + Σ(δu_t − β_t)|ψ(u_t)| + |u_T − U| sup ψ] ≤ K/T (the Riemann sum in u = −log ᾱ), and W_bias^∞ > 0', ({ target, training }, T) => {
    const inf = continuumAccumulatedMismatch(target, training);
    const row = vanishingMismatch(target, training, [T])[0];
    const b = vanishingMismatchBound(target, training, T);
    expect(Math.abs(row.wVanish)).toBeLessThanOrEqual(b.bound + 1e-11 * (1 + row.wBias + inf.value) + inf.error);
    expect(b.bound).toBeLessThanOrEqual(b.coarseBound * (1 + 1e-12));
    if (T > 20) expect(T * b.coarseBound).toBeLessThanOrEqual(0.5 * ((20 / (1 - 20 / T)) * b.totalVariation + b.supremum * T * b.weightGap) * (1 + 1e-12));
    expect(inf.value).toBeGreaterThan(0);
  });

  test('negative control: against the continuum limit with the weight (1 − α_t) instead of (1 − α_t)/2 the bound fails', () => {
    const out = fc.check(fc.property(pair, ({ target, training }) => {
      const wrong = 2 * continuumAccumulatedMismatch(target, training).value;
      return Math.abs(discreteAccumulatedMismatch(target, training, 400) - wrong) <= vanishingMismatchBound(target, training, 400).bound;
    }), { numRuns: 20 });
    expect(out.failed).toBe(true);
  });

  test.prop([pair, fc.integer({ min: 2, max: 200 })], { numRuns: 20 })('the accumulated mismatch alone is the path decomposition\'s bias term', ({ target, training }, T) => {
    const s = scaledLinearSchedule(T);
    const full = mismatchDecomposition(s, target, matchedGaussianGuidance(training, s), 'seed');
    expect(gaussianAccumulatedMismatch(s, target, matchedGaussianGuidance(training, s), 'seed').bias).toBe(full.bias);
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
  const ar1 = fc.record({ rhoTarget: simpleDouble(-0.8, 0.8, 2), rhoTraining: simpleDouble(-0.8, 0.8, 2), varianceTarget: simpleDouble(-0.5, 0.5, 2).map((u) => 10 ** u), mean: simpleDouble(-1, 1, 2) });
  type Ar1 = { rhoTarget: number; rhoTraining: number; varianceTarget: number; mean: number };
  const family = (c: Ar1) => (d: number) => ({
    target: new Gaussian(new Float64Array(d).fill(c.mean), toeplitzCovariance(d, c.rhoTarget, c.varianceTarget)),
    training: new Gaussian(new Float64Array(d), toeplitzCovariance(d, c.rhoTraining)),
  });
  /** The AR(1) law on a ring: the inverse of the periodic tridiagonal precision (circulant, eigenvalues f(2πk/d)). */
  const ringCovariance = (d: number, rho: number, v: number) => {
    const P = { rows: d, cols: d, data: new Float64Array(d * d) };
    for (let i = 0; i < d; i++) {
      P.data[i * d + i] += (1 + rho * rho) / (v * (1 - rho * rho));
      for (const j of [(i + 1) % d, (i + d - 1) % d]) P.data[i * d + j] += -rho / (v * (1 - rho * rho));
    }
    return symmetrize(spdInverse(P));
  };

  test.prop([ar1, fc.integer({ min: 1, max: 24 }), fc.integer({ min: 2, max: 25 })], { numRuns: 15 })('AR(1) target vs AR(1) training: |W_bias(d) − a·d| ≤ B for every d (a the Szegő slope, B free of d)', (c, d, T) => {
    const lim = stationaryBiasSlope(c, scaledLinearSchedule(T));
    const [row] = biasAgainstDimension(family(c), [d], T);
    expect(Math.abs(row.wBias - lim.slope * d)).toBeLessThanOrEqual(lim.boundary + d * lim.slopeError + 1e-12 * (1 + row.wBias));
  });

  test.prop([ar1, fc.integer({ min: 2, max: 25 }), fc.integer({ min: 3, max: 12 })], { numRuns: 15 })('on a ring (circulant target and training) W_bias(d) = Σ_t (1−α_t)/2·[Σ_k ψ_t(2πk/d) + d ᾱ_t m²/ĝ_t(0)²] exactly: the per-frequency integrand of the slope', (c, T, d) => {
    const s = scaledLinearSchedule(T);
    const W = discreteAccumulatedMismatch(new Gaussian(new Float64Array(d).fill(c.mean), ringCovariance(d, c.rhoTarget, c.varianceTarget)), new Gaussian(new Float64Array(d), ringCovariance(d, c.rhoTraining, 1)), T);
    const f = (th: number, rho: number, v: number) => (v * (1 - rho * rho)) / (1 + rho * rho - 2 * rho * Math.cos(th));
    let expected = 0;
    for (let t = 1; t <= T; t++) {
      const ab = s.alphaBar(t), hat = (x: number) => ab * x + 1 - ab;
      let sum = 0;
      for (let k = 0; k < d; k++) {
        const F = hat(f((2 * Math.PI * k) / d, c.rhoTarget, c.varianceTarget)), G = hat(f((2 * Math.PI * k) / d, c.rhoTraining, 1));
        sum += ((F - G) * (F - G)) / (F * G * G);
      }
      const G0 = hat(f(0, c.rhoTraining, 1));
      expected += ((1 - s.alpha(t)) / 2) * (sum + (d * ab * c.mean * c.mean) / (G0 * G0));
    }
    expect(Math.abs(W - expected)).toBeLessThanOrEqual(1e-10 * (1 + expected));
  });

  test.prop([ar1], { numRuns: 8 })('past the correlation length the slope of W_bias over 8 dimensions is the Szegő slope, to the remainder envelope 4B·r^d/8 — linear in d asymptotically', (c) => {
    const lim = stationaryBiasSlope(c, scaledLinearSchedule(25));
    const d = 56;
    const [lo, hi] = biasAgainstDimension(family(c), [d, d + 8], 25);
    expect(Math.abs((hi.wBias - lo.wBias) / 8 - lim.slope)).toBeLessThanOrEqual((4 * lim.boundary * lim.decayRate ** d) / 8 + lim.slopeError + 1e-12 * (1 + hi.wBias));
  });

  test('negative control: a slope without the mean term (m ≠ 0) is not the slope of W_bias', () => {
    const out = fc.check(fc.property(ar1.map((c) => ({ ...c, mean: c.mean === 0 ? 0.5 : c.mean })), (c) => {
      const lim = stationaryBiasSlope({ ...c, mean: 0 }, scaledLinearSchedule(25));
      const [lo, hi] = biasAgainstDimension(family(c), [40, 48], 25);
      return Math.abs((hi.wBias - lo.wBias) / 8 - lim.slope) <= (4 * lim.boundary * lim.decayRate ** 40) / 8 + 1e-9;
    }), { numRuns: 10 });
    expect(out.failed).toBe(true);
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
    const out = fc.check(fc.property(ar1.map((c) => (c.rhoTarget === 0 && c.rhoTraining === 0 ? { ...c, rhoTarget: 0.4 } : c)), (c) => {
      const [one, many] = biasAgainstDimension(family(c), [1, 6], 40);
      return Math.abs(many.wBias - 6 * one.wBias) <= 1e-9 * many.wBias;
    }), { numRuns: 40 });
    expect(out.failed).toBe(true);
  });
});
