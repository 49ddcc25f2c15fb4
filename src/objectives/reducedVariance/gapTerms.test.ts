import { describe, expect, test } from 'vitest';
import { scriptedRng } from '../../../properties/support/scriptedRng.ts';
import { DimensionMismatchError } from '../../errors.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { fromRows } from '../../linalg/index.ts';
import { symmetricEigen } from '../../linalg/symmetricEigen.ts';
import { createRng } from '../../mc/rng.ts';
import { AffineConditionalScoreModel } from '../../models/affineConditionalScoreModel.ts';
import { AffineScoreModel } from '../../models/affineScoreModel.ts';
import { affineBatchModel, batchFromPointwise } from '../../models/batchScoreModel.ts';
import { conditionedJoint } from '../conditionedData.ts';
import { prepareConditionalGaussianGap, prepareGaussianGap, sampleGapTerms } from './gaussianGapTerms.ts';
import { antitheticControlVariateGapEstimate, controlVariateGapEstimate, linearControlGapEstimate, plainGapEstimate, raoBlackwellGapEstimate } from './reducedGapEstimators.ts';

/*
 * Per-draw identities of the gap pieces (MATH.md §2, Theorem 1), in the ORIGINAL coordinates:
 * the frame Q, λ of Σ (eigen-decomposition, linalg) turns the scripted frame normals (w, e) of
 * a row into x_0 − μ = Q(√λ∘w), ε = Q e, x_t = a x_0 + s ε; then for that draw
 *   A = ‖ε‖²/s² − ‖∇log q_t(x_t)‖²,   A + B = ‖ŝ(x_t) + ε/s‖² − ‖ŝ(x_t) − ∇log q_t(x_t)‖²,
 * with ∇log q_t from the marginal Gaussian N(aμ, a²Σ + s²I) (Cholesky solve, gaussian/).
 * Mean-zero mistakes (a sign on σ in B, a lost row, a wrong mirror) fail these exactly.
 */
const level = { a: 0.8, s: 0.6 }, { a, s } = level;
const script = [0.3, -1.2, 0.8, 1.5, -0.4, 0.9, -1.7, 0.2, 1.1, -0.6, 0.5, -0.1, 1.3, -0.8, 0.05, 0.7];

function expected(data: Gaussian, score: (x: Float64Array) => Float64Array, rows: number, mirror = false) {
  const d = data.dim, { values, vectors } = symmetricEigen(data.cov);
  const Q = vectors.data;
  const marginal = new Gaussian(data.mean.map((m) => a * m), fromRows(Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => a * a * data.cov.data[i * d + j] + (i === j ? s * s : 0)))));
  const out: { A: number; AB: number }[] = [];
  let next = 0;
  for (let r = 0; r < rows; r++) {
    let we: number[];
    if (mirror && r % 2 === 1) we = out.length ? prevWe.map((x) => -x) : [];
    else { we = Array.from({ length: 2 * d }, () => script[next++ % script.length]); prevWe = we; }
    const w = we.slice(0, d), e = we.slice(d);
    const x0c = Array.from({ length: d }, (_, i) => { let v = 0; for (let j = 0; j < d; j++) v += Q[i * d + j] * Math.sqrt(values[j]) * w[j]; return v; });
    const eps = Array.from({ length: d }, (_, i) => { let v = 0; for (let j = 0; j < d; j++) v += Q[i * d + j] * e[j]; return v; });
    const xt = Float64Array.from({ length: d }, (_, i) => a * (data.mean[i] + x0c[i]) + s * eps[i]);
    const sig = marginal.score(xt), sh = score(xt);
    let A = 0, dsm = 0, esm = 0;
    for (let i = 0; i < d; i++) { A += (eps[i] / s) ** 2 - sig[i] ** 2; dsm += (sh[i] + eps[i] / s) ** 2; esm += (sh[i] - sig[i]) ** 2; }
    out.push({ A, AB: dsm - esm });
  }
  return out;
}
let prevWe: number[] = [];

const dataOf = (d: number) => {
  const rows = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 + 0.5 * i : 0.3 / (1 + i + j))));
  return new Gaussian(Array.from({ length: d }, (_, i) => 0.5 - 0.4 * i), fromRows(rows));
};
const modelOf = (d: number) => new AffineScoreModel(fromRows(Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? -0.7 : 0.1 * (i - j))))), Array.from({ length: d }, (_, i) => 0.2 * i - 0.1));

