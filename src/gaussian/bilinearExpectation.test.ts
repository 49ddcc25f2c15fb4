import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { type Matrix, matmul, transpose } from '../linalg/index.ts';
import { bilinearGaussianCumulants, bilinearGaussianMoments } from './bilinearExpectation.ts';

const mat = (rows: number, cols: number, data: number[]): Matrix => ({ rows, cols, data: Float64Array.from(data) });

describe('bilinearGaussianCumulants: κ₁…κ₄ of (Az + a)ᵀ(Bz + b), z ~ N(m, S)', () => {
  test('q = (z + μ)², z ~ N(0, 1): noncentral χ²₁(λ = μ²), κ_r = 2^{r−1}(r−1)!(1 + rλ)', () => {
    for (const mu of [0, 0.7, -2]) {
      const lam = mu * mu;
      const c = bilinearGaussianCumulants(mat(1, 1, [1]), [mu], mat(1, 1, [1]), [mu], [0], mat(1, 1, [1]));
      expect(c.mean).toBeCloseTo(1 + lam, 14);
      expect(c.variance).toBeCloseTo(2 * (1 + 2 * lam), 13);
      expect(c.thirdCumulant).toBeCloseTo(8 * (1 + 3 * lam), 12);
      expect(c.fourthCumulant).toBeCloseTo(48 * (1 + 4 * lam), 11);
    }
    // central χ²₁: skewness √8, excess kurtosis 12.
    const chi = bilinearGaussianCumulants(mat(1, 1, [1]), [0], mat(1, 1, [1]), [0], [0], mat(1, 1, [1]));
    expect(chi.skewness).toBeCloseTo(Math.sqrt(8), 13);
    expect(chi.excessKurtosis).toBeCloseTo(12, 12);
  });

  test('q = x·y, x, y iid N(0, σ²): symmetric (κ₃ = 0), excess kurtosis 6 at any σ', () => {
    for (const v of [1, 0.01, 40]) {
      const c = bilinearGaussianCumulants(mat(1, 2, [1, 0]), [0], mat(1, 2, [0, 1]), [0], [0, 0], mat(2, 2, [v, 0, 0, v]));
      expect(c.variance).toBeCloseTo(v * v, 10);
      expect(c.thirdCumulant).toBe(0);
      expect(c.excessKurtosis).toBeCloseTo(6, 12);
    }
  });

  test('a constant q (A = B = 0) has no spread: variance, skewness and kurtosis are 0, not NaN', () => {
    const c = bilinearGaussianCumulants(mat(1, 2, [0, 0]), [2], mat(1, 2, [0, 0]), [3], [1, 1], mat(2, 2, [1, 0, 0, 1]));
    expect(c).toMatchObject({ mean: 6, variance: 0, skewness: 0, excessKurtosis: 0 });
  });

  const entries = (n: number) => fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n });
  test.prop([fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(fc.constant(n), entries(n * n), entries(n)))], { numRuns: 60 })(
    'κ₁ and κ₂ agree with the Isserlis mean and variance (bilinearGaussianMoments), a different route',
    (rows, [n, R, m]) => {
      const A = mat(rows, n, Array.from({ length: rows * n }, (_, i) => Math.sin(1 + i * 1.7 + R[i % R.length])));
      const B = mat(rows, n, Array.from({ length: rows * n }, (_, i) => Math.cos(2 + i * 0.9 - m[i % n])));
      const a = Array.from({ length: rows }, (_, i) => m[i % n] - 0.3 * i), b = Array.from({ length: rows }, (_, i) => 0.5 - m[(i + 1) % n]);
      // S = R Rᵀ + 0.1 I (symmetric positive definite).
      const S = mat(n, n, new Array(n * n).fill(0));
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = i === j ? 0.1 : 0; for (let q = 0; q < n; q++) s += R[i * n + q] * R[j * n + q]; S.data[i * n + j] = s; }
      const iss = bilinearGaussianMoments(A, a, B, b, m, S), cum = bilinearGaussianCumulants(A, a, B, b, m, S);
      const mag = 1 + Math.abs(iss.mean) + iss.variance;
      expect(Math.abs(cum.mean - iss.mean)).toBeLessThanOrEqual(1e-12 * mag);
      expect(Math.abs(cum.variance - iss.variance)).toBeLessThanOrEqual(1e-12 * mag);
    },
  );

  test('a case with a non-symmetric C_XY against a 4·10⁶-draw NumPy sample: Var q = 10.798 (the transposed cross term gave 10.655)', () => {
    // numpy: z = N(m, S) rows, q = Σ (Az + a)(Bz + b): mean 1.33367, variance 10.8192 ± 0.017 (one se of the sample variance).
    const A = mat(2, 2, [1, 0.5, 0.2, 1]), B = mat(2, 2, [0.3, 1, 1, -0.4]), S = mat(2, 2, [1, 0.2, 0.2, 1]);
    const iss = bilinearGaussianMoments(A, [0.1, 0.2], B, [1, 0.5], [0.3, -0.2], S);
    expect(iss.mean).toBeCloseTo(1.3338, 12);
    expect(iss.variance).toBeCloseTo(10.7984794, 9);
    expect(Math.abs(iss.variance - 10.8192)).toBeLessThan(3 * 0.017);
    // The control: the transposed cross term 2μ_XᵀC_XYμ_Y (the old formula) lands far outside the sample's interval.
    const m = [0.3, -0.2], mx = [0.1, 0.2].map((v, i) => v + A.data[2 * i] * m[0] + A.data[2 * i + 1] * m[1]), my = [1, 0.5].map((v, i) => v + B.data[2 * i] * m[0] + B.data[2 * i + 1] * m[1]);
    const Cxy = matmul(matmul(A, S), transpose(B));
    let right = 0, transposed = 0;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) { right += my[i] * Cxy.data[2 * i + j] * mx[j]; transposed += mx[i] * Cxy.data[2 * i + j] * my[j]; }
    expect(Math.abs(iss.variance - 2 * right + 2 * transposed - 10.8192)).toBeGreaterThan(9 * 0.017);
  });
});
