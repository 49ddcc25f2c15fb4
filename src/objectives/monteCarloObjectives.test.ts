import { describe, expect, test } from 'vitest';
import { scriptedRng } from '../../properties/support/scriptedRng.ts';
import { vpFromBetas } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { GaussianMixture } from '../gaussian/mixture.ts';
import { fromRows } from '../linalg/index.ts';
import type { Estimate } from '../mc/estimate.ts';
import { createRng } from '../mc/rng.ts';
import { AffineConditionalScoreModel } from '../models/affineConditionalScoreModel.ts';
import { AffineScoreModel } from '../models/affineScoreModel.ts';
import { conditionedJoint } from './conditionedData.ts';
import {
  conditionalDsmMonteCarlo, conditionalEsmMonteCarlo, dsmMonteCarlo, esmMonteCarlo, squaredDistance,
  weightedDsmMonteCarlo, weightedEsmMonteCarlo, weightedMonteCarlo,
} from './monteCarloObjectives.ts';
import { weightedDsmAffine } from './weightedObjective.ts';

/*
 * Deterministic per-draw identities: with scripted normals every draw is known, so each
 * estimator's mean and (unbiased) variance are checked against the per-draw losses written
 * out by hand — changes that leave the expectation alone (a sign on ε, a swapped draw) fail here.
 */
const mu = 0.7, v = 1.8, level = { a: 0.8, s: 0.6 }, { a, s } = level;
const data = new Gaussian([mu], fromRows([[v]]));
const [A, b] = [-0.5, 0.3];
const model = new AffineScoreModel(fromRows([[A]]), [b]);
const meanVar = (xs: number[]) => {
  const m = xs.reduce((p, x) => p + x, 0) / xs.length;
  return { mean: m, variance: xs.reduce((p, x) => p + (x - m) ** 2, 0) / (xs.length - 1) };
};
const expectEstimate = (e: Estimate, draws: number[]) => {
  const want = meanVar(draws);
  expect(e.n).toBe(draws.length);
  expect(e.mean).toBeCloseTo(want.mean, 12);
  expect(e.variance).toBeCloseTo(want.variance, 11);
  expect(e.stderr).toBeCloseTo(Math.sqrt(want.variance / draws.length), 12);
};
// draws consume x_0's normal ξ first, then ε: x_0 = μ + √v ξ, x_t = a x_0 + s ε
const script = [0.4, -1.3, 1.7, 0.2, -0.6, 0.9];
const draws = [0, 1, 2].map((k) => {
  const x0 = mu + Math.sqrt(v) * script[2 * k], eps = script[2 * k + 1];
  return { x0, eps, xt: a * x0 + s * eps };
});

describe('plain Monte Carlo DSM/ESM, draw by draw', () => {
  test('DSM draw ‖A x_t + b + ε/s‖², ESM draw ‖A x_t + b + (x_t − aμ)/V‖²', () => {
    const V = a * a * v + s * s;
    expectEstimate(dsmMonteCarlo(model, data, level, scriptedRng(script), 3), draws.map((d) => (A * d.xt + b + d.eps / s) ** 2));
    expectEstimate(esmMonteCarlo(model, data, level, scriptedRng(script), 3), draws.map((d) => (A * d.xt + b + (d.xt - a * mu) / V) ** 2));
  });

  test('mixture data: the component is picked by the uniform before its normal', () => {
    const mix = new GaussianMixture([0.5, 0.5], [new Gaussian([-2], fromRows([[1]])), new Gaussian([3], fromRows([[0.25]]))]);
    // uniforms 0.1 → component 0, 0.9 → component 1
    const rng = scriptedRng([0.5, 1, -1, 0.5], [0.1, 0.9]);
    const x0s = [-2 + 0.5, 3 + 0.5 * -1], epss = [1, 0.5];
    expectEstimate(dsmMonteCarlo(model, mix, level, rng, 2), x0s.map((x0, k) => (A * (a * x0 + s * epss[k]) + b + epss[k] / s) ** 2));
  });

  test('conditional DSM/ESM: (x_0, c) = (ξ₁, ρξ₁ + √(1−ρ²) ξ₂), then ε', () => {
    const rho = 0.6, W = a * a * (1 - rho * rho) + s * s;
    const cd = conditionedJoint(new Gaussian([0, 0], fromRows([[1, rho], [rho, 1]])), 1);
    const [Ac, Bc, bc] = [-0.4, 0.9, 0.2];
    const cm = new AffineConditionalScoreModel(fromRows([[Ac]]), fromRows([[Bc]]), [bc]);
    const sc = [0.3, -0.8, 1.1, -1.5, 0.4, 0.7];
    const ds = [0, 1].map((k) => {
      const x0 = sc[3 * k], c = rho * sc[3 * k] + Math.sqrt(1 - rho * rho) * sc[3 * k + 1], eps = sc[3 * k + 2];
      return { c, eps, xt: a * x0 + s * eps };
    });
    expectEstimate(conditionalDsmMonteCarlo(cm, cd, level, scriptedRng(sc), 2), ds.map((d) => (Ac * d.xt + Bc * d.c + bc + d.eps / s) ** 2));
    expectEstimate(conditionalEsmMonteCarlo(cm, cd, level, scriptedRng(sc), 2), ds.map((d) => (Ac * d.xt + Bc * d.c + bc + (d.xt - a * rho * d.c) / W) ** 2));
  });

  test('squaredDistance ‖u − k v‖²', () => {
    expect(squaredDistance(Float64Array.from([1, 2]), Float64Array.from([3, -1]), -0.5)).toBeCloseTo(2.5 ** 2 + 1.5 ** 2, 15);
  });

  test('arguments: data law, model shape, dimensions, level, n ≥ 2 (its documented minimum)', () => {
    const rng = scriptedRng(script);
    expect(() => dsmMonteCarlo(model, { dim: 1 } as never, level, rng, 2)).toThrow(/^data/);
    expect(() => esmMonteCarlo({ dim: 1 } as never, data, level, rng, 2)).toThrow(/^model/);
    expect(() => dsmMonteCarlo(new AffineScoreModel(fromRows([[1, 0], [0, 1]]), [0, 0]), data, level, rng, 2)).toThrow(DimensionMismatchError);
    expect(() => esmMonteCarlo(model, data, { a: 0, s: 1 }, rng, 2)).toThrow(/level\.a/);
    expect(() => dsmMonteCarlo(model, data, level, rng, 1)).toThrow(/^n:/);
    expect(dsmMonteCarlo(model, data, level, rng, 2).n).toBe(2);
    const cd = conditionedJoint(new Gaussian([0, 0], fromRows([[1, 0.5], [0.5, 1]])), 1);
    const cm = new AffineConditionalScoreModel(fromRows([[1]]), fromRows([[1]]), [0]);
    expect(() => conditionalDsmMonteCarlo({ dim: 1, condDim: 1 } as never, cd, level, rng, 2)).toThrow(InvalidArgumentError);
    expect(() => conditionalEsmMonteCarlo(new AffineConditionalScoreModel(fromRows([[1]]), fromRows([[1, 1]]), [0]), cd, level, rng, 2)).toThrow(/model\.condDim/);
    expect(() => conditionalDsmMonteCarlo(new AffineConditionalScoreModel(fromRows([[1, 0], [0, 1]]), fromRows([[1], [1]]), [0, 0]), cd, level, rng, 2)).toThrow(/model\.dim/);
    expect(() => conditionalEsmMonteCarlo(cm, cd, { a: 1, s: -1 }, rng, 2)).toThrow(/level\.s/);
    expect(() => conditionalDsmMonteCarlo(cm, cd, level, rng, 1)).toThrow(/^n:/);
  });
});

