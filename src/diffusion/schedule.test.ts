import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../errors.ts';
import { cosineSchedule, linearSchedule, scaledLinearSchedule, sqrtLinearSchedule, veSchedule, vpFromAlphaBars, vpFromBetas } from './schedule.ts';

/** Values written out by hand from the definitions (MATH.md §1), not through the module. */
const close = (got: ArrayLike<number>, want: readonly number[], rel = 1e-14) => {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(w))));
};
const fieldOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as InvalidArgumentError).field;
  }
  throw new Error('did not throw');
};

describe('VP schedules: values from their definitions', () => {
  test('linear: β = linspace(βstart, βend, T), ᾱ_t = ∏(1 − β_i), level = (√ᾱ, √(1−ᾱ)), ᾱ_0 = 1', () => {
    const s = linearSchedule(3, 0.1, 0.3);
    close(s.betas, [0.1, 0.2, 0.3]);
    close(s.alphaBars, [0.9, 0.9 * 0.8, 0.9 * 0.8 * 0.7]);
    expect(s.T).toBe(3);
    expect(s.kind).toBe('vp');
    expect(s.name).toBe('vp-linear(T=3, 0.1..0.3)');
    expect(s.beta(2)).toBeCloseTo(0.2, 15);
    expect(s.alpha(3)).toBeCloseTo(0.7, 15);
    expect(s.alphaBar(0)).toBe(1);
    expect(s.alphaBar(2)).toBeCloseTo(0.72, 15);
    const l = s.level(2);
    expect(l.a).toBeCloseTo(Math.sqrt(0.72), 15);
    expect(l.s).toBeCloseTo(Math.sqrt(0.28), 15);
  });

  test('linear at its documented minimum T = 1 is the single step β = βend; defaults 1e-4..0.02', () => {
    close(linearSchedule(1, 0.1, 0.3).betas, [0.3]);
    const d = linearSchedule(2);
    close(d.betas, [1e-4, 0.02]);
    expect(() => linearSchedule(0)).toThrow(InvalidArgumentError);
    expect(fieldOf(() => linearSchedule(2.5))).toBe('schedule.T');
  });

  test('scaled linear: linspace × 1000/T, clipped at 0.999', () => {
    const s = scaledLinearSchedule(10, 1e-4, 0.02);
    // k = 100: first 0.01, last 2 → 0.999, step (0.02 − 1e-4)/9 × 100
    expect(s.betas[0]).toBeCloseTo(0.01, 15);
    expect(s.betas[9]).toBe(0.999);
    expect(s.betas[1]).toBeCloseTo((1e-4 + (0.02 - 1e-4) / 9) * 100, 14);
    expect(s.name).toBe('vp-scaled-linear(T=10)');
    close(scaledLinearSchedule(2000, 1e-4, 0.02).betas.subarray(0, 1), [0.5e-4]);
    close(scaledLinearSchedule(1, 1e-4, 0.02).betas, [0.999]); // T = 1: βend × 1000 clipped
    close(scaledLinearSchedule(1000).betas.subarray(999), [0.02]);
    expect(fieldOf(() => scaledLinearSchedule(0))).toBe('schedule.T');
  });

  test('cosine: ᾱ_t = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2), last β clipped to 0.999', () => {
    const T = 4, off = 0.008;
    const f = (t: number) => Math.cos(((t / T + off) / (1 + off)) * (Math.PI / 2)) ** 2;
    const s = cosineSchedule(T);
    close(s.alphaBars.subarray(0, T - 1), [1, 2, 3].map((t) => f(t) / f(0)), 1e-13);
    expect(s.betas[T - 1]).toBe(0.999); // f(T) = cos²(π/2) ≈ 0
    expect(s.name).toBe('vp-cosine(T=4)');
    // the offset is used: s = 0.1 gives a different first step, 1 − f(1)/f(0)
    const g = (t: number) => Math.cos(((t / T + 0.1) / 1.1) * (Math.PI / 2)) ** 2;
    close(cosineSchedule(T, 0.1).betas.subarray(0, 1), [1 - g(1) / g(0)], 1e-13);
    expect(fieldOf(() => cosineSchedule(0))).toBe('schedule.T');
  });

  test('sqrt-linear (diffusers scaled_linear): √β linear from √βstart to √βend', () => {
    const s = sqrtLinearSchedule(3, 0.04, 0.16);
    close(s.betas, [0.04, 0.09, 0.16]);
    expect(s.name).toBe('vp-sqrt-linear(T=3, 0.04..0.16)');
    close(sqrtLinearSchedule(1, 0.04, 0.16).betas, [0.16]);
    close(sqrtLinearSchedule(2).betas, [0.00085, 0.012]);
    expect(fieldOf(() => sqrtLinearSchedule(0))).toBe('schedule.T');
  });

  test('vpFromAlphaBars: β_t = 1 − ᾱ_t/ᾱ_{t−1}; each value in (0, 1) and strictly decreasing', () => {
    const s = vpFromAlphaBars([0.9, 0.45]);
    close(s.betas, [0.1, 0.5]);
    expect(s.name).toBe('vp-alphabar(T=2)');
    expect(fieldOf(() => vpFromAlphaBars([]))).toBe('schedule.alphaBars');
    expect(fieldOf(() => vpFromAlphaBars([0.9, 0]))).toBe('schedule.alphaBars[1]');
    expect(fieldOf(() => vpFromAlphaBars([1]))).toBe('schedule.alphaBars[0]');
    expect(fieldOf(() => vpFromAlphaBars([0.5, 0.5]))).toBe('schedule.alphaBars[1]');
    expect(fieldOf(() => vpFromAlphaBars([0.5, Number.NaN]))).toBe('schedule.alphaBars[1]');
    expect(() => vpFromAlphaBars([0.5])).not.toThrow(); // T = 1 is allowed
  });

  test('vpFromBetas: each β in (0, 1), at least one step; steps t outside 1..T are rejected', () => {
    const s = vpFromBetas([0.5], 'mine');
    expect(s.name).toBe('mine(T=1)');
    close(s.alphaBars, [0.5]);
    expect(vpFromBetas([0.5]).name).toBe('vp-explicit(T=1)');
    expect(fieldOf(() => vpFromBetas([]))).toBe('schedule.betas');
    expect(fieldOf(() => vpFromBetas([0.5, 0]))).toBe('schedule.betas[1]');
    expect(fieldOf(() => vpFromBetas([1]))).toBe('schedule.betas[0]');
    expect(fieldOf(() => vpFromBetas([Number.POSITIVE_INFINITY]))).toBe('schedule.betas[0]');
    for (const bad of [0, 2, 1.5]) {
      expect(fieldOf(() => s.beta(bad))).toBe('t');
      expect(fieldOf(() => s.alpha(bad))).toBe('t');
      expect(fieldOf(() => s.level(bad))).toBe('t');
    }
    expect(fieldOf(() => s.alphaBar(2))).toBe('t');
    expect(s.level(1).a).toBeCloseTo(Math.SQRT1_2, 15);
  });
});

describe('VE schedule', () => {
  test('level(t) = (1, σ_t); σ finite and > 0; t in 1..T', () => {
    const s = veSchedule([0.5, 2]);
    expect(s.kind).toBe('ve');
    expect(s.name).toBe('ve(T=2)');
    expect(s.T).toBe(2);
    expect(s.level(2)).toEqual({ a: 1, s: 2 });
    expect(s.level(1)).toEqual({ a: 1, s: 0.5 });
    close(s.sigmas, [0.5, 2]);
    expect(fieldOf(() => s.level(0))).toBe('t');
    expect(fieldOf(() => s.level(3))).toBe('t');
    expect(fieldOf(() => veSchedule([]))).toBe('schedule.sigmas');
    expect(fieldOf(() => veSchedule([1, 0]))).toBe('schedule.sigmas[1]');
    expect(fieldOf(() => veSchedule([Number.NaN]))).toBe('schedule.sigmas[0]');
  });
});
