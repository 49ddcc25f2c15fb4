import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { dimension, gaussianOfDim, noiseLevelArb, simpleDouble } from '../src/arbitraries/index.ts';
import { Gaussian } from '../src/gaussian/index.ts';
import { type Matrix, matmul, scale } from '../src/linalg/index.ts';
import { createRng, criticalT, perAssertionFalseAlarm } from '../src/mc/index.ts';
import { normalQuantile } from '../src/mc/normalQuantile.ts';
import { sdsDsmGradient } from '../src/theory/sds.ts';
import {
  type GuidedTarget, type RenderingLaw, sdsExpectedGradient, sdsFixedPoint, sdsFlow, sdsGradientDraw, sdsLinearization,
} from '../src/theory/sdsDreamFusion.ts';
import { gaussianMarginalPrecision } from '../src/theory/vincentScoreFunction.ts';

// MATH.md §13.4: DreamFusion's SDS update on Gaussian renderings.

const SPD = { maxConditionNumber: 30 } as const;
const problem = dimension({ max: 3 }).chain((d) => fc.integer({ min: 1, max: 3 }).chain((m) => fc.record({
  conditional: gaussianOfDim(d, SPD),
  unconditional: gaussianOfDim(d, SPD),
  guidance: fc.oneof(fc.constant(0), simpleDouble(0, 20, 2)),
  mean: fc.array(simpleDouble(-2, 2, 2), { minLength: d, maxLength: d }),
  factor: fc.array(simpleDouble(-1.5, 1.5, 2), { minLength: d * m, maxLength: d * m }),
  level: noiseLevelArb(['vp']),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
}).map((c) => ({
  target: { conditional: c.conditional, unconditional: c.unconditional, guidance: c.guidance } as GuidedTarget,
  law: { mean: Float64Array.from(c.mean), factor: { rows: d, cols: m, data: Float64Array.from(c.factor) } } as RenderingLaw,
  level: c.level, seed: c.seed,
}))));

