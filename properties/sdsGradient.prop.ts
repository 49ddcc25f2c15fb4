import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, simpleDouble } from '../src/arbitraries/index.ts';
import { vpLevel } from '../src/diffusion/noiseLevel.ts';
import type { Parameterization } from '../src/diffusion/parameterization.ts';
import { Gaussian } from '../src/gaussian/gaussian.ts';
import { type Matrix, cholesky, matmul, transpose } from '../src/linalg/index.ts';
import { createRng, criticalT, estimateFromSamples, normalQuantile, perAssertionFalseAlarm } from '../src/mc/index.ts';
import { gaussianMarginalPrecision } from '../src/theory/vincentScoreFunction.ts';
import { sdsDsmGradient } from '../src/theory/sds.ts';
import { type SdsSetting, expectedSdsGradient, sampleSdsGradient } from '../src/theory/sdsGradient.ts';

// MATH.md §7.7: score-distillation gradients of a Gaussian input distribution (Xu 2025 Corollary).

const ALPHA = perAssertionFalseAlarm('training.mc');
const mat = (d: number, bound: number) => fc.array(simpleDouble(-bound, bound, 2), { minLength: d * d, maxLength: d * d }).map((v) => ({ rows: d, cols: d, data: Float64Array.from(v) }) as Matrix);
const settingArb = fc.record({
  parameterization: fc.constantFrom<Parameterization>('eps', 'x0', 'v', 'score'),
  gradient: fc.constantFrom<'sds' | 'full'>('sds', 'full'),
  weighting: fc.constantFrom<SdsSetting['weighting']>({ kind: 'unit' }, { kind: 'one_minus_alpha_bar' }, { kind: 'snr' }),
  reduction: fc.constantFrom<'mean' | 'sum'>('mean', 'sum'),
});

describe('SDS gradients of N(μ, FFᵀ) through a frozen affine network', () => {
  test.prop(
    [settingArb, fc.integer({ min: 1, max: 3 }).chain((d) => fc.tuple(mat(d, 1), fc.array(simpleDouble(-0.5, 0.5, 2), { minLength: d, maxLength: d }), fc.array(simpleDouble(-1, 1, 2), { minLength: d, maxLength: d }), mat(d, 1))), fc.constantFrom(0.9999, 0.5, 0.02), fc.integer({ min: 0, max: 2 ** 31 - 1 })],
    { numRuns: 24 },
  )('per-draw gradients average to the expected gradient (every coordinate, Student-t at the suite’s α, 10 % power target)', (set, [W, b, mu, F], ab, seed) => {
    const level = vpLevel(ab);
    const d = mu.length;
    const net = { W, b };
    const exp = expectedSdsGradient(set, net, level, mu, F);
    const rng = createRng(seed);
    const N = 20_000;
    const xi = new Float64Array(d), eps = new Float64Array(d);
    const draws = Array.from({ length: d + d * d }, () => new Float64Array(N));
    for (let n = 0; n < N; n++) {
      rng.fillNormal(xi);
      rng.fillNormal(eps);
      const g = sampleSdsGradient(set, net, level, mu, F, xi, eps);
      for (let i = 0; i < d; i++) draws[i][n] = g.mu[i];
      for (let i = 0; i < d * d; i++) draws[d + i][n] = g.F[i];
    }
    const want = [...exp.gradient.mu, ...exp.gradient.F];
    const tc = criticalT(ALPHA, N - 1);
    const scale = Math.max(...want.map(Math.abs));
    want.forEach((w, i) => {
      const est = estimateFromSamples(draws[i]);
      // Power: (t + z_0.99)·se must resolve 10 % of the largest expected entry (or of the per-draw sd).
      expect((tc + normalQuantile(0.99)) * est.stderr).toBeLessThanOrEqual(0.1 * Math.max(scale, Math.sqrt(est.variance)));
      expect(Math.abs(est.mean - w)).toBeLessThanOrEqual(tc * est.stderr + 1e-12 * scale);
    });
  });

  test.prop([fc.integer({ min: 1, max: 3 }).chain((d) => gaussianOfDim(d, { maxConditionNumber: 20, centreRange: 1, meanBound: 1 })), fc.constantFrom(0.9, 0.5, 0.1)], { numRuns: 40 })(
    'with the exact target score frozen, the full gradient is sds.ts’s ∇DSM (∂F = 2 ∂_Σ F) and both kinds collapse the spread',
    (target, ab) => {
      const level = vpLevel(ab);
      const d = target.dim;
      const P = gaussianMarginalPrecision(target.cov, level, 'target');
      // score network ŝ(x) = −P(x − aμ*): W = −P, b = aPμ*.
      const b = new Float64Array(d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) b[i] += level.a * P.data[i * d + j] * target.mean[j];
      const W = { rows: d, cols: d, data: P.data.map((v) => -v) };
      const mu = target.mean.map((v) => v + 0.3);
      const F = cholesky({ rows: d, cols: d, data: target.cov.data.map((v, i) => 0.5 * v + (i % (d + 1) === 0 ? 0.1 : 0)) }, 'F');
      const full = expectedSdsGradient({ parameterization: 'score', gradient: 'full', weighting: { kind: 'unit' }, reduction: 'sum' }, { W, b }, level, mu, F);
      const ref = sdsDsmGradient({ mean: mu, cov: matmul(F, transpose(F)) }, target, level);
      const refF = matmul({ rows: d, cols: d, data: ref.cov.data.map((v) => 2 * v) }, F);
      for (let i = 0; i < d; i++) expect(full.gradient.mu[i]).toBeCloseTo(ref.mean[i], 10);
      for (let i = 0; i < d * d; i++) expect(full.gradient.F[i]).toBeCloseTo(refF.data[i], 10);
      expect(full.collapseRate).toBeGreaterThan(0);
      // DreamFusion's gradient, ε-parameterized network ε̂ = −s ŝ: also contracts the spread.
      const epsNet = { W: { rows: d, cols: d, data: W.data.map((v) => -level.s * v) }, b: b.map((v) => -level.s * v) };
      expect(expectedSdsGradient({ parameterization: 'eps', gradient: 'sds', weighting: { kind: 'one_minus_alpha_bar' }, reduction: 'mean' }, epsNet, level, mu, F).collapseRate).toBeGreaterThan(0);
    },
  );

  test('negative control: a network that expands (W = +P in score units) gives a negative collapse rate', () => {
    const target = new Gaussian([0], { rows: 1, cols: 1, data: Float64Array.of(1) }, 'target');
    const level = vpLevel(0.5);
    const P = gaussianMarginalPrecision(target.cov, level, 'target');
    const r = expectedSdsGradient({ parameterization: 'score', gradient: 'sds', weighting: { kind: 'unit' }, reduction: 'sum' }, { W: P, b: [0] }, level, [0], { rows: 1, cols: 1, data: Float64Array.of(1) });
    expect(r.collapseRate).toBeLessThan(0);
  });
});
