import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { gaussianOfDim, simpleDouble } from '../src/arbitraries/index.ts';
import { type Weighting, lossWeight } from '../src/diffusion/lossWeighting.ts';
import { type NoiseLevel, vpLevel } from '../src/diffusion/noiseLevel.ts';
import type { Parameterization } from '../src/diffusion/parameterization.ts';
import { affineSquaredNormMoments } from '../src/gaussian/affineExpectation.ts';
import { bilinearGaussianCumulants, bilinearGaussianMoments } from '../src/gaussian/bilinearExpectation.ts';
import type { Gaussian } from '../src/gaussian/gaussian.ts';
import { type Matrix, zeros } from '../src/linalg/index.ts';
import { createRng, criticalZ, minNumSamplesNormalTail, normalQuantile, perAssertionFalseAlarm } from '../src/mc/index.ts';
import { AffineConditionalScoreModel } from '../src/models/affineConditionalScoreModel.ts';
import { conditionalEsmAffine } from '../src/objectives/affineClosedForm.ts';
import { conditionedByEncoder } from '../src/objectives/conditionedData.ts';
import { encoderPosteriorCovariance } from '../src/theory/inputBias.ts';
import { type InputOptimizationSetting, inputGradientsAtLevel, parameterizationSlope, sampleInputGradient, targetCoefficients } from '../src/theory/inputOptimization.ts';
import { addScaledIdentity, scale, spdTraceInverse } from '../src/linalg/index.ts';

// MATH.md §7.6: optimizing a conditioning input through the user's DSM loss (Xu 2025 Theorem 2).

const ALPHA = perAssertionFalseAlarm('training.mc');
const mat = (rows: number, cols: number, bound = 1) => fc.array(simpleDouble(-bound, bound, 2), { minLength: rows * cols, maxLength: rows * cols }).map((v) => ({ rows, cols, data: Float64Array.from(v) }) as Matrix);
const weightings = fc.constantFrom<Weighting>({ kind: 'unit' }, { kind: 'min_snr_over_snr', gamma: 5 }, { kind: 'snr' });
const params = fc.constantFrom<Parameterization>('eps', 'x0', 'v', 'score');
const levels = fc.oneof(fc.constantFrom(0.9999, 0.5, 0.01), simpleDouble(0.02, 0.98, 3)).map((ab) => vpLevel(ab));

const settingArb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })).chain(([d, k]) =>
  fc.record({
    data: gaussianOfDim(d, { maxConditionNumber: 50, centreRange: 1, meanBound: 1 }),
    encoder: fc.record({ B: mat(k, d, 1.5), b: fc.array(simpleDouble(-1, 1, 2), { minLength: k, maxLength: k }).map((v) => Float64Array.from(v)), tau: simpleDouble(0.2, 2, 2) }),
    network: fc.record({ W: mat(d, d, 0.8), U: mat(d, k, 0.8), b: fc.array(simpleDouble(-0.5, 0.5, 2), { minLength: d, maxLength: d }) }),
    parameterization: params,
    weighting: weightings,
    reduction: fc.constantFrom<'mean' | 'sum'>('mean', 'sum'),
  }),
);

/** DSM_P(φ) by direct construction: z = (x_0, ξ, ε), r = L z + l, E‖r‖² (independent of the module's algebra). */
function dsmP(s: InputOptimizationSetting, level: NoiseLevel): number {
  const d = s.data.dim, k = s.encoder.B.rows, n = 2 * d + k;
  const { a, s: sd } = level;
  const { tx, te } = targetCoefficients(s.parameterization, level);
  const L = zeros(d, n), m = new Float64Array(n), S = zeros(n, n), l = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    m[i] = s.data.mean[i];
    for (let j = 0; j < d; j++) S.data[i * n + j] = s.data.cov.data[i * d + j];
    S.data[(d + k + i) * n + d + k + i] = 1;
    l[i] = s.network.b[i];
    for (let j = 0; j < d; j++) {
      let ub = 0;
      for (let q = 0; q < k; q++) ub += s.network.U.data[i * k + q] * s.encoder.B.data[q * d + j];
      L.data[i * n + j] = a * s.network.W.data[i * d + j] + ub - (i === j ? tx : 0);
      L.data[i * n + d + k + j] = sd * s.network.W.data[i * d + j] - (i === j ? te : 0);
    }
    for (let q = 0; q < k; q++) {
      L.data[i * n + d + q] = s.encoder.tau * s.network.U.data[i * k + q];
      l[i] += s.network.U.data[i * k + q] * s.encoder.b[q];
    }
  }
  for (let q = 0; q < k; q++) S.data[(d + q) * n + d + q] = 1;
  const lam = lossWeight(s.weighting, a * a) / (s.reduction === 'mean' ? d : 1);
  return lam * affineSquaredNormMoments(L, l, m, S).mean;
}

