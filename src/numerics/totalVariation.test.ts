import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { variationOnInterval } from './totalVariation.ts';

describe('total variation on a grid with refined extrema', () => {
  test.prop([fc.integer({ min: 1, max: 6 }), fc.double({ min: 0, max: 6.28, noNaN: true })], { numRuns: 30 })('sin(kx + φ) on [0, 2π]: TV = 4k, sup = 1 (to the golden section\'s resolution)', (k, phi) => {
    const v = variationOnInterval((x) => Math.sin(k * x + phi), 0, 2 * Math.PI, 512);
    expect(Math.abs(v.totalVariation - 4 * k)).toBeLessThanOrEqual(1e-9 * k);
    expect(Math.abs(v.supremum - 1)).toBeLessThanOrEqual(1e-12);
  });

  // Suite seed 90 of the long run: sin(x + 1.5646604036433507) has its maximum at x = 0.0061 < h = 2π/512, where
  // y₀ > y₁ — no grid point has lower neighbours on both sides, and the 3-point test missed it (TV short by
  // 2(1 − sin φ) = 3.8e-5). Extrema inside either end cell, at any position u·h from the end:
  test.prop([fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.boolean(), fc.constantFrom(1, -1)], { numRuns: 40 })('an extremum inside an end cell: TV = 4, sup = 1', (u, atEnd, sign) => {
    const h = (2 * Math.PI) / 512, peak = atEnd ? 2 * Math.PI - u * h : u * h;
    const v = variationOnInterval((x) => sign * Math.cos(x - peak), 0, 2 * Math.PI, 512);
    expect(Math.abs(v.totalVariation - 4)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(v.supremum - 1)).toBeLessThanOrEqual(1e-12);
  });

  test('the seed-90 case, and its mirror image at b', () => {
    for (const f of [(x: number) => Math.sin(x + 1.5646604036433507), (x: number) => Math.sin(2 * Math.PI - x + 1.5646604036433507)]) {
      const v = variationOnInterval(f, 0, 2 * Math.PI, 512);
      expect(Math.abs(v.totalVariation - 4)).toBeLessThanOrEqual(1e-9);
      expect(v.extrema.length).toBe(2); // the maximum in the end cell and the minimum near π
      expect(v.extrema.some((x) => x < (2 * Math.PI) / 512 || x > 2 * Math.PI * (1 - 1 / 512))).toBe(true);
    }
  });

  test.prop([fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0.1, max: 3, noNaN: true })], { numRuns: 30 })('a monotone function: TV = |f(b) − f(a)|, and TV over a sub-interval covers its exact variation', (a, w) => {
    const f = (x: number) => Math.tanh(x) + x * x * x / 10;
    const v = variationOnInterval(f, a, a + w, 64);
    expect(Math.abs(v.totalVariation - Math.abs(f(a + w) - f(a)))).toBeLessThanOrEqual(1e-12 * (1 + v.totalVariation));
    const p = a + w / 3, q = a + w / 2;
    expect(v.between(p, q)).toBeGreaterThanOrEqual(Math.abs(f(q) - f(p)) * (1 - 1e-12));
    expect(v.supremumBetween(p, q)).toBeGreaterThanOrEqual(Math.max(Math.abs(f(p)), Math.abs(f(q))) * (1 - 1e-12));
  });

  test('sub-interval TV of a rational function with an interior extremum adds up to the whole', () => {
    const f = (x: number) => (x - 0.3) ** 2 / (1 + x * x);
    const v = variationOnInterval(f, -2, 2, 256);
    const exact = (f(-2) - f(0.3)) + (f(2) - f(0.3));
    expect(Math.abs(v.totalVariation - exact)).toBeLessThanOrEqual(1e-12);
    expect(v.between(-2, 0.3) + v.between(0.3, 2)).toBeGreaterThanOrEqual(exact * (1 - 1e-12));
  });

  test('negative control: two extrema inside one cell are missed (the documented limit of the grid)', () => {
    const f = (x: number) => Math.exp(-((x - 0.5003) ** 2) / 1e-8);
    const v = variationOnInterval(f, 0, 1, 64);
    expect(v.totalVariation).toBeLessThan(1); // the bump's true variation is 2
  });
});
