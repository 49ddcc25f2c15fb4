import { describe, expect, test } from 'vitest';
import { minNumSamplesNormalTail } from './meanTest.ts';
import { criticalZ } from './tolerance.ts';

/** P(χ²_n > x) for even n, exactly: the Poisson sum Σ_{k<n/2} e^{−x/2}(x/2)^k/k!, in log space. */
function chiSquareUpperTail(n: number, x: number): number {
  const h = x / 2, logs: number[] = [];
  let logFact = 0;
  for (let k = 0; k < n / 2; k++) { if (k > 0) logFact += Math.log(k); logs.push(-h + k * Math.log(h) - logFact); }
  const mx = Math.max(...logs);
  return Math.exp(mx) * logs.reduce((s, l) => s + Math.exp(l - mx), 0);
}

describe('minNumSamplesNormalTail: the Cramér minimum keeps a z-test’s real false-alarm rate within its factor', () => {
  // The mean of n χ²₁ draws (skewness √8, excess kurtosis 12, the heaviest bilinear Gaussian form per
  // unit variance) is χ²_n/n: its upper tail beyond 1 + z√(2/n) is exact.
  for (const alpha of [1e-6, 3e-8, 1e-9]) {
    test(`α = ${alpha}: at the returned n the tail is ≤ 10·α/2; at n = 2 it is > 1000·α/2 (the control)`, () => {
      const z = criticalZ(alpha);
      let n = minNumSamplesNormalTail(alpha, Math.sqrt(8), 12, 10);
      n += n % 2;
      const ratio = (m: number) => chiSquareUpperTail(m, m + z * Math.sqrt(2 * m)) / (alpha / 2);
      expect(ratio(n)).toBeLessThanOrEqual(10);
      expect(ratio(2)).toBeGreaterThan(1000);
    });
  }

  test('a normal draw needs no minimum; heavier shapes need more; bad input is a RangeError', () => {
    expect(minNumSamplesNormalTail(1e-8, 0, 0)).toBe(0);
    expect(minNumSamplesNormalTail(1e-8, 0, -1)).toBe(0);
    const light = minNumSamplesNormalTail(1e-8, 0.5, 1), heavy = minNumSamplesNormalTail(1e-8, 2, 8);
    expect(heavy).toBeGreaterThan(light);
    expect(minNumSamplesNormalTail(1e-8, 2, 8, 100)).toBeLessThan(heavy);
    expect(() => minNumSamplesNormalTail(1e-8, Number.NaN, 0)).toThrow(RangeError);
    expect(() => minNumSamplesNormalTail(1e-8, 1, 1, 1)).toThrow(RangeError);
  });
});
