import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { type InverseProblemCase, gaussian, inverseProblemCase, mlpScoreModel, spdMatrix } from '../src/arbitraries/index.ts';
import { rescaledMlpWeights } from '../src/arbitraries/mlpScoreModel.ts';
import { PRIOR_CEILING, PRIOR_FLOOR, ZERO_SHOT_T, zeroShotCase } from '../src/arbitraries/zeroShotCase.ts';
import { CORNERS } from '../src/engine/choices/choiceSource.ts';
import { generateCase } from '../src/engine/choices/generateCase.ts';
import { scaledLinearSchedule } from '../src/diffusion/schedule.ts';
import { MlpScoreModel } from '../src/models/mlpScoreModel.ts';
import { matmul, transpose } from '../src/linalg/index.ts';
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

describe('zeroShotCase: the scale-free coordinates are what the case says', () => {
  test.prop([zeroShotCase({ priorKind: 'either', withStep: true })], { numRuns: 100 })(
    'ν² = σ_y²/‖H‖²…σ_y²‖H†‖² and the prior eigenvalues match the built case; ‖H‖ = 1; t ∈ [1, T]; σ_y = 0 gives y ∈ range(H)',
    (c) => {
      const { H, sigmaY } = c.ip.problem;
      const r = measurementRange(H);
      const gram = (eigs(toRows(matmul(H, transpose(H)))).values as number[]).map(Number);
      const gmax = Math.max(...gram);
      if (r.rank > 0) {
        expect(gmax).toBeCloseTo(1, 9);
        expect(c.scales.noiseMin2).toBeCloseTo(sigmaY ** 2, 12);
        expect(c.scales.noiseMax2 / (sigmaY ** 2 * r.gramCondition || 1)).toBeCloseTo(sigmaY === 0 ? 0 : 1, 9);
      } else {
        expect(c.scales.noiseMax2).toBe(0);
      }
      expect(c.scales.priorMin).toBeGreaterThanOrEqual(PRIOR_FLOOR * (1 - 1e-9));
      expect(c.scales.priorMax).toBeLessThanOrEqual(PRIOR_CEILING * (1 + 1e-9));
      expect(c.scales.priorMax / c.scales.priorMin).toBeLessThanOrEqual(1e4 * (1 + 1e-9));
      expect(c.t).toBeGreaterThanOrEqual(1);
      expect(c.t).toBeLessThanOrEqual(c.T);
      expect(c.scales.beta1).toBe(scaledLinearSchedule(c.T).beta(1));
    },
  );

  test('corners are reachable as choice extremes: every-choice-at-min and at-max build d = 1 and d = 4, T = 1 and T = 1000, H = 0 among the corners', () => {
    const arb = zeroShotCase();
    const lo = generateCase(arb, [], { kind: 'corner', corner: 'min' }).value;
    const hi = generateCase(arb, [], { kind: 'corner', corner: 'max' }).value;
    expect([lo.ip.problem.H.cols, lo.T]).toEqual([1, ZERO_SHOT_T[0]]);
    expect([hi.ip.problem.H.cols, hi.T]).toEqual([4, ZERO_SHOT_T[ZERO_SHOT_T.length - 1]]);
    const ranks = new Set<number>();
    for (const corner of CORNERS) for (let i = 0; i < 40; i++) {
      const g = generateCase(arb, [], i === 0 ? { kind: 'corner', corner } : { kind: 'corner-mix', seed: `${corner}/${i}` });
      ranks.add(measurementRange(g.value.ip.problem.H).rank);
    }
    expect(ranks.has(0)).toBe(true);
  });
});

describe('rescaledMlpWeights', () => {
  test.prop([fc.integer({ min: 1, max: 4 }).chain((d) => fc.tuple(mlpScoreModel(d), fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: d, maxLength: d }), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: d, maxLength: d }), fc.double({ min: 0.01, max: 10, noNaN: true }), fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: d, maxLength: d })))])(
    'is the network u ↦ c·f(k ⊙ (u − m)) (an exact weight transform)',
    ([model, k, m, c, u]) => {
      const d = model.dim;
      const scaled = new MlpScoreModel(rescaledMlpWeights(model.weights, k, m, c));
      const got = scaled.evaluate(Float64Array.from(u), new Float64Array(d));
      const ref = model.evaluate(Float64Array.from(u, (v, i) => k[i] * (v - m[i])), new Float64Array(d)).map((v) => c * v);
      ref.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v)) * (1 + Math.max(...k.map((x, j) => Math.abs(x * m[j]))))));
      // Negative control: shifting by the wrong sign is a different network.
      const wrong = new MlpScoreModel(rescaledMlpWeights(model.weights, k, m.map((x) => -x), c)).evaluate(Float64Array.from(u), new Float64Array(d));
      if (m.some((x) => Math.abs(x) > 0.1)) expect(wrong.some((v, i) => Math.abs(v - ref[i]) > 1e-9)).toBe(true);
    },
  );
});
