import { describe, expect, test } from 'vitest';
import { scriptedRng } from '../../properties/support/scriptedRng.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { fromRows } from '../linalg/index.ts';
import { createRng } from '../mc/rng.ts';
import { AffineConditionalScoreModel } from '../models/affineConditionalScoreModel.ts';
import { AffineScoreModel } from '../models/affineScoreModel.ts';
import { affineBatchModel, batchFromPointwise } from '../models/batchScoreModel.ts';
import { criticalZ, sampleSizeFor } from '../mc/tolerance.ts';
import { vincentConstant } from '../theory/vincent.ts';
import { conditionalNoisyPrecision, conditionedByEncoder, conditionedJoint, exactConditionalScore } from './conditionedData.ts';
import { conditionalDsmMinusEsmMonteCarlo, dsmMinusEsmMonteCarlo } from './dsmMinusEsmMonteCarlo.ts';
import { plannedGapEstimate } from './reducedVariance/plannedGapEstimate.ts';
import { prepareGaussianGap, sampleGapTerms } from './reducedVariance/gaussianGapTerms.ts';

/* Conditioned data (MATH.md §2, Theorem 2) in 1-d by hand, and the same-draw DSM − ESM estimators draw by draw. */
const level = { a: 0.8, s: 0.6 }, { a, s } = level;
const rho = 0.6;
const cd = conditionedJoint(new Gaussian([0.5, -1], fromRows([[1, rho], [rho, 2]])), 1);
const W = a * a * (1 - (rho * rho) / 2) + s * s; // Var(x_t | c)

describe('conditioned Gaussian data', () => {
  test('K = (a²Σ_{x|c} + s²I)⁻¹ and ∇log q(x_t|c) = −K(x_t − a(Mc + m)) at a point', () => {
    expect(cd.dataDim).toBe(1);
    expect(cd.condDim).toBe(1);
    expect(conditionalNoisyPrecision(cd, level).data[0]).toBeCloseTo(1 / W, 14);
    const M = rho / 2, m = 0.5 - M * -1;
    expect(exactConditionalScore(cd, level)([0.3], [1.2], new Float64Array(1))[0]).toBeCloseTo(-(0.3 - a * (M * 1.2 + m)) / W, 14);
    expect(() => conditionedJoint({ dim: 2 } as never, 1)).toThrow(/^joint/);
    expect(() => conditionedJoint(cd.joint, 2)).toThrow(/^dataDim/);
  });

  test('an encoder c = Bx + b + τξ gives the joint N((μ, Bμ + b), [[Σ, ΣBᵀ], [BΣ, BΣBᵀ + τ²]])', () => {
    const e = conditionedByEncoder(new Gaussian([0.3], fromRows([[2]])), { B: fromRows([[1.5]]), b: Float64Array.from([0.2]), tau: 0.5 });
    expect(Array.from(e.joint.mean)).toEqual([0.3, 1.5 * 0.3 + 0.2].map((v) => expect.closeTo(v, 15)));
    expect(Array.from(e.joint.cov.data)).toEqual([2, 3, 3, 2.25 * 2 + 0.25].map((v) => expect.closeTo(v, 14)));
  });
});

describe('DSM − ESM on the same draws, draw by draw', () => {
  test('unconditional: ‖ŝ + ε/s‖² − ‖ŝ − ∇log q_t‖² per draw on scripted normals', () => {
    const data = new Gaussian([0.3], fromRows([[2]])), V = a * a * 2 + s * s;
    const model = new AffineScoreModel(fromRows([[-0.4]]), [0.1]);
    const script = [0.5, -1, 1.5, 0.25];
    const vals = [0, 1].map((k) => {
      const x0 = 0.3 + Math.sqrt(2) * script[2 * k], eps = script[2 * k + 1], xt = a * x0 + s * eps;
      const sh = -0.4 * xt + 0.1, sc = -(xt - a * 0.3) / V;
      return (sh + eps / s) ** 2 - (sh - sc) ** 2;
    });
    const e = dsmMinusEsmMonteCarlo(model, data, level, scriptedRng(script), 2);
    expect(e.mean).toBeCloseTo((vals[0] + vals[1]) / 2, 13);
    expect(e.variance).toBeCloseTo((vals[0] - vals[1]) ** 2 / 2, 12);
  });

  test('conditional: (x_0, c) from the joint then ε; the target is ∇log q(x_t|c)', () => {
    const model = new AffineConditionalScoreModel(fromRows([[-0.4]]), fromRows([[0.3]]), [0.1]);
    const script = [0.3, -0.8, 1.1, -1.5, 0.4, 0.7];
    const M = rho / 2, m = 0.5 - M * -1, l21 = rho, l22 = Math.sqrt(2 - rho * rho);
    const vals = [0, 1].map((k) => {
      const x0 = 0.5 + script[3 * k], c = -1 + l21 * script[3 * k] + l22 * script[3 * k + 1], eps = script[3 * k + 2];
      const xt = a * x0 + s * eps, sh = -0.4 * xt + 0.3 * c + 0.1, sc = -(xt - a * (M * c + m)) / W;
      return (sh + eps / s) ** 2 - (sh - sc) ** 2;
    });
    const e = conditionalDsmMinusEsmMonteCarlo(model, cd, level, scriptedRng(script), 2);
    expect(e.mean).toBeCloseTo((vals[0] + vals[1]) / 2, 13);
  });
});

