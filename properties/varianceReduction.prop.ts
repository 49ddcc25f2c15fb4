import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  affineConditionalScoreModel, affineScoreModel, dimension, gaussianOfDim, linearEncoder, mcSeed, mlpConditionalScoreModel,
  mlpScoreModel, noiseLevelArb, simpleDouble,
} from '../src/arbitraries/index.ts';
import { affineSquaredNormMoments } from '../src/gaussian/affineExpectation.ts';
import type { Gaussian } from '../src/gaussian/gaussian.ts';
import { addScaledIdentity, identity, scale, spdInverse } from '../src/linalg/index.ts';
import { type Estimate, createRng, criticalZ, detectableDiscrepancy, meanTolerance, perAssertionFalseAlarm, sampleSizeFor } from '../src/mc/index.ts';
import {
  type GapTerms, MlpBatchModel, affineBatchModel, antitheticControlVariateGapEstimate, controlVariateEstimate,
  controlVariateGapEstimate, fittedControlVariateGapEstimate, linearControlGapEstimate, oracleControlDensityIntegrandEstimate,
  prepareConditionalGaussianGap, prepareGaussianGap, sampleDensityIntegrandTerms, sampleGapTerms,
} from '../src/index.ts';
import { symmetricEigen } from '../src/linalg/index.ts';
import { AffineScoreModel } from '../src/models/affineScoreModel.ts';
import type { MlpScoreModel } from '../src/models/mlpScoreModel.ts';
import { conditionedByEncoder } from '../src/objectives/conditionedData.ts';
import { encoderInputBiasGap } from '../src/theory/inputBias.ts';
import { mmseNoisePredictor } from '../src/theory/mmseNoisePredictor.ts';
import { vincentConstant } from '../src/theory/vincent.ts';
import { type NoisePredictor, vpPointAtAlpha } from '../src/theory/vpPoint.ts';

/**
 * The variance-reduced Monte Carlo estimators stay unbiased: each is compared
 * with the exact value (Vincent's C_t, the input-bias gap, the density-formula
 * inner expectation by affineSquaredNormMoments) with the tolerance
 * z_{1−α/2}·σ̂/√n, α from the suite budget (family 'varianceReduction.mc'),
 * σ̂ the estimator's own sample standard deviation. Negative controls: a control
 * variate given the wrong expectation, and a sampler with the right mean and
 * variance but wrong tails, must be rejected.
 *
 * Statistical assertions per suite run: Vincent 25 runs × 4 + input bias 20 × 3
 * + density 20 × 2 + sampler 4 = 204 ≤ 400 declared.
 */
const ALPHA = perAssertionFalseAlarm('varianceReduction.mc');
const N = 4000;
const PILOT = 2000;

/**
 * |mean − truth| ≤ z σ̂/√n + rounding. The rounding term bounds double-precision
 * error: summing n terms of size ≤ `magnitude` (n·2⁻⁵², Higham §4.2) plus the
 * exact value and the samples being computed through different factorizations
 * of a matrix with condition number κ (≈ 4dκ·2⁻⁵² relative each). It matters only
 * for estimators whose residual variance is at floating-point level (a control
 * that reproduces the model exactly).
 */
function withinTolerance(e: Estimate, truth: number, magnitude: number, d = 1, kappa = 1): { ok: boolean; err: number; tol: number } {
  const tol = meanTolerance(e.variance, e.n, ALPHA) + (e.n + 4 * d * kappa) * Number.EPSILON * (Math.abs(truth) + magnitude);
  const err = Math.abs(e.mean - truth);
  return { ok: err <= tol, err, tol };
}

/** Condition number of a diagonal from its entries (eigenframe precisions). */
function conditionOf(diag: ArrayLike<number>): number {
  let lo = Infinity, hi = 0;
  for (let i = 0; i < diag.length; i++) { lo = Math.min(lo, diag[i]); hi = Math.max(hi, diag[i]); }
  return hi / lo;
}

function batchModelOf(m: AffineScoreModel | MlpScoreModel) {
  return m instanceof AffineScoreModel ? affineBatchModel(m) : MlpBatchModel.fromWeights(m.weights);
}

