import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../errors.ts';
import { NoMinimizerError } from './noMinimizerError.ts';
import { brentRoot, minimizeScalar } from './minimize.ts';
import { minimizeScalarOnLine } from './minimizeOnLine.ts';

describe('minimizeScalarOnLine: the grid scan widens to an interior minimum, or reports none', () => {
  test('random minima up to 19 from the start (beyond the first ±3 window) are found to 1e-7', () => {
    fc.assert(fc.property(fc.double({ min: -19, max: 19, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 0.1, max: 10, noNaN: true }), (m, c, a) => {
      const x = minimizeScalarOnLine((x) => a * (x - m) ** 2 + c * (x - m) ** 4, 0);
      return Math.abs(x - m) <= 1e-7;
    }), { seed: 5, numRuns: 200 });
  });

  test('a double well: the lower well is found even when the start sits in the other one (a local search from there misses it)', () => {
    // f = (x² − 4)² + x: wells near ±2, the one near −2 lower by ≈ 4; its minimizer is the root of f' = 4x(x² − 4) + 1 in [−3, −1].
    const f = (x: number) => (x * x - 4) ** 2 + x;
    const exact = brentRoot((x) => 4 * x * (x * x - 4) + 1, -3, -1);
    expect(Math.abs(minimizeScalarOnLine(f, 1.5) - exact)).toBeLessThanOrEqual(1e-8);
    // Negative control: the unimodal search on the window [x0 − 3, x0 + 3] stops in the upper well.
    expect(minimizeScalar(f, -1.5, 4.5)).toBeGreaterThan(1.5);
  });

  test('no minimizer: f decreasing toward either end of the widest scan throws NoMinimizerError naming the field and the side', () => {
    const lower = () => minimizeScalarOnLine(Math.exp, 0, { field: 'fit.log v' });
    expect(lower).toThrow(NoMinimizerError);
    expect(lower).toThrow(/^fit\.log v: no minimizer: f keeps decreasing toward the lower end/);
    expect(() => minimizeScalarOnLine((x) => -x, 0)).toThrow(expect.objectContaining({ name: 'NoMinimizerError', direction: 'upper' }));
    // Just inside the widest scan (x0 ± maxSteps·step = ±20) a minimum is found; just outside it is not.
    expect(Math.abs(minimizeScalarOnLine((x) => (x - 19.2) ** 2, 0) - 19.2)).toBeLessThanOrEqual(1e-8);
    expect(() => minimizeScalarOnLine((x) => (x - 20.5) ** 2, 0)).toThrow(NoMinimizerError);
  });

  test('bad options are typed errors naming the field', () => {
    expect(() => minimizeScalarOnLine((x) => x * x, Number.NaN, { field: 'f' })).toThrow(/^f\.x0/);
    expect(() => minimizeScalarOnLine((x) => x * x, 0, { step: 0 })).toThrow(InvalidArgumentError);
    expect(() => minimizeScalarOnLine((x) => x * x, 0, { initialSteps: 0 })).toThrow(/initialSteps/);
    expect(() => minimizeScalarOnLine((x) => x * x, 0, { initialSteps: 6, maxSteps: 5 })).toThrow(/maxSteps/);
  });
});
