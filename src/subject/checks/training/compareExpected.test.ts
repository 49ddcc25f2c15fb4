import { describe, expect, it } from 'vitest';
import { compareExpected } from './compareExpected.ts';

/* compareExpected: the worst entry by error/tolerance over several rows, located, with its margin. */
const e = (value: number[], tolerance: number[]) => ({ value: Float64Array.from(value), tolerance: Float64Array.from(tolerance) });

describe('compareExpected', () => {
  it('the worst ratio wins wherever it is (not the last entry, not the largest error)', () => {
    const r = compareExpected([[1, 2.5, 3], [4, 5]], [e([1, 2, 3.01], [1, 0.1, 1]), e([4.5, 5], [10, 1])]);
    // ratios: 0, 5, 0.01 | 0.05, 0 → row 0, entry 1
    expect(r.at).toEqual([0, 1]);
    expect(r.maxError).toBe(0.5);
    expect(r.tolerance).toBe(0.1);
    expect(r.ok).toBe(false);
    expect(r.margin).toBeCloseTo(Math.log10(5), 12);
  });

  it('within tolerance everywhere: ok, margin log10 of the worst ratio (≤ 0); the boundary ratio 1 is ok', () => {
    const r = compareExpected([[1, 2], [3]], [e([1.25, 2], [1, 1]), e([3], [1])]);
    expect(r.ok).toBe(true);
    expect(r.at).toEqual([0, 0]);
    expect(r.margin).toBeCloseTo(Math.log10(0.25), 12);
    expect(compareExpected([[1.5]], [e([1], [0.5])]).ok).toBe(true);
  });

  it('exact agreement: ok, margin −20, located at the first entry; zero tolerance with an error: fails, margin +20', () => {
    expect(compareExpected([[1, 2]], [e([1, 2], [0, 0])])).toEqual({ ok: true, maxError: 0, tolerance: 0, at: [0, 0], margin: -20 });
    const z = compareExpected([[1, 2]], [e([1, 2.5], [1, 0])]);
    expect(z).toMatchObject({ ok: false, at: [0, 1], maxError: 0.5, tolerance: 0, margin: 20 });
  });

  it('a later row with a worse ratio is found; a tie keeps the first', () => {
    expect(compareExpected([[1], [2]], [e([1.1], [1]), e([2.2], [1])]).at).toEqual([1, 0]);
    expect(compareExpected([[1], [2]], [e([1.5], [1]), e([2.5], [1])]).at).toEqual([0, 0]);
  });
});
