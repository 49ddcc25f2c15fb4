import { describe, expect, test } from 'vitest';
import { vpFromBetas, veSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { fromRows } from '../linalg/index.ts';
import { AffineConditionalScoreModel } from '../models/affineConditionalScoreModel.ts';
import { AffineScoreModel } from '../models/affineScoreModel.ts';
import {
  conditionalDsmAffine, conditionalDsmAffineGradient, conditionalEsmAffine, conditionalEsmAffineGradient,
  dsmAffine, dsmAffineGradient, esmAffine, esmAffineGradient,
} from './affineClosedForm.ts';
import { affineObjectiveGradient, affineObjectiveMoments } from './affineGaussianObjective.ts';
import { conditionedJoint } from './conditionedData.ts';
import { concatColumns, dsmSetting } from './dsmEsmSettings.ts';
import { weightedDsmAffine, weightedDsmAffineGradient, weightedEsmAffine, weightedEsmAffineGradient, weightedOverSchedule } from './weightedObjective.ts';

/*
 * Scalar closed forms written out by hand (MATH.md §2), independent of the affine-setting machinery:
 * data N(μ, v), x_t = a x_0 + s ε, model A x + b, residual r Gaussian with mean m_r and variance σ_r²,
 * so E r² = m_r² + σ_r² and Var r² = 2σ_r⁴ + 4 m_r² σ_r².
 *   DSM: r = A x_t + b + ε/s:  m_r = Aaμ + b,  σ_r² = A²a²v + (As + 1/s)²
 *   ESM: r = A x_t + b + (x_t − aμ)/V, V = a²v + s²:  m_r = Aaμ + b,  σ_r² = (A + 1/V)² V
 * Gradients (equal for DSM and ESM, Vincent): ∂A = 2(A(V + a²μ²) + b aμ + 1), ∂b = 2(Aaμ + b).
 */
const mu = 0.7, v = 1.8;
const data = new Gaussian([mu], fromRows([[v]]));
const quad = (m: number, s2: number) => ({ mean: m * m + s2, variance: 2 * s2 * s2 + 4 * m * m * s2 });
const dsm1 = (A: number, b: number, a: number, s: number) => quad(A * a * mu + b, A * A * a * a * v + (A * s + 1 / s) ** 2);
const esm1 = (A: number, b: number, a: number, s: number) => { const V = a * a * v + s * s; return quad(A * a * mu + b, (A + 1 / V) ** 2 * V); };
const grad1 = (A: number, b: number, a: number, s: number) => { const V = a * a * v + s * s; return [2 * (A * (V + a * a * mu * mu) + b * a * mu + 1), 2 * (A * a * mu + b)]; };
const model1 = (A: number, b: number) => new AffineScoreModel(fromRows([[A]]), [b]);
const near = (got: ArrayLike<number>, want: readonly number[], tol = 1e-12) =>
  want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w))));

describe('DSM and ESM of an affine model on Gaussian data: scalar closed forms', () => {
  const level = { a: 0.8, s: 0.6 };
  test.each([[-0.5, 0.3], [1.2, -2], [0, 0]])('A = %f, b = %f: means, exact variances, gradients', (A, b) => {
    const m = model1(A, b);
    const d = dsmAffine(m, data, level), e = esmAffine(m, data, level);
    near([d.mean, d.variance], [dsm1(A, b, 0.8, 0.6).mean, dsm1(A, b, 0.8, 0.6).variance]);
    near([e.mean, e.variance], [esm1(A, b, 0.8, 0.6).mean, esm1(A, b, 0.8, 0.6).variance]);
    near(dsmAffineGradient(m, data, level), grad1(A, b, 0.8, 0.6));
    near(esmAffineGradient(m, data, level), grad1(A, b, 0.8, 0.6));
  });

  test('2-d, asymmetric A, diagonal Σ: ∂A_ij = 2(Σ_k A_ik E[x_k x_j] + b_i E x_j + δ_ij) (layout vec A row-major, then b)', () => {
    const level = { a: 0.9, s: 0.5 };
    const mean = [1, -0.5], vars = [2, 0.5];
    const g = new Gaussian(mean, fromRows([[vars[0], 0], [0, vars[1]]]));
    const A = [[0.3, -1.1], [0.4, 0.2]], b = [0.5, -0.25];
    const m = new AffineScoreModel(fromRows(A), b);
    const mx = mean.map((x) => level.a * x), C = vars.map((x) => level.a ** 2 * x + level.s ** 2);
    const Exx = (k: number, j: number) => (k === j ? C[k] : 0) + mx[k] * mx[j];
    const want: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) want.push(2 * (A[i][0] * Exx(0, j) + A[i][1] * Exx(1, j) + b[i] * mx[j] + (i === j ? 1 : 0)));
    for (let i = 0; i < 2; i++) want.push(2 * (A[i][0] * mx[0] + A[i][1] * mx[1] + b[i]));
    near(dsmAffineGradient(m, g, level), want);
    near(esmAffineGradient(m, g, level), want);
    // DSM − ESM = Σ_i (1/s² − 1/C_i), whatever the model (Vincent)
    expect(dsmAffine(m, g, level).mean - esmAffine(m, g, level).mean).toBeCloseTo(2 / level.s ** 2 - 1 / C[0] - 1 / C[1], 11);
  });

  test('validation names the field: model type, data type, dimensions, level', () => {
    const level = { a: 0.8, s: 0.6 };
    expect(() => dsmAffine({ dim: 1 } as never, data, level)).toThrow(/^model/);
    expect(() => esmAffine(model1(1, 0), { dim: 1 } as never, level)).toThrow(InvalidArgumentError);
    expect(() => dsmAffineGradient(new AffineScoreModel(fromRows([[1, 0], [0, 1]]), [0, 0]), data, level)).toThrow(DimensionMismatchError);
    expect(() => esmAffineGradient(model1(1, 0), data, { a: 0.8, s: 0 })).toThrow(/level\.s/);
  });
});