const vincentCase = dimension({ min: 1, max: 6 }).chain((d) =>
  fc.record({
    data: gaussianOfDim(d),
    level: noiseLevelArb(),
    model: fc.oneof(affineScoreModel(d), mlpScoreModel(d)),
    seed: mcSeed(),
  }));

function vincentTerms(c: { data: Gaussian; level: { a: number; s: number }; model: AffineScoreModel | MlpScoreModel; seed: number }) {
  const prep = prepareGaussianGap(c.data, c.level, batchModelOf(c.model));
  const rng = createRng(`vr/vincent/${c.seed}`);
  const t = sampleGapTerms(prep, rng.fork('plain'), N, { linearControl: PILOT });
  const ta = sampleGapTerms(prep, rng.fork('anti'), N, { antithetic: true });
  return { t, ta, C: vincentConstant(c.data, c.level), kappa: conditionOf(prep.marginalPrecision) };
}

/** Scale of the per-sample values, for the rounding allowance. */
function magnitude(t: GapTerms): number {
  let m = 0;
  for (let i = 0; i < t.n; i++) m = Math.max(m, Math.abs(t.modelFree[i]) + Math.abs(t.modelTerm[i]) + Math.abs(t.linearControl?.[i] ?? 0));
  return m;
}

describe('variance reduction — reduced estimators are unbiased', () => {
  test.prop([vincentCase], { numRuns: 25 })('Vincent C_t: control variate, fitted, antithetic, linear-model control', (c) => {
    const { t, ta, C, kappa } = vincentTerms(c);
    const mag = magnitude(t);
    for (const [name, e] of [
      ['control variate', controlVariateGapEstimate(t)],
      ['fitted control variate', fittedControlVariateGapEstimate(t)],
      ['antithetic + control variate', antitheticControlVariateGapEstimate(ta)],
      ['linear-model control', linearControlGapEstimate(t)],
    ] as const) {
      const r = withinTolerance(e, C, mag, c.data.dim, kappa);
      expect(r.ok, `${name}: |${e.mean} − C_t ${C}| = ${r.err} > ${r.tol}`).toBe(true);
    }
  });

  const inputBiasCase = fc.tuple(dimension({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })).chain(([d, k]) =>
    fc.record({
      data: gaussianOfDim(d),
      encoder: linearEncoder(d, { k }),
      level: noiseLevelArb(),
      model: fc.oneof(affineConditionalScoreModel(d, k), mlpConditionalScoreModel(d, k)),
      seed: mcSeed(),
    }));

  test.prop([inputBiasCase], { numRuns: 20 })('input-bias gap: control variate, fitted, linear-model control', (c) => {
    const cd = conditionedByEncoder(c.data, c.encoder);
    const prep = prepareConditionalGaussianGap(cd, c.level, c.model);
    const t = sampleGapTerms(prep, createRng(`vr/inputBias/${c.seed}`), N, { linearControl: PILOT });
    const G = encoderInputBiasGap(c.data, c.encoder, c.level);
    const mag = magnitude(t);
    for (const [name, e] of [
      ['control variate', controlVariateGapEstimate(t)],
      ['fitted control variate', fittedControlVariateGapEstimate(t)],
      ['linear-model control', linearControlGapEstimate(t)],
    ] as const) {
      const r = withinTolerance(e, G, mag, c.data.dim, conditionOf(prep.marginalPrecision));
      expect(r.ok, `${name}: |${e.mean} − gap ${G}| = ${r.err} > ${r.tol}`).toBe(true);
    }
  });

  /**
   * A "learned" noise predictor ε̂ = ε* + Δx + δ (affine error): its inner
   * expectation is exact, ε̂ − z = (s²Σ_α⁻¹ − I + sΔ) z + (a s Σ_α⁻¹(x_0 − μ) + aΔx_0 + δ).
   */
  const densityCase = dimension({ min: 1, max: 4 }).chain((d) =>
    fc.record({
      data: gaussianOfDim(d),
      alpha: simpleDouble(0.02, 0.98, 3),
      x0: fc.array(simpleDouble(-3, 3, 2), { minLength: d, maxLength: d }),
      delta: fc.array(simpleDouble(-0.3, 0.3, 2), { minLength: d * d + d, maxLength: d * d + d }),
      antithetic: fc.boolean(),
      seed: mcSeed(),
    }));

  test.prop([densityCase], { numRuns: 20 })('density-formula inner expectation: oracle control variate (plain and antithetic pairs)', (c) => {
    const x0 = Float64Array.from(c.x0);
    const { pred, exact } = perturbedPredictor(c.data, c.delta);
    const truth = exact(c.alpha, x0);
    const rng = createRng(`vr/density/${c.seed}`);
    const t = vpPointAtAlpha(c.alpha);
    for (const anti of [false, true]) {
      const terms = sampleDensityIntegrandTerms(c.data, x0, t, pred, rng.fork(String(anti)), N, { antithetic: anti });
      // Rounding scale of one draw: ‖ε̂ − z‖² is a difference of nearly equal operands
      // (ε̂ ≈ z when the data variance is small), so its error scales with the operands,
      // (‖ε̂‖ + ‖z‖)² ≤ (√value + 2‖z‖)², not with the (possibly tiny) value; same for ε*.
      let mag = 0;
      for (let i = 0; i < terms.n; i++) {
        const zn = Math.sqrt(terms.zNormCentered[i] + c.data.dim);
        mag = Math.max(mag, (Math.sqrt(terms.values[i]) + 2 * zn) ** 2 + (Math.sqrt(terms.oracle[i]) + 2 * zn) ** 2);
      }
      const ev = symmetricEigen(c.data.cov).values.map((l) => c.alpha * l + 1 - c.alpha);
      const e = oracleControlDensityIntegrandEstimate(terms);
      const r = withinTolerance(e, truth, mag, c.data.dim, conditionOf(ev));
      expect(r.ok, `antithetic=${anti}: |${e.mean} − ${truth}| = ${r.err} > ${r.tol}`).toBe(true);
    }
  });
});