describe('planned reduced-variance gap estimate', () => {
  const data = new Gaussian([0.5, -1], fromRows([[1.5, 0.3], [0.3, 0.8]]));
  const model = new AffineScoreModel(fromRows([[-0.5, 0.1], [0, -0.7]]), [0.2, -0.1]);
  const prep = prepareGaussianGap(data, level, affineBatchModel(model));
  const plan = { falseAlarm: 1e-6, referenceSamples: 10_000, sensitivityGain: 10, minSamples: 64, maxSamples: 4096, pilotSamples: 256, fitSamples: 2000 };

  test('an affine model: the estimate is C_t within its detectable discrepancy; samples add up; n within [min, max]', () => {
    const r = plannedGapEstimate(prep, createRng(5), plan);
    const C = vincentConstant(data, level);
    expect(Math.abs(r.estimate.mean - C)).toBeLessThanOrEqual(r.detectable + 1e-12);
    expect(r.samples).toBe(2 * plan.fitSamples + plan.pilotSamples + r.mainSamples);
    expect(r.mainSamples).toBeGreaterThanOrEqual(plan.minSamples);
    expect(r.mainSamples).toBeLessThanOrEqual(plan.maxSamples);
    expect(r.targetDiscrepancy).toBeCloseTo(r.detectablePlain / plan.sensitivityGain, 14);
    // an affine model is its own fitted control: the pilot's reduced variance is a sliver of the plain one
    expect(r.pilotReducedVariance).toBeLessThan(1e-3 * r.plainVariance);
    expect(r.magnitude).toBeGreaterThanOrEqual(Math.abs(prep.modelFreeMean));
    const pinned = plannedGapEstimate(prep, createRng(5), { ...plan, minSamples: 100, maxSamples: 100 });
    expect(pinned.mainSamples).toBe(100);
  });

  test('a nonlinear model: the main sample is the Cramér tail size from the pilot\'s skewness and kurtosis (brute-force smallest n)', () => {
    const tanhModel = batchFromPointwise(2, (x, out) => { out[0] = Math.tanh(2 * x[0]) - x[1]; out[1] = 0.5 * Math.tanh(x[0] * x[1]); });
    const nl = prepareGaussianGap(data, level, tanhModel);
    const p = { falseAlarm: 1e-6, referenceSamples: 100, sensitivityGain: 1e-6, minSamples: 2, maxSamples: 1_000_000, pilotSamples: 4000, fitSamples: 2000 };
    const r = plannedGapEstimate(nl, createRng(9), p);
    // the same pilot (a fork is deterministic in seed and label), its control-variate values by OLS
    const pilot = sampleGapTerms(nl, createRng(9).fork('pilot'), p.pilotSamples, { linearControl: p.fitSamples });
    const n = p.pilotSamples, B = pilot.modelTerm, L = pilot.linearControl!;
    const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, v) => a + v, 0) / xs.length;
    const mB = mean(B), mL = mean(L);
    let sxy = 0, sxx = 0;
    for (let i = 0; i < n; i++) { sxy += (B[i] - mB) * (L[i] - mL); sxx += (L[i] - mL) ** 2; }
    const y = Array.from(B, (b, i) => pilot.modelFreeMean + b - (sxy / sxx) * L[i]);
    const my = mean(y);
    const c = (k: number) => y.reduce((a, v) => a + (v - my) ** k, 0) / n;
    const skew = c(3) / c(2) ** 1.5, kurt = c(4) / c(2) ** 2 - 3;
    const z = criticalZ(p.falseAlarm);
    let nTail = 1;
    while ((z ** 3 * Math.abs(skew)) / (6 * Math.sqrt(nTail)) + (z ** 4 * Math.max(kurt, 0)) / (24 * nTail) > Math.log(10)) nTail++;
    expect(r.pilotReducedVariance).toBeCloseTo((c(2) * n) / (n - 1), 10);
    const wanted = sampleSizeFor(r.pilotReducedVariance, r.targetDiscrepancy, p.falseAlarm);
    expect(nTail).toBeGreaterThan(wanted); // the tail bound decides here
    expect(r.mainSamples).toBe(Math.max(p.minSamples, nTail, wanted));
  });

  test('plan validation by field', () => {
    const rng = createRng(1);
    expect(() => plannedGapEstimate(prep, rng, { ...plan, sensitivityGain: 0 })).toThrow(/plan\.sensitivityGain/);
    expect(() => plannedGapEstimate(prep, rng, { ...plan, maxSamples: 1 })).toThrow(/plan\.maxSamples/);
    expect(() => plannedGapEstimate(prep, rng, { ...plan, minSamples: 5000 })).toThrow(/plan\.minSamples/);
    expect(() => plannedGapEstimate(prep, rng, { ...plan, pilotSamples: 15 })).toThrow(/plan\.pilotSamples/);
    expect(() => plannedGapEstimate(prep, rng, { ...plan, fitSamples: 1 })).toThrow(/plan\.fitSamples/);
    expect(() => plannedGapEstimate(prep, rng, { ...plan, referenceSamples: 1 })).toThrow(/plan\.referenceSamples/);
    expect(plannedGapEstimate(prep, rng, { ...plan, pilotSamples: 16, minSamples: 2, maxSamples: 2, fitSamples: 2 }).mainSamples).toBe(2);
  });
});