describe('DSM − ESM gap pieces, draw by draw in the original coordinates', () => {
  test.each([1, 2, 3])('d = %i (odd d: the plain-JS loops; even d: the SIMD kernels where available)', (d) => {
    const data = dataOf(d), model = modelOf(d);
    const prep = prepareGaussianGap(data, level, affineBatchModel(model));
    const n = 5;
    const terms = sampleGapTerms(prep, scriptedRng(script), n, { batch: 4 }); // two batches, the second partial
    const want = expected(data, (x) => model.evaluate(x, new Float64Array(d)), n);
    for (let k = 0; k < n; k++) {
      expect(terms.modelFree[k]).toBeCloseTo(want[k].A, 11);
      expect(terms.modelFree[k] + terms.modelTerm[k]).toBeCloseTo(want[k].AB, 11);
    }
    // E A = d/s² − tr(a²Σ + s²I)⁻¹ (Vincent's constant), independently of the frame
    const marg = new Gaussian(new Float64Array(d), fromRows(Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => a * a * data.cov.data[i * d + j] + (i === j ? s * s : 0)))));
    expect(terms.modelFreeMean).toBeCloseTo(d / (s * s) - marg.fisherInformation(), 12);
    // the estimators on these pieces
    const plain = plainGapEstimate(terms);
    expect(plain.mean).toBeCloseTo(want.reduce((p, x) => p + x.AB, 0) / n, 11);
    const cv = controlVariateGapEstimate(terms);
    expect(cv.mean).toBeCloseTo(terms.modelFreeMean + want.reduce((p, x) => p + x.AB - x.A, 0) / n, 11);
    expect(raoBlackwellGapEstimate(terms)).toEqual({ mean: terms.modelFreeMean, variance: 0, stderr: 0, n });
  });

  test('the plain-JS path gives the same pieces as the SIMD path at even d (SCORECHECK_SIMD=0)', () => {
    const d = 2, data = dataOf(d), model = modelOf(d);
    const prep = prepareGaussianGap(data, level, affineBatchModel(model));
    const want = expected(data, (x) => model.evaluate(x, new Float64Array(d)), 4);
    const saved = process.env.SCORECHECK_SIMD;
    let terms;
    try {
      process.env.SCORECHECK_SIMD = '0';
      terms = sampleGapTerms(prep, scriptedRng(script), 4);
    } finally {
      if (saved === undefined) delete process.env.SCORECHECK_SIMD;
      else process.env.SCORECHECK_SIMD = saved;
    }
    for (let k = 0; k < 4; k++) expect(terms.modelFree[k] + terms.modelTerm[k]).toBeCloseTo(want[k].AB, 11);
  });

  test.each([1, 2, 3])('antithetic rows 2k+1 mirror 2k; the antithetic estimator averages the model terms of a pair (d = %i)', (d) => {
    const data = dataOf(d), model = modelOf(d);
    const prep = prepareGaussianGap(data, level, affineBatchModel(model));
    const n = 6;
    const terms = sampleGapTerms(prep, scriptedRng(script), n, { antithetic: true, batch: 4 });
    const want = expected(data, (x) => model.evaluate(x, new Float64Array(d)), n, true);
    for (let k = 0; k < n; k++) expect(terms.modelFree[k] + terms.modelTerm[k]).toBeCloseTo(want[k].AB, 11);
    const pairs = [0, 1, 2].map((k) => terms.modelFreeMean + 0.5 * (want[2 * k].AB - want[2 * k].A + want[2 * k + 1].AB - want[2 * k + 1].A));
    const e = antitheticControlVariateGapEstimate(terms);
    const m = pairs.reduce((p, x) => p + x, 0) / 3;
    expect(e.mean).toBeCloseTo(m, 11);
    expect(e.variance).toBeCloseTo((2 * pairs.reduce((p, x) => p + (x - m) ** 2, 0)) / 2, 10);
    expect(e.n).toBe(n);
    expect(() => antitheticControlVariateGapEstimate(sampleGapTerms(prep, scriptedRng(script), 4))).toThrow(RangeError);
    expect(() => sampleGapTerms(prep, scriptedRng(script), 5, { antithetic: true })).toThrow(DimensionMismatchError);
  });

  test('linear control: an affine model is its own fitted control, so B − β B_lin vanishes; sizes and options checked', () => {
    const d = 2, data = dataOf(d), model = modelOf(d);
    const prep = prepareGaussianGap(data, level, affineBatchModel(model));
    // B_lin = 2 ℓ(u)·(e/s + σ) with ℓ fitted on a pilot of 20 000 seeded draws; for an affine model ℓ
    // is the model up to the fit's error, so the control removes almost all of Var B (measured ratio
    // ≈ 3e-4 at this seed; a control with a wrong sign or a wrong σ term leaves ≥ Var B)
    const n = 2000;
    const terms = sampleGapTerms(prep, createRng(11), n, { linearControl: 20_000 });
    expect(terms.linearControl?.length).toBe(n);
    const lc = linearControlGapEstimate(terms);
    const plainB = plainGapEstimate({ ...terms, modelFree: new Float64Array(n) });
    expect(lc.variance).toBeLessThan(0.02 * plainB.variance);
    expect(Math.abs(lc.mean - terms.modelFreeMean)).toBeLessThan(5 * lc.stderr + 1e-12);
    expect(() => linearControlGapEstimate(sampleGapTerms(prep, scriptedRng(script), 4))).toThrow(RangeError);
    expect(() => sampleGapTerms(prep, scriptedRng(script), 1)).toThrow(/^n:/);
    expect(sampleGapTerms(prep, scriptedRng(script), 2).n).toBe(2);
    expect(() => sampleGapTerms(prep, scriptedRng(script), 4, { batch: 1 })).toThrow(/^batch/);
    expect(() => sampleGapTerms(prep, scriptedRng(script), 4, { linearControl: 1 })).toThrow(/^linearControl/);
    expect(() => prepareGaussianGap(data, level, affineBatchModel(modelOf(3)))).toThrow(DimensionMismatchError);
  });
});

