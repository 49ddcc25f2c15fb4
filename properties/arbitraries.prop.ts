import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussian, spdMatrix } from '../src/arbitraries/index.ts';
import type { Gaussian } from '../src/gaussian/index.ts';
import { cholesky } from '../src/linalg/index.ts';
import { eigs } from 'mathjs';
import { toRows } from '../src/linalg/index.ts';

describe('arbitraries', () => {
  test.prop([fc.integer({ min: 1, max: 8 }).chain((d) => spdMatrix(d))], { numRuns: 100 })(
    'spdMatrix is symmetric positive definite with condition number ≤ 1e4',
    (s) => {
      cholesky(s, 'generated');
      const ev = (eigs(toRows(s)).values as number[]).map(Number);
      const cond = Math.max(...ev) / Math.min(...ev);
      expect(cond).toBeLessThanOrEqual(1e4 * (1 + 1e-9));
    },
  );

  test('gaussian shrinks to N(0, 1) in one dimension', () => {
    // Fail on every case: the shrunk counterexample is the simplest one.
    const out = fc.check(fc.property(gaussian(), () => false), { seed: 1 });
    const g = out.counterexample![0] as Gaussian;
    expect(g.dim).toBe(1);
    expect(Array.from(g.mean)).toEqual([0]);
    expect(Array.from(g.cov.data)).toEqual([1]);
  });
});