describe('variance reduction — negative controls', () => {
  test('a control variate with the wrong expectation (E A taken as d/s², forgetting E‖∇log q_t‖²) is rejected', () => {
    // Cases without power against this bias (it vanishes as s → ∞, or needs > 1e5 draws)
    // are discarded with fc.pre, so each of the 25 counted runs is a powered rejection test.
    fc.assert(fc.property(vincentCase, (c) => {
      const prep = prepareGaussianGap(c.data, c.level, batchModelOf(c.model));
      const rng = createRng(`vr/vincent/negative/${c.seed}`);
      const C = vincentConstant(c.data, c.level);
      const d = c.data.dim, s = c.level.s;
      const bias = d / (s * s) - C;
      // Enough samples for power 1 − 1e-9 against this bias (pilot variance × 2 for safety), capped.
      const pilot = controlVariateGapEstimate(sampleGapTerms(prep, rng.fork('pilot'), 1000));
      const n = Math.max(N, 2 * Math.ceil(sampleSizeFor(2 * pilot.variance, bias, ALPHA, 1e-9) / 2));
      fc.pre(n <= 100_000);
      const t = sampleGapTerms(prep, rng.fork('main'), n);
      const g = new Float64Array(t.n);
      for (let i = 0; i < t.n; i++) g[i] = t.modelFree[i] + t.modelTerm[i];
      const wrong = controlVariateEstimate(g, t.modelFree, d / (s * s), 1);
      fc.pre(bias >= detectableDiscrepancy(wrong.variance, wrong.n, ALPHA, 1e-9));
      const r = withinTolerance(wrong, C, magnitude(t));
      expect(r.ok, `biased control accepted: |${wrong.mean} − ${C}| = ${r.err} ≤ ${r.tol}`).toBe(false);
    }), { numRuns: 25 });
  });

  test('an oracle control given the wrong mean (the ‖l‖² term dropped) is rejected', () => {
    fc.assert(fc.property(dimension({ min: 1, max: 4 }).chain((d) => fc.record({
      data: gaussianOfDim(d),
      alpha: simpleDouble(0.2, 0.8, 2),
      delta: fc.array(simpleDouble(-0.3, 0.3, 2), { minLength: d * d + d, maxLength: d * d + d }),
      seed: mcSeed(),
    })), (c) => {
      // x_0 three standard deviations out along the first axis: ‖l‖² is then large.
      const d = c.data.dim;
      const x0 = Float64Array.from(c.data.mean);
      x0[0] += 3 * Math.sqrt(c.data.cov.data[0]) + 3;
      const { pred, exact } = perturbedPredictor(c.data, c.delta);
      const truth = exact(c.alpha, x0);
      const terms = sampleDensityIntegrandTerms(c.data, x0, vpPointAtAlpha(c.alpha), pred, createRng(`vr/density/neg/${c.seed}`), N);
      const lsq = oracleOffsetSquared(c.data, x0, c.alpha);
      const wrong = controlVariateEstimate(terms.values, terms.oracle, terms.oracleMean - lsq, 1); // β = 1: the shift is exactly ‖l‖²
      if (lsq < detectableDiscrepancy(wrong.variance, wrong.n, ALPHA, 1e-9)) return; // no power: skip (rare)
      const r = withinTolerance(wrong, truth, 0);
      expect(r.ok, `wrong oracle mean accepted: |${wrong.mean} − ${truth}| = ${r.err} ≤ ${r.tol} (d=${d})`).toBe(false);
    }), { numRuns: 20 });
  });

  test('the normal sampler matches N(0,1) tails; a variance-1 uniform (right mean and variance, wrong tails) is rejected', () => {
    const n = 400_000;
    const z = criticalZ(ALPHA);
    const check = (xs: Float64Array) => {
      let m = 0, m4 = 0, t2 = 0, t3 = 0;
      for (const x of xs) { m += x; m4 += x ** 4; if (Math.abs(x) > 2) t2++; if (Math.abs(x) > 3) t3++; }
      const p2 = 0.04550026389635842, p3 = 0.0026997960632601866;
      // Exact variances: Var x = 1, Var x⁴ = 105 − 9 = 96, Var 1{|x|>c} = p(1 − p).
      return [
        Math.abs(m / n) <= z * Math.sqrt(1 / n),
        Math.abs(m4 / n - 3) <= z * Math.sqrt(96 / n),
        Math.abs(t2 / n - p2) <= z * Math.sqrt((p2 * (1 - p2)) / n),
        Math.abs(t3 / n - p3) <= z * Math.sqrt((p3 * (1 - p3)) / n),
      ];
    };
    expect(check(createRng('vr/sampler').fillNormal(new Float64Array(n)))).toEqual([true, true, true, true]);
    const u = createRng('vr/sampler/uniform');
    const wrong = new Float64Array(n).map(() => Math.sqrt(3) * (2 * u.uniform() - 1));
    expect(check(wrong).every(Boolean)).toBe(false);
  });
});