/** ESM_P(φ) through the existing score-space closed form: s(x, c) = (f(x, c) − ρ x)/κ. */
function esmP(s: InputOptimizationSetting, level: NoiseLevel): number {
  const d = s.data.dim, k = s.encoder.B.rows;
  const kappa = parameterizationSlope(s.parameterization, level);
  // ρ: the P-output at score 0 is ρ·x (ε: 0, x_0: x/a, v: −s·x/a… read from the conversion at x = 1).
  const rho = targetCoefficients(s.parameterization, level) && (() => {
    const { a, s: sd } = level;
    return s.parameterization === 'x0' ? 1 / a : s.parameterization === 'v' ? -sd / a : 0;
  })();
  const A = zeros(d, d);
  for (let i = 0; i < d * d; i++) A.data[i] = s.network.W.data[i] / kappa;
  for (let i = 0; i < d; i++) A.data[i * d + i] -= rho / kappa;
  const model = new AffineConditionalScoreModel(A, { rows: d, cols: k, data: s.network.U.data.map((v) => v / kappa) }, Float64Array.from(s.network.b, (v) => v / kappa));
  const lam = lossWeight(s.weighting, level.a * level.a) / (s.reduction === 'mean' ? d : 1);
  return lam * kappa * kappa * conditionalEsmAffine(model, conditionedByEncoder(s.data, s.encoder), level).mean;
}

/**
 * Central differences of f over the encoder's B entries and b at steps h and 2h. D(h) = f′ + c·h² + O(h⁴), so
 * D(2h) − D(h) = 3c·h² + O(h⁴): |D(2h) − D(h)|/3 estimates D(h)'s truncation (0 for the quadratic DSM).
 */
function fdEncoder(s: InputOptimizationSetting, f: (s: InputOptimizationSetting) => number, h = 1e-5): { at: Float64Array; truncation: Float64Array } {
  const k = s.encoder.B.rows, d = s.data.dim;
  const at = new Float64Array(k * d + k), truncation = new Float64Array(k * d + k);
  for (let i = 0; i < k * d + k; i++) {
    const shift = (step: number) => {
      const B = { ...s.encoder.B, data: Float64Array.from(s.encoder.B.data) };
      const b = Float64Array.from(s.encoder.b);
      if (i < k * d) B.data[i] += step;
      else b[i - k * d] += step;
      return f({ ...s, encoder: { ...s.encoder, B, b } });
    };
    at[i] = (shift(h) - shift(-h)) / (2 * h);
    truncation[i] = Math.abs((shift(2 * h) - shift(-2 * h)) / (4 * h) - at[i]) / 3;
  }
  return { at, truncation };
}

const flat = (g: { B: Matrix; b: ArrayLike<number> }) => Float64Array.from([...g.B.data, ...Array.from(g.b)]);