describe('conditional gap pieces (Theorem 2): folded affine model and the pointwise path', () => {
  // (x_0, c) jointly Gaussian, d = 2, k = 1; c is drawn from the side stream (scripted: the script restarts)
  const joint = new Gaussian([0.5, -0.5, 1], fromRows([[1.5, 0.2, 0.6], [0.2, 1, -0.3], [0.6, -0.3, 2]]));
  const cd = conditionedJoint(joint, 2);
  const A = fromRows([[-0.6, 0.2], [0.1, -0.9]]), B = fromRows([[0.4], [-0.3]]), b = [0.1, -0.2];
  const affine = new AffineConditionalScoreModel(A, B, b);
  const pointwise = { dim: 2, condDim: 1, evaluate: (x: Float64Array, c: Float64Array, out: Float64Array) => affine.evaluate(x, c, out) };

  test.each([['affine (folded)', affine], ['pointwise', pointwise]] as const)('%s: A + B per draw = ‖ŝ + ε/s‖² − ‖ŝ − ∇log q(x_t|c)‖²', (_name, m) => {
    const { M, m: mc, cov } = cd.conditional;
    const { values, vectors } = symmetricEigen(cov);
    const Q = vectors.data;
    const cStd = Math.sqrt(2); // c ~ N(1, 2): c = 1 + √2 ξ with ξ the side stream's k-th normal
    const prep = prepareConditionalGaussianGap(cd, level, m);
    const n = 3;
    const terms = sampleGapTerms(prep, scriptedRng(script), n);
    const K = new Gaussian([0, 0], fromRows([[a * a * cov.data[0] + s * s, a * a * cov.data[1]], [a * a * cov.data[2], a * a * cov.data[3] + s * s]]));
    for (let r = 0; r < n; r++) {
      const we = script.slice(4 * r, 4 * r + 4);
      const c = Float64Array.from([1 + cStd * script[r]]);
      const centre = [0, 1].map((i) => a * (M.data[i] * c[0] + mc[i]));
      const u = [0, 1].map((i) => Math.sqrt(values[i]) * a * we[i] + s * we[2 + i]);
      const eps = [0, 1].map((i) => Q[i * 2] * we[2] + Q[i * 2 + 1] * we[3]);
      const xt = Float64Array.from([0, 1].map((i) => centre[i] + Q[i * 2] * u[0] + Q[i * 2 + 1] * u[1]));
      const sig = K.score(Float64Array.from([xt[0] - centre[0], xt[1] - centre[1]]));
      const sh = affine.evaluate(xt, c, new Float64Array(2));
      let AB = 0;
      for (let i = 0; i < 2; i++) AB += (sh[i] + eps[i] / s) ** 2 - (sh[i] - sig[i]) ** 2;
      expect(terms.modelFree[r] + terms.modelTerm[r]).toBeCloseTo(AB, 10);
    }
    expect(() => prepareConditionalGaussianGap(cd, level, { ...pointwise, dim: 3 })).toThrow(/model\.dim/);
    expect(() => prepareConditionalGaussianGap(cd, level, { ...pointwise, condDim: 2 })).toThrow(/model\.condDim/);
  });
});
