import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { forEachStandardNormalNode } from '../../properties/support/gaussianQuadrature.ts';
import { affineConditionalScoreModel, gaussianOfDim, linearEncoder, noiseLevelArb } from '../arbitraries/index.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, cholesky, matmul, matvec, spdInverse, transpose } from '../linalg/index.ts';
import type { AffineConditionalScoreModel } from '../models/affineConditionalScoreModel.ts';
import type { LinearEncoder } from '../models/linearEncoder.ts';
import { encoderEsmMoments } from './encoderInputOptimization.ts';

/*
 * encoderEsmMoments (MATH.md §13.1): the mean AND the exact per-draw variance of ‖s(x_t, c) − ∇log q(x_t|c)‖²
 * against Gauss–Hermite quadrature over (x₀, ε, ξ), with the conditional score taken from the joint law of
 * (x_t, c) by Gaussian conditioning in the Schur-complement form — the module uses the information form
 * Σ_{x|c} = (Σ⁻¹ + BᵀB/τ²)⁻¹, so the two routes share no algebra.
 */

/** x_t | c ~ N(aμ + aΣBᵀC⁻¹(c − Bμ − b), a²Σ + s²I − a²ΣBᵀC⁻¹BΣ), C = BΣBᵀ + τ²I: returns the score at (x_t, c). */
function conditionalScoreSchur(data: Gaussian, enc: LinearEncoder, { a, s }: NoiseLevel) {
  const d = data.dim, k = enc.B.rows;
  const SBt = matmul(data.cov, transpose(enc.B)), C = matmul(enc.B, SBt);
  for (let q = 0; q < k; q++) C.data[q * k + q] += enc.tau ** 2;
  const gain = matmul(SBt, spdInverse(C)); // d×k
  const reduce = matmul(gain, transpose(SBt));
  const cov: Matrix = { rows: d, cols: d, data: Float64Array.from(data.cov.data, (x, i) => a * a * (x - reduce.data[i]) + (i % (d + 1) === 0 ? s * s : 0)) };
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov.data[i * d + j] = cov.data[j * d + i] = 0.5 * (cov.data[i * d + j] + cov.data[j * d + i]);
  const P = spdInverse(cov), cMean = matvec(enc.B, data.mean);
  return (xt: Float64Array, c: Float64Array) => {
    const dev = Float64Array.from(c, (v, q) => v - cMean[q] - enc.b[q]);
    const shift = matvec(gain, dev);
    const r = Float64Array.from(xt, (x, i) => x - a * (data.mean[i] + shift[i]));
    return matvec(P, r).map((v) => -v);
  };
}

/** Mean and variance of ‖s(x_t, c) − ∇log q(x_t|c)‖² by quadrature (exact: a quadratic in the normals). */
function esmByQuadrature(data: Gaussian, model: AffineConditionalScoreModel, enc: LinearEncoder, level: NoiseLevel) {
  const d = data.dim, k = enc.B.rows, L = cholesky(data.cov), score = conditionalScoreSchur(data, enc, level);
  let m1 = 0, m2 = 0;
  forEachStandardNormalNode(2 * d + k, (g, w) => {
    const x0 = Float64Array.from(data.mean, (m, i) => { let v = m; for (let j = 0; j <= i; j++) v += L.data[i * d + j] * g[j]; return v; });
    const xt = Float64Array.from(x0, (x, i) => level.a * x + level.s * g[d + i]);
    const c = Float64Array.from(enc.b, (b, q) => { let v = b + enc.tau * g[2 * d + q]; for (let j = 0; j < d; j++) v += enc.B.data[q * d + j] * x0[j]; return v; });
    const target = score(xt, c), Ax = matvec(model.A, xt), Gc = matvec(model.B, c);
    let e = 0;
    for (let i = 0; i < d; i++) e += (Ax[i] + Gc[i] + model.b[i] - target[i]) ** 2;
    m1 += w * e;
    m2 += w * e * e;
  });
  return { mean: m1, variance: m2 - m1 * m1, secondMoment: m2 };
}

const problemArb = fc.integer({ min: 1, max: 3 }).chain((d) => linearEncoder(d, { maxK: 2 }).chain((encoder) => fc.record({
  data: gaussianOfDim(d, { maxConditionNumber: 20, meanBound: 1 }),
  model: affineConditionalScoreModel(d, encoder.B.rows, 1.5),
  encoder: fc.constant(encoder),
  level: noiseLevelArb(),
})));

/** Quadrature is exact up to rounding; the closed form carries ε·κ(Cov(x, c)) (MATH.md §19.7): 1e−7 of E e². */
const agrees = (got: { mean: number; variance: number }, q: { mean: number; variance: number; secondMoment: number }) =>
  Math.abs(got.mean - q.mean) <= 1e-7 * Math.sqrt(q.secondMoment) + 1e-12 && Math.abs(got.variance - q.variance) <= 1e-7 * q.secondMoment + 1e-12;

describe('encoderEsmMoments against quadrature with the Schur-complement conditional score', () => {
  test.prop([problemArb], { numRuns: 40 })('mean and exact per-draw variance', ({ data, model, encoder, level }) => {
    const got = encoderEsmMoments({ data, model, tau: encoder.tau, level }, encoder);
    expect(agrees(got, esmByQuadrature(data, model, encoder, level))).toBe(true);
  });

  it('negative control: the moments of another encoder offset, or of the noise floor τ taken as τ², are rejected', () => {
    const [{ data, model, encoder, level }] = fc.sample(problemArb.filter((p) => p.data.dim === 2 && Math.abs(p.encoder.B.data[0]) > 0.5), { seed: 4, numRuns: 1 });
    const q = esmByQuadrature(data, model, encoder, level);
    expect(agrees(encoderEsmMoments({ data, model, tau: encoder.tau, level }, encoder), q)).toBe(true);
    expect(agrees(encoderEsmMoments({ data, model, tau: encoder.tau, level }, { ...encoder, b: encoder.b.map((v) => v + 0.3) }), q)).toBe(false);
    expect(agrees(encoderEsmMoments({ data, model, tau: encoder.tau ** 2, level }, encoder), q)).toBe(false);
  });
});
