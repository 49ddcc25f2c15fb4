import { describe, expect, test } from 'vitest';
import { criticalT, criticalZ } from './tolerance.ts';

// Reference quantiles from scipy.stats.t.ppf(1 − α/2, ν) (scipy 1.x, 2026-11-22).
const SCIPY_T: ReadonlyArray<readonly [number, number, number]> = [
  [30, 1e-3, 3.6459586350420627],
  [100, 1e-6, 5.2137275742494875],
  [200, 1e-9, 6.414498010446714],
  [500, 1e-10, 6.607985236858147],
  [1000, 1e-10, 6.536820817131027],
];

const withinScipy = (value: number, ref: number) => Math.abs(value - ref) / ref < 1e-4;

describe('criticalT (Cornish–Fisher Student t)', () => {
  test.each(SCIPY_T)('ν = %d, α = %d: within 1e-4 relative of scipy', (nu, alpha, ref) => {
    expect(withinScipy(criticalT(alpha, nu), ref)).toBe(true);
  });

  test('negative control: the normal critical value fails the same comparison at every reference point', () => {
    for (const [, alpha, ref] of SCIPY_T) expect(withinScipy(criticalZ(alpha), ref)).toBe(false);
  });

  test('bad input names the argument', () => {
    expect(() => criticalT(1e-6, 0)).toThrow(/degrees of freedom/);
    expect(() => criticalT(0, 10)).toThrow(/false-alarm/);
  });
});