function perturbedPredictor(data: Gaussian, delta: number[]): { pred: NoisePredictor; exact: (alpha: number, x0: Float64Array) => number } {
  const d = data.dim;
  const D = delta.slice(0, d * d), b = delta.slice(d * d);
  const star = mmseNoisePredictor(data);
  const out = new Float64Array(d);
  const pred: NoisePredictor = (x, t) => {
    const e = star(x, t);
    for (let i = 0; i < d; i++) {
      let s = e[i] + b[i];
      for (let j = 0; j < d; j++) s += D[i * d + j] * x[j];
      out[i] = s;
    }
    return out;
  };
  const exact = (alpha: number, x0: Float64Array) => {
    const t = vpPointAtAlpha(alpha);
    const P = spdInverse(addScaledIdentity(scale(data.cov, t.alpha), t.oneMinusAlpha), 'Σ_α');
    const L = identity(d), l = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        L.data[i * d + j] = t.oneMinusAlpha * P.data[i * d + j] - (i === j ? 1 : 0) + t.s * D[i * d + j];
        l[i] += t.a * t.s * P.data[i * d + j] * (x0[j] - data.mean[j]) + t.a * D[i * d + j] * x0[j];
      }
      l[i] += b[i];
    }
    return affineSquaredNormMoments(L, l, new Float64Array(d), identity(d)).mean;
  };
  return { pred, exact };
}

