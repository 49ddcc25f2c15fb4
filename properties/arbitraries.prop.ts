import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { type InverseProblemCase, gaussian, inverseProblemCase, spdMatrix } from '../src/arbitraries/index.ts';
import { measurementRange } from '../src/models/linearInverseProblem.ts';
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

  test('inverse problems (any rank, σ_y ≥ 0) shrink to d = p = 1, H = [1], δ = 0', () => {
    for (const seed of [1, 2, 3]) {
      const out = fc.check(fc.property(inverseProblemCase({ priorKind: 'gaussian' }), () => false), { seed });
      const { prior, problem } = out.counterexample![0] as InverseProblemCase<Gaussian>;
      expect([problem.H.rows, problem.H.cols]).toEqual([1, 1]);
      expect(Array.from(problem.H.data)).toEqual([1]);
      expect(Array.from(problem.y)).toEqual(Array.from(prior.mean)); // y = Hμ̄ + δ, δ = 0
    }
  });

  test('a rank-deficient inverse problem shrinks to a small 0/1 mask (d ≤ 2) with y = 0', () => {
    // d does not always reach 1: when d shrinks, chain regenerates H, usually of full rank, which the filter rejects.
    const deficient = inverseProblemCase({ priorKind: 'gaussian' }).filter((c) => measurementRange(c.problem.H).rank < Math.min(c.problem.H.rows, c.problem.H.cols));
    for (const seed of [1, 2, 3]) {
      const out = fc.check(fc.property(deficient, () => false), { seed });
      const { problem } = out.counterexample![0] as InverseProblemCase;
      expect(problem.H.cols).toBeLessThanOrEqual(2);
      expect(problem.H.rows).toBeLessThanOrEqual(problem.H.cols + 1);
      expect(Array.from(problem.H.data).every((v) => v === 0 || v === 1)).toBe(true);
      expect(Array.from(problem.y).every((v) => v === 0)).toBe(true);
    }
  });
});