describe('SDS on Gaussian renderings', () => {
  const N = 20000;
  test.prop([problem], { numRuns: 20 })('the expected gradient equals the mean of DreamFusion\'s per-draw gradient (Student-t test per component)', ({ target, law, level, seed }) => {
    // α per component from the suite's budget (family sdsDreamFusion.mc: 20 runs × ≤ 12 components);
    // power: with n = 20000 a shift of (t_α + z_0.99)·sd/√n ≈ 0.06 per-draw standard deviations is detected with probability 0.99.
    const alpha = perAssertionFalseAlarm('sdsDreamFusion.mc');
    const tCrit = criticalT(alpha, N - 1);
    const d = law.mean.length, m = law.factor.cols;
    const rng = createRng(`sds-dreamfusion/${seed}`);
    const xi = new Float64Array(m), eps = new Float64Array(d);
    const sum = new Float64Array(d + d * m), sq = new Float64Array(d + d * m);
    for (let n = 0; n < N; n++) {
      rng.fillNormal(xi);
      rng.fillNormal(eps);
      const g = sdsGradientDraw(law, target, level, 1, xi, eps);
      for (let i = 0; i < d; i++) { sum[i] += g.mean[i]; sq[i] += g.mean[i] ** 2; }
      for (let i = 0; i < d * m; i++) { sum[d + i] += g.factor.data[i]; sq[d + i] += g.factor.data[i] ** 2; }
    }
    const e = sdsExpectedGradient(law, target, [level], [1]);
    const want = [...e.mean, ...e.factor.data];
    for (let i = 0; i < want.length; i++) {
      const mean = sum[i] / N, v = (sq[i] - N * mean * mean) / (N - 1);
      const se = Math.sqrt(Math.max(v, 0) / N);
      expect(Math.abs(mean - want[i])).toBeLessThanOrEqual(tCrit * se + 1e-12 * (1 + Math.abs(want[i])));
    }
    expect((tCrit + normalQuantile(0.99)) / Math.sqrt(N)).toBeLessThan(0.07);
  });

  test.prop([problem], { numRuns: 60 })('ω = 0: the DSM gradient (with the U-Net Jacobian) is 2saP_y times the SDS gradient — the same collapse of F', ({ target, law, level }) => {
    const t0: GuidedTarget = { ...target, guidance: 0 };
    const sds = sdsExpectedGradient(law, t0, [level], [1]);
    const cov = matmul(law.factor, { rows: law.factor.cols, cols: law.factor.rows, data: transposeData(law.factor) });
    // sds.ts: ∂DSM/∂Σ = a²P*² in score units; ε-units ×s², and ∂/∂F = 2·(∂/∂Σ)F
    const dsmSigma = sdsDsmGradient({ mean: law.mean, cov }, target.conditional, level).cov;
    const dsmF = scale(matmul(dsmSigma, law.factor), 2 * level.s ** 2);
    const P = gaussianMarginalPrecision(target.conditional.cov, level);
    const pred = scale(matmul(P, sds.factor), 2 * level.s * level.a);
    const mag = dsmF.data.reduce((a, v) => Math.max(a, Math.abs(v)), 1e-300);
    for (let i = 0; i < pred.data.length; i++) expect(Math.abs(pred.data[i] - dsmF.data[i])).toBeLessThanOrEqual(1e-10 * mag);
  });

  test.prop([problem], { numRuns: 60 })('fixed point: where K_ω ≻ 0 the mean gradient vanishes at μ_∞, F collapses, and ω = 0 gives μ_∞ = μ_y', ({ target, law, level }) => {
    const fp = sdsFixedPoint(target, [level], [1]);
    if (target.guidance === 0) expect(fp.collapses).toBe(true);
    if (!fp.collapses) return;
    const g = sdsExpectedGradient({ mean: fp.mean!, factor: law.factor }, target, [level], [1]);
    const { K } = sdsLinearization(target, [level], [1]);
    const kScale = K.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    const mScale = Math.max(1, ...Array.from(fp.mean!, Math.abs));
    for (const v of g.mean) expect(Math.abs(v)).toBeLessThanOrEqual(1e-9 * kScale * mScale);
    if (target.guidance === 0) fp.mean!.forEach((v, i) => expect(Math.abs(v - target.conditional.mean[i])).toBeLessThanOrEqual(1e-9 * mScale * Math.max(1, kScale / Math.min(...fp.collapseRates))));
  });

  test.prop([fc.record({ vy: simpleDouble(-1.5, 1, 2), v0Extra: simpleDouble(0, 1.5, 2), my: simpleDouble(-2, 2, 2), m0: simpleDouble(-2, 2, 2), omega: simpleDouble(0.1, 100, 2), level: noiseLevelArb(['vp']) })], { numRuns: 60 })(
    'd = 1, Σ_y < Σ_0: classifier-free guidance over-saturates — μ_∞ − μ_0 = (1+ω)A_y(μ_y − μ_0)/((1+ω)A_y − ωA_0), an overshoot > 1', ({ vy, v0Extra, my, m0, omega, level }) => {
      fc.pre(my !== m0);
      const varY = 10 ** vy, var0 = varY * 10 ** v0Extra * 1.01;
      const target: GuidedTarget = { conditional: new Gaussian([my], { rows: 1, cols: 1, data: Float64Array.of(varY) }), unconditional: new Gaussian([m0], { rows: 1, cols: 1, data: Float64Array.of(var0) }), guidance: omega };
      const fp = sdsFixedPoint(target, [level], [1]);
      const Ay = level.s * level.a / (level.a ** 2 * varY + level.s ** 2), A0 = level.s * level.a / (level.a ** 2 * var0 + level.s ** 2);
      const den = (1 + omega) * Ay - omega * A0;
      expect(fp.collapses).toBe(den > 0);
      if (!fp.collapses) return;
      const factor = ((1 + omega) * Ay) / den;
      expect(Math.abs(fp.overshoot! - factor)).toBeLessThanOrEqual(1e-9 * factor);
      expect(fp.overshoot!).toBeGreaterThan(1);
    },
  );

  test('negative control: a gradient that keeps the Jacobian but drops guidance\'s unconditional term misses the fixed point', () => {
    const out = fc.check(fc.property(problem, ({ target, level }) => {
      fc.pre(target.guidance > 0);
      const fp = sdsFixedPoint(target, [level], [1]);
      fc.pre(fp.collapses);
      const wrong = sdsFixedPoint({ ...target, guidance: 0 }, [level], [1]);
      return fp.mean!.every((v, i) => Math.abs(v - wrong.mean![i]) <= 1e-9 * (1 + Math.abs(v)));
    }), { numRuns: 200 });
    expect(out.failed).toBe(true);
  });

  test('the SDS flow at ω = 0 drives the rendering variance to 0 (zero diversity) and the mean to μ_y', () => {
    const target: GuidedTarget = { conditional: new Gaussian([1, -0.5], { rows: 2, cols: 2, data: Float64Array.of(0.5, 0.1, 0.1, 0.3) }), unconditional: new Gaussian([0, 0], { rows: 2, cols: 2, data: Float64Array.of(1, 0, 0, 1) }), guidance: 0 };
    const levels = [0.2, 0.5, 0.8].map((ab) => ({ a: Math.sqrt(ab), s: Math.sqrt(1 - ab) }));
    const flow = sdsFlow({ mean: Float64Array.of(0, 0), factor: { rows: 2, cols: 2, data: Float64Array.of(1, 0, 0, 1) } }, target, levels, [1 / 3, 1 / 3, 1 / 3], 400, 0.2);
    for (let i = 1; i < flow.diversity.length; i++) expect(flow.diversity[i]).toBeLessThan(flow.diversity[i - 1]);
    expect(flow.diversity.at(-1)!).toBeLessThan(1e-6);
    expect(flow.distanceToConditionalMean.at(-1)!).toBeLessThan(1e-3);
  });
});

function transposeData(m: Matrix): Float64Array {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j];
  return out;
}