describe('input optimization: DSM and ESM gradients with respect to an encoder', () => {
  test.prop([settingArb, levels], { numRuns: 80 })('∇_φ DSM_P and ∇_φ ESM_P equal central differences of the independent closed forms', (s, level) => {
    const g = inputGradientsAtLevel(s, level);
    const fdD = fdEncoder(s, (x) => dsmP(x, level)), fdE = fdEncoder(s, (x) => esmP(x, level));
    const gD = flat(g.dsm), gE = flat(g.esm);
    // Rounding: 1e−6·max(1, f) at h = 1e−5 allows ≈ 4500 ulps of f in each closed form (a chosen allowance).
    // Truncation: DSM is quadratic in (B, b), so none; ESM's h²/6·∂³ESM is not small when the encoder's
    // conditioning varies on a short scale in B (seed 149: τ = 0.2, Σ = 8.3, B = −0.01 gives 1.03e−6 of a
    // gradient −28.3), so twice its Richardson estimate is added.
    const scaleD = Math.max(1, dsmP(s, level)), scaleE = Math.max(1, esmP(s, level));
    for (let i = 0; i < gD.length; i++) {
      expect(Math.abs(gD[i] - fdD.at[i])).toBeLessThanOrEqual(1e-6 * scaleD);
      expect(Math.abs(gE[i] - fdE.at[i])).toBeLessThanOrEqual(1e-6 * scaleE + 2 * fdE.truncation[i]);
    }
  });

  test('regression (SCORECHECK_SEED=149 of the long run): ESM\'s central difference at h = 1e−5 is off by 1.03e−6 of −28.3; the Richardson estimate sees it, and a gradient off by 1e−5 is still rejected', () => {
    const s: InputOptimizationSetting = {
      data: { dim: 1, mean: Float64Array.of(0), cov: { rows: 1, cols: 1, data: Float64Array.of(8.317637711026709) } } as unknown as Gaussian,
      encoder: { B: { rows: 1, cols: 1, data: Float64Array.of(-0.01) }, b: Float64Array.of(0), tau: 0.2 },
      network: { W: { rows: 1, cols: 1, data: Float64Array.of(0) }, U: { rows: 1, cols: 1, data: Float64Array.of(0) }, b: [0] },
      parameterization: 'x0', weighting: { kind: 'unit' }, reduction: 'mean',
    };
    const level = vpLevel(0.01);
    const gE = inputGradientsAtLevel(s, level).esm.B.data[0];
    const fd = fdEncoder(s, (x) => esmP(x, level));
    expect(Math.abs(gE - fd.at[0])).toBeGreaterThan(1e-6); // the old fixed tolerance
    expect(fd.truncation[0]).toBeGreaterThan(0.5 * Math.abs(gE - fd.at[0]));
    expect(fd.truncation[0]).toBeLessThan(2 * Math.abs(gE - fd.at[0]));
    // The Richardson extrapolation (4D(h) − D(2h))/3 = D(h) ∓ truncation agrees to far below either.
    expect(Math.min(Math.abs(gE - fd.at[0] - fd.truncation[0]), Math.abs(gE - fd.at[0] + fd.truncation[0]))).toBeLessThan(1e-8);
    const tol = 1e-6 * Math.max(1, esmP(s, level)) + 2 * fd.truncation[0];
    expect(Math.abs(gE * (1 + 1e-5) - fd.at[0])).toBeGreaterThan(tol); // negative control: a 1e−5 relative error is seen
  });

  test.prop([settingArb, levels], { numRuns: 60 })('Theorem 2 in the user’s units: DSM_P − ESM_P = (λκ²/d′)(d/s² − tr K), and the bias raises tr K', (s, level) => {
    const d = s.data.dim;
    const lam = lossWeight(s.weighting, level.a * level.a) / (s.reduction === 'mean' ? d : 1);
    const kappa = parameterizationSlope(s.parameterization, level);
    const post = encoderPosteriorCovariance(s.data.cov, s.encoder.B, s.encoder.tau);
    const trK = spdTraceInverse(addScaledIdentity(scale(post, level.a ** 2), level.s ** 2), 'K');
    const gap = dsmP(s, level) - esmP(s, level);
    const want = lam * kappa * kappa * (d / level.s ** 2 - trK);
    expect(Math.abs(gap - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(dsmP(s, level)), Math.abs(want)));
    // Descending DSM moves B by −η·bias relative to ESM: the first-order change of tr K along −bias is ≥ 0.
    const g = inputGradientsAtLevel(s, level);
    let along = 0;
    for (let i = 0; i < g.bias.B.data.length; i++) along += -g.bias.B.data[i] * (-g.bias.B.data[i] / g.factor);
    expect(along).toBeGreaterThanOrEqual(0);
  });

  test('negative control: a unit encoder noise τ → ∞ removes the bias; a sharp encoder does not', () => {
    const setting = (tau: number): InputOptimizationSetting => ({
      data: { dim: 1, mean: Float64Array.of(0.2), cov: { rows: 1, cols: 1, data: Float64Array.of(1) } } as unknown as Gaussian,
      encoder: { B: { rows: 1, cols: 1, data: Float64Array.of(1) }, b: Float64Array.of(0), tau },
      network: { W: { rows: 1, cols: 1, data: Float64Array.of(0.3) }, U: { rows: 1, cols: 1, data: Float64Array.of(0.5) }, b: [0] },
      parameterization: 'eps', weighting: { kind: 'unit' }, reduction: 'mean',
    });
    const level = vpLevel(0.5);
    expect(Math.abs(inputGradientsAtLevel(setting(1e4), level).bias.B.data[0])).toBeLessThan(1e-8);
    expect(Math.abs(inputGradientsAtLevel(setting(0.1), level).bias.B.data[0])).toBeGreaterThan(1e-2);
  });
});