describe('stratified Σ_t λ_t f_t (weightedMonteCarlo)', () => {
  const schedule = vpFromBetas([0.1, 0.2, 0.3]);
  const fake = (calls: { t: number; count: number; a: number }[]) => (t: number, lv: { a: number }, _r: unknown, count: number): Estimate => {
    calls.push({ t, count, a: lv.a });
    return { mean: t, variance: t * t, stderr: t / Math.sqrt(count), n: count };
  };

  test('n_t ∝ λ_t, zero weights skipped; mean Σ λ_t m_t, variance of the mean Σ λ_t² var_t / n_t', () => {
    const calls: { t: number; count: number; a: number }[] = [];
    const e = weightedMonteCarlo(schedule, [1, 0, 3], createRng(1), 100, fake(calls));
    expect(calls.map((c) => [c.t, c.count])).toEqual([[1, 25], [3, 75]]);
    expect(calls[1].a).toBeCloseTo(schedule.level(3).a, 15);
    expect(e.mean).toBeCloseTo(1 + 9, 14);
    expect(e.stderr).toBeCloseTo(Math.sqrt(1 / 25 + (9 * 9) / 75), 14);
    expect(e.n).toBe(100);
    expect(e.variance).toBeCloseTo((1 / 25 + 81 / 75) * 100, 12);
  });

  test('every t with λ_t > 0 gets at least 2 draws; each t its own stream', () => {
    const calls: { t: number; count: number; a: number }[] = [];
    const firsts: number[] = [];
    weightedMonteCarlo(schedule, [1, 1e-6, 1], createRng(2), 10, (t, lv, r, count) => (firsts.push(r.uniform()), fake(calls)(t, lv, r, count)));
    expect(calls.map((c) => c.count)).toEqual([5, 2, 5]);
    expect(new Set(firsts).size).toBe(3);
    expect(() => weightedMonteCarlo(schedule, [1, 1], createRng(2), 10, fake([]))).toThrow(DimensionMismatchError);
  });

  test('weighted ESM of the exact score per t is 0 on every draw; weighted DSM hits the closed form (z-test)', () => {
    const exact = (t: number) => {
      const lv = schedule.level(t), V = lv.a ** 2 * v + lv.s ** 2;
      return new AffineScoreModel(fromRows([[-1 / V]]), [(lv.a * mu) / V]);
    };
    const e = weightedEsmMonteCarlo(exact, data, schedule, [0.5, 1, 2], createRng(3), 60);
    expect(Math.abs(e.mean)).toBeLessThan(1e-24);
    // z-test: |z| > 5 has false-alarm probability 5.7e-7 (normal approximation, n = 30 000);
    // power 0.99 against a bias of (5 + 2.33) standard errors: ≈ 8 % of the objective here (< 10 %).
    const d = weightedDsmMonteCarlo(model, data, schedule, [0.5, 1, 2], createRng(4), 30_000);
    const exactDsm = weightedDsmAffine(model, data, schedule, [0.5, 1, 2]);
    expect(Math.abs(d.mean - exactDsm) / d.stderr).toBeLessThan(5);
    expect((7.33 * d.stderr) / exactDsm).toBeLessThan(0.1);
  });
});