/** ‖l‖² of the MMSE residual ε* − z = Lz + l (MATH.md §3): l = √(α(1−α)) Σ_α⁻¹(x_0 − μ). */
function oracleOffsetSquared(data: Gaussian, x0: Float64Array, alpha: number): number {
  const t = vpPointAtAlpha(alpha);
  const d = data.dim;
  const P = spdInverse(addScaledIdentity(scale(data.cov, t.alpha), t.oneMinusAlpha), 'Σ_α');
  let s = 0;
  for (let i = 0; i < d; i++) {
    let li = 0;
    for (let j = 0; j < d; j++) li += t.a * t.s * P.data[i * d + j] * (x0[j] - data.mean[j]);
    s += li * li;
  }
  return s;
}

describe('variance reduction — batched kernels equal the pointwise models', () => {
  const modelCase = dimension({ min: 1, max: 7 }).chain((d) =>
    fc.record({ model: fc.oneof(affineScoreModel(d), mlpScoreModel(d)), data: gaussianOfDim(d), seed: mcSeed(), rows: fc.integer({ min: 1, max: 9 }) }));

  test.prop([modelCase], { numRuns: 40 })('evaluateBatch and the eigenframe fold agree with src/models to summation rounding', (c) => {
    const d = c.model.dim, n = c.rows;
    const rng = createRng(`vr/batch/${c.seed}`);
    const x = rng.fillNormal(new Float64Array(n * d));
    const batch = batchModelOf(c.model);
    const out = new Float64Array(n * d);
    batch.evaluateBatch(x, n, out);
    const ref = new Float64Array(d);
    // Only the summation order differs: error ≤ m·2⁻⁵²·Σ|terms| over m ≤ 2d + 16 terms; with these
    // weight scales and N(0,1) inputs Σ|terms| ≤ 64(1 + |value| + 10d), giving the bound below (~1e-11).
    const rel = (2 * d + 16) * Number.EPSILON * 64;
    for (let k = 0; k < n; k++) {
      c.model.evaluate(x.subarray(k * d, (k + 1) * d), ref);
      for (let i = 0; i < d; i++) expect(Math.abs(out[k * d + i] - ref[i])).toBeLessThanOrEqual(rel * (1 + Math.abs(ref[i]) + d * 10));
    }
    // Frame fold: u ↦ Qᵀ ŝ(shift + Q u).
    const { vectors: Q } = symmetricEigen(c.data.cov);
    const shift = Float64Array.from(c.data.mean);
    const framed = batch.inFrame!(Q, shift);
    const u = rng.fillNormal(new Float64Array(n * d));
    const g = new Float64Array(n * d);
    framed.evaluateBatch(u, n, g);
    const xx = new Float64Array(d);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < d; i++) { let s = shift[i]; for (let j = 0; j < d; j++) s += Q.data[i * d + j] * u[k * d + j]; xx[i] = s; }
      c.model.evaluate(xx, ref);
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += Q.data[j * d + i] * ref[j];
        expect(Math.abs(g[k * d + i] - s)).toBeLessThanOrEqual(rel * (1 + Math.abs(s) + d * 10));
      }
    }
  });

  test.prop([fc.record({ d: dimension({ min: 1, max: 12 }), seed: mcSeed() })], { numRuns: 30 })('symmetricEigen reconstructs Σ = QΛQᵀ with Q orthogonal', ({ d, seed }) => {
    const rng = createRng(`vr/eig/${seed}`);
    const g = rng.fillNormal(new Float64Array(d * d));
    const m = { rows: d, cols: d, data: new Float64Array(d * d) };
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) { let t = 0; for (let k = 0; k < d; k++) t += g[i * d + k] * g[j * d + k]; m.data[i * d + j] = t; }
    let norm = 0;
    for (const v of m.data) norm = Math.max(norm, Math.abs(v));
    const { values, vectors: Q } = symmetricEigen(m);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
      let r = 0, o = 0;
      for (let k = 0; k < d; k++) { r += Q.data[i * d + k] * values[k] * Q.data[j * d + k]; o += Q.data[k * d + i] * Q.data[k * d + j]; }
      // Jacobi is backward stable: residual O(d·2⁻⁵²·‖Σ‖) per sweep; 100 d ε‖Σ‖ covers ≤ 10 sweeps.
      expect(Math.abs(r - m.data[i * d + j])).toBeLessThanOrEqual(100 * d * Number.EPSILON * norm);
      expect(Math.abs(o - (i === j ? 1 : 0))).toBeLessThanOrEqual(100 * d * Number.EPSILON);
    }
  });
});