describe('input optimization: the user’s per-sample ∂ℓ/∂c averages to the predicted DSM gradient (Monte Carlo, exact variance)', () => {
  // Along a random direction (V, v) of (B, b), D = ⟨∂ℓ/∂c, V x_0 + v⟩ is a bilinear form in z = (x_0, ξ, ε):
  // its exact mean and variance (bilinearGaussianMoments) give a z-test at the suite's α with a stated power.
  test.prop([settingArb, levels, fc.integer({ min: 0, max: 2 ** 31 - 1 })], { numRuns: 20 })('mean of D over n draws = ⟨E∇DSM, (V, v)⟩', (s, level, seed) => {
    const rng = createRng(seed);
    const d = s.data.dim, k = s.encoder.B.rows, n = 2 * d + k;
    const V = Float64Array.from({ length: k * d }, () => rng.normal()), v = Float64Array.from({ length: k }, () => rng.normal());
    const g = inputGradientsAtLevel(s, level);
    let predicted = 0;
    for (let i = 0; i < k * d; i++) predicted += g.dsm.B.data[i] * V[i];
    for (let i = 0; i < k; i++) predicted += g.dsm.b[i] * v[i];
    // D = (2λ/d′)(Lz + l)ᵀ U (V x_0 + v): X = Lz + l (d), Y = U(V P_x z + v).
    const { a, s: sd } = level;
    const { tx, te } = targetCoefficients(s.parameterization, level);
    const lam = (2 * lossWeight(s.weighting, a * a)) / (s.reduction === 'mean' ? d : 1);
    const L = zeros(d, n), l = new Float64Array(d), Y = zeros(d, n), y = new Float64Array(d);
    const m = new Float64Array(n), S = zeros(n, n);
    for (let i = 0; i < d; i++) {
      m[i] = s.data.mean[i];
      for (let j = 0; j < d; j++) S.data[i * n + j] = s.data.cov.data[i * d + j];
      S.data[(d + k + i) * n + d + k + i] = 1;
    }
    for (let q = 0; q < k; q++) S.data[(d + q) * n + d + q] = 1;
    for (let i = 0; i < d; i++) {
      l[i] = lam * s.network.b[i];
      for (let q = 0; q < k; q++) l[i] += lam * s.network.U.data[i * k + q] * s.encoder.b[q];
      for (let j = 0; j < d; j++) {
        let ub = 0, uv = 0;
        for (let q = 0; q < k; q++) { ub += s.network.U.data[i * k + q] * s.encoder.B.data[q * d + j]; uv += s.network.U.data[i * k + q] * V[q * d + j]; }
        L.data[i * n + j] = lam * (a * s.network.W.data[i * d + j] + ub - (i === j ? tx : 0));
        L.data[i * n + d + k + j] = lam * (sd * s.network.W.data[i * d + j] - (i === j ? te : 0));
        Y.data[i * n + j] = uv;
      }
      for (let q = 0; q < k; q++) { L.data[i * n + d + q] = lam * s.encoder.tau * s.network.U.data[i * k + q]; y[i] += s.network.U.data[i * k + q] * v[q]; }
    }
    const mom = bilinearGaussianMoments(L, l, Y, y, m, S);
    expect(Math.abs(mom.mean - predicted)).toBeLessThanOrEqual(1e-9 * (Math.abs(predicted) + Math.sqrt(mom.variance)));
    // n sized so that 10 % of max(|predicted|, sd) is detected at 99 % power, and at least the Cramér
    // minimum for D's exact skewness and kurtosis (a bilinear Gaussian form is heavy-tailed: at n = 2 the
    // z-test's tail at z ≈ 5.7 was far above α — suite seed 26).
    const zc = criticalZ(ALPHA);
    const target = 0.1 * Math.max(Math.abs(predicted), Math.sqrt(mom.variance) / 10);
    const shape = bilinearGaussianCumulants(L, l, Y, y, m, S);
    const nTail = minNumSamplesNormalTail(ALPHA, shape.skewness, shape.excessKurtosis);
    // A degenerate D (U = 0 or a zero direction) has variance 0: two draws decide it exactly.
    const N = mom.variance === 0 || target === 0 ? 2 : Math.max(2, nTail, Math.min(100_000, Math.ceil(((zc + normalQuantile(0.99)) ** 2 * mom.variance) / (target * target))));
    let sum = 0;
    const x0 = new Float64Array(d), xi = new Float64Array(k), eps = new Float64Array(d), c = new Float64Array(k);
    for (let r = 0; r < N; r++) {
      const sample = s.data.sample(rng, 1);
      x0.set(sample.subarray(0, d));
      rng.fillNormal(xi);
      rng.fillNormal(eps);
      for (let q = 0; q < k; q++) { c[q] = s.encoder.b[q] + s.encoder.tau * xi[q]; for (let j = 0; j < d; j++) c[q] += s.encoder.B.data[q * d + j] * x0[j]; }
      const gc = sampleInputGradient(s, level, x0, eps, c);
      for (let q = 0; q < k; q++) { let dir = v[q]; for (let j = 0; j < d; j++) dir += V[q * d + j] * x0[j]; sum += gc[q] * dir; }
    }
    const mean = sum / N, se = Math.sqrt(mom.variance / N);
    expect(Math.abs(mean - predicted)).toBeLessThanOrEqual(zc * se + 1e-12 * Math.abs(predicted));
  });

  test('negative control: the ESM gradient (what an unbiased input optimization would follow) is rejected by the same test', () => {
    const s: InputOptimizationSetting = {
      data: { dim: 1, mean: Float64Array.of(0.3), cov: { rows: 1, cols: 1, data: Float64Array.of(1) }, sample: (rng: { normal(): number }, _n: number) => Float64Array.of(0.3 + rng.normal()) } as unknown as Gaussian,
      encoder: { B: { rows: 1, cols: 1, data: Float64Array.of(1) }, b: Float64Array.of(0), tau: 1 },
      network: { W: { rows: 1, cols: 1, data: Float64Array.of(0.2) }, U: { rows: 1, cols: 1, data: Float64Array.of(0.6) }, b: [0.1] },
      parameterization: 'eps', weighting: { kind: 'unit' }, reduction: 'mean',
    };
    const level = vpLevel(0.5);
    const g = inputGradientsAtLevel(s, level);
    const rng = createRng(11);
    const N = 20_000;
    let sum = 0;
    for (let r = 0; r < N; r++) {
      const x0 = Float64Array.of(0.3 + rng.normal()), eps = Float64Array.of(rng.normal());
      const c = Float64Array.of(x0[0] + rng.normal());
      sum += sampleInputGradient(s, level, x0, eps, c)[0] * x0[0];
    }
    const mean = sum / N;
    // The DSM prediction passes and the ESM prediction fails, both at the suite's critical value with a plug-in se.
    let ss = 0;
    const rng2 = createRng(11);
    for (let r = 0; r < N; r++) {
      const x0 = Float64Array.of(0.3 + rng2.normal()), eps = Float64Array.of(rng2.normal());
      const c = Float64Array.of(x0[0] + rng2.normal());
      ss += (sampleInputGradient(s, level, x0, eps, c)[0] * x0[0] - mean) ** 2;
    }
    const se = Math.sqrt(ss / (N - 1) / N), zc = criticalZ(ALPHA);
    expect(Math.abs(mean - g.dsm.B.data[0])).toBeLessThanOrEqual(zc * se);
    expect(Math.abs(mean - g.esm.B.data[0])).toBeGreaterThan(zc * se);
  });
});
