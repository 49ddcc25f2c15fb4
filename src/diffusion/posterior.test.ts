import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../errors.ts';
import { posteriorCoefficients, posteriorMean } from './posterior.ts';
import { reverseVariance, REVERSE_VARIANCE_KINDS } from './reverseVariance.ts';
import { vpFromBetas } from './schedule.ts';

const betas = [0.1, 0.2, 0.3];
const schedule = vpFromBetas(betas);
const abar = [1, 0.9, 0.72, 0.504]; // ᾱ_0..ᾱ_3

describe('DDPM posterior q(x_{t−1} | x_t, x_0) by Gaussian conditioning (independent of Ho et al. eq. 7)', () => {
  // x_{t−1} | x_0 ~ N(√ᾱ_{t−1} x_0, 1 − ᾱ_{t−1}); x_t = √α_t x_{t−1} + √β_t ε.
  // Cov(x_{t−1}, x_t | x_0) = √α_t (1 − ᾱ_{t−1}); Var(x_t | x_0) = 1 − ᾱ_t.
  const conditioned = (t: number, xt: number, x0: number) => {
    const alpha = 1 - betas[t - 1], v1 = 1 - abar[t - 1], cov = Math.sqrt(alpha) * v1, vt = 1 - abar[t];
    return { mean: Math.sqrt(abar[t - 1]) * x0 + (cov / vt) * (xt - Math.sqrt(abar[t]) * x0), variance: v1 - (cov * cov) / vt };
  };

  test.each([2, 3])('t = %i: mean and variance', (t) => {
    const want = conditioned(t, 0.7, -1.3);
    expect(posteriorMean(schedule, t, [0.7], [-1.3])[0]).toBeCloseTo(want.mean, 14);
    expect(posteriorCoefficients(schedule, t).variance).toBeCloseTo(want.variance, 14);
    expect(reverseVariance(schedule, t, 'posterior')).toBeCloseTo(want.variance, 14);
  });

  test('boundary t = 1 (ᾱ_0 = 1): x_0 exactly, no noise', () => {
    const c = posteriorCoefficients(schedule, 1);
    expect(c.coefX0).toBeCloseTo(1, 14);
    expect(c.coefXt).toBe(0);
    expect(c.variance).toBe(0);
    expect(reverseVariance(schedule, 1, 'posterior')).toBe(0);
    posteriorMean(schedule, 1, [5, 6], [1, 2]).forEach((v, i) => expect(v).toBeCloseTo(i + 1, 14));
  });

  test('t outside 1..T is rejected by name', () => {
    for (const t of [0, 4, 1.5]) {
      try {
        posteriorCoefficients(schedule, t);
        throw new Error('no throw');
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        expect((e as InvalidArgumentError).field).toBe('t');
      }
    }
  });
});

describe('reverse-step variances (MATH.md §4)', () => {
  test('seed (1−α)/α, beta 1−α, posterior β̃; every listed kind is accepted, others rejected', () => {
    expect(reverseVariance(schedule, 2, 'seed')).toBeCloseTo(0.2 / 0.8, 15);
    expect(reverseVariance(schedule, 3, 'beta')).toBeCloseTo(0.3, 15);
    for (const k of REVERSE_VARIANCE_KINDS) expect(Number.isFinite(reverseVariance(schedule, 2, k))).toBe(true);
    expect(new Set(REVERSE_VARIANCE_KINDS)).toEqual(new Set(['seed', 'beta', 'posterior']));
    expect(() => reverseVariance(schedule, 2, 'ddim' as never)).toThrow(/reverseVariance\.kind.*seed, beta, posterior/);
  });
});