describe('the shared affine-Gaussian objective: shapes checked by name', () => {
  test('model input, model output and b must match the setting', () => {
    const setting = dsmSetting(data, { a: 0.8, s: 0.6 }); // d = 1: u has 1 row, the target 1 row
    expect(() => affineObjectiveMoments(setting, fromRows([[1, 2]]), [0])).toThrow(/^model input/);
    expect(() => affineObjectiveMoments(setting, fromRows([[1], [2]]), [0, 0])).toThrow(/^model output/);
    expect(() => affineObjectiveGradient(setting, fromRows([[1]]), [0, 1])).toThrow(/^model\.b/);
    expect(Array.from(concatColumns(fromRows([[1, 2], [3, 4]]), fromRows([[5], [6]])).data)).toEqual([1, 2, 5, 3, 4, 6]);
  });
});

describe('conditional DSM/ESM (MATH.md §2, Theorem 2): (x_0, c) ~ N(0, [[1, ρ], [ρ, 1]]), model A x + B c + b', () => {
  const rho = 0.6, level = { a: 0.8, s: 0.6 }, { a, s } = level;
  const cd = conditionedJoint(new Gaussian([0, 0], fromRows([[1, rho], [rho, 1]])), 1);
  const W = a * a * (1 - rho * rho) + s * s; // Var(x_t | c)
  const [A, B, b] = [-0.4, 0.9, 0.2];
  const model = new AffineConditionalScoreModel(fromRows([[A]]), fromRows([[B]]), [b]);
  // Var x_t = a² + s², Cov(x_t, c) = aρ, Var c = 1
  const vx = a * a + s * s, cxc = a * rho;

  test('DSM: r = A x_t + B c + b + ε/s; ESM: r = (A + 1/W) x_t + (B − aρ/W) c + b', () => {
    const dsmVar = A * A * a * a + B * B + 2 * A * a * B * rho + (A * s + 1 / s) ** 2;
    const [p, q] = [A + 1 / W, B - (a * rho) / W];
    const esmVar = p * p * vx + q * q + 2 * p * q * cxc;
    const d = conditionalDsmAffine(model, cd, level), e = conditionalEsmAffine(model, cd, level);
    near([d.mean, d.variance], [quad(b, dsmVar).mean, quad(b, dsmVar).variance]);
    near([e.mean, e.variance], [quad(b, esmVar).mean, quad(b, esmVar).variance]);
  });

  test('gradients (vec A, vec B, b) = 2(E[r x_t], E[r c], E r), the same for DSM and ESM', () => {
    const want = [2 * (A * vx + B * cxc + 1), 2 * (A * cxc + B), 2 * b];
    near(conditionalDsmAffineGradient(model, cd, level), want);
    near(conditionalEsmAffineGradient(model, cd, level), want);
  });

  test('2-d data, 1-d condition: the gradient layout puts A (row-major) before B', () => {
    const joint = new Gaussian([0, 0, 0], fromRows([[1, 0, 0.5], [0, 1, 0], [0.5, 0, 1]]));
    const cd2 = conditionedJoint(joint, 2);
    const m2 = new AffineConditionalScoreModel(fromRows([[0.1, 0.2], [0.3, 0.4]]), fromRows([[0.5], [0.6]]), [0, 0]);
    const g = conditionalDsmAffineGradient(m2, cd2, level);
    expect(g.length).toBe(8);
    // ∂B_i = 2E[r_i c], r_i = Σ_j A_ij x_t,j + B_i c + ε_i/s: E[x_t,j c] = a Σ_{j,c}, E c² = 1
    expect(g[4]).toBeCloseTo(2 * (0.1 * a * 0.5 + 0.2 * 0 + 0.5), 12);
    expect(g[5]).toBeCloseTo(2 * (0.3 * a * 0.5 + 0.4 * 0 + 0.6), 12);
    // ∂A_00 = 2E[r_0 x_t,0] = 2(A_00 Var x_t,0 + B_0 a·0.5 + 1)
    expect(g[0]).toBeCloseTo(2 * (0.1 * (a * a + s * s) + 0.5 * a * 0.5 + 1), 12);
    expect(g[1]).toBeCloseTo(2 * (0.2 * (a * a + s * s)), 12);
    expect(() => conditionalDsmAffine(model, cd2, level)).toThrow(DimensionMismatchError);
    expect(() => conditionalEsmAffine(new AffineConditionalScoreModel(fromRows([[1, 0], [0, 1]]), fromRows([[1, 0], [0, 1]]), [0, 0]), cd2, level)).toThrow(/model\.B/);
    expect(() => conditionalEsmAffineGradient({} as never, cd2, level)).toThrow(InvalidArgumentError);
  });
});

