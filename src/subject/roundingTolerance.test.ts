import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { linearSchedule } from '../diffusion/schedule.ts';
import { perturbedSchedule } from './roundingTolerance.ts';

/*
 * perturbedSchedule's contract (the spread of a rounding tolerance moves one primitive at a time, so a
 * perturbation that leaked to other steps would inflate every tolerance built on it): at step t,
 * ᾱ_{t−1} += dPrev (only when t − 1 ≥ 1), ᾱ_t += dAb, β_t += dBeta, α_t = 1 − β_t; every other step is the base's.
 */
const T = 50;
const base = linearSchedule(T);

describe('perturbedSchedule', () => {
  test.prop([fc.integer({ min: 1, max: T }), fc.integer({ min: 0, max: T })])('moves ᾱ_{t−1}, ᾱ_t, β_t at step t and nothing else', (t, k) => {
    const dPrev = 1e-3, dAb = 2e-3, dBeta = 3e-3;
    const p = perturbedSchedule(base, t, dPrev, dAb, dBeta);
    const wantAb = base.alphaBar(k) + (k === t ? dAb : k === t - 1 && k >= 1 ? dPrev : 0);
    expect(p.alphaBar(k)).toBe(wantAb);
    if (k >= 1) {
      expect(p.beta(k)).toBe(base.beta(k) + (k === t ? dBeta : 0));
      expect(p.alpha(k)).toBe(1 - p.beta(k));
    }
    if (k >= 1) {
      const level = p.level(k);
      if (k === t || k === t - 1) expect(level).toEqual({ a: Math.sqrt(wantAb), s: Math.sqrt(1 - wantAb) });
      else expect(level).toEqual(base.level(k));
    }
    expect(p.T).toBe(base.T);
  });
});