describe('t-weighted objectives Σ_t λ_t f_t over a VP schedule', () => {
  const schedule = vpFromBetas([0.1, 0.3]);
  const lv = [1, 2].map((t) => schedule.level(t));
  const models = (t: number) => model1(t === 1 ? 0.5 : -1, t === 1 ? 0 : 0.4);

  test('values with one model per timestep, gradients of one shared model; zero weights skip their t', () => {
    const w = [0.25, 2];
    const dsm = 0.25 * dsm1(0.5, 0, lv[0].a, lv[0].s).mean + 2 * dsm1(-1, 0.4, lv[1].a, lv[1].s).mean;
    const esm = 0.25 * esm1(0.5, 0, lv[0].a, lv[0].s).mean + 2 * esm1(-1, 0.4, lv[1].a, lv[1].s).mean;
    expect(weightedDsmAffine(models, data, schedule, w)).toBeCloseTo(dsm, 12);
    expect(weightedEsmAffine(models, data, schedule, w)).toBeCloseTo(esm, 12);
    const m = model1(0.3, -0.2);
    const g1 = grad1(0.3, -0.2, lv[0].a, lv[0].s), g2 = grad1(0.3, -0.2, lv[1].a, lv[1].s);
    near(weightedDsmAffineGradient(m, data, schedule, w), [0.25 * g1[0] + 2 * g2[0], 0.25 * g1[1] + 2 * g2[1]]);
    near(weightedEsmAffineGradient(m, data, schedule, w), [0.25 * g1[0] + 2 * g2[0], 0.25 * g1[1] + 2 * g2[1]]);
    near(weightedDsmAffineGradient(m, data, schedule, [0, 3]), [3 * g2[0], 3 * g2[1]]);
    const seen: number[] = [];
    weightedOverSchedule(schedule, [0, 1], (t) => (seen.push(t), 1));
    expect(seen).toEqual([2]);
  });

  test('weights: one per step, finite, ≥ 0, not all zero; the schedule must be VP', () => {
    expect(() => weightedDsmAffine(models, data, schedule, [1])).toThrow(DimensionMismatchError);
    expect(() => weightedEsmAffine(models, data, schedule, [1, -1])).toThrow(/weights\[1\]/);
    expect(() => weightedDsmAffineGradient(model1(1, 0), data, schedule, [0, 0])).toThrow(/must not all be zero/);
    expect(() => weightedEsmAffineGradient(model1(1, 0), data, schedule, [Number.NaN, 1])).toThrow(/weights\[0\]/);
    expect(() => weightedOverSchedule(veSchedule([1, 2]) as never, [1, 1], () => 1)).toThrow(/^schedule/);
    expect(() => weightedOverSchedule(undefined as never, [1, 1], () => 1)).toThrow(InvalidArgumentError);
  });
});
