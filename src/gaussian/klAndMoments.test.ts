import { describe, expect, test } from 'vitest';
import { DimensionMismatchError } from '../errors.ts';
import { fromRows } from '../linalg/index.ts';
import { affineSquaredNormMoments } from './affineExpectation.ts';
import { Gaussian } from './gaussian.ts';
import { gaussianKL } from './klDivergence.ts';

describe('KL between Gaussians, against the scalar formula', () => {
  /** KL(N(m1, v1) ‖ N(m2, v2)) = ½[log(v2/v1) + (v1 + (m1 − m2)²)/v2 − 1]. */
  const kl1 = (m1: number, v1: number, m2: number, v2: number) => 0.5 * (Math.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / v2 - 1);

  test('diagonal covariances: the sum over coordinates (not symmetric)', () => {
    const p = new Gaussian([0, 1], fromRows([[0.5, 0], [0, 2]]));
    const q = new Gaussian([1, -1], fromRows([[1, 0], [0, 3]]));
    expect(gaussianKL(p, q)).toBeCloseTo(kl1(0, 0.5, 1, 1) + kl1(1, 2, -1, 3), 13);
    expect(gaussianKL(q, p)).toBeCloseTo(kl1(1, 1, 0, 0.5) + kl1(-1, 3, 1, 2), 13);
  });

  test('correlated p against N(μ, I): ½[tr Σ_p + ‖μ_p − μ‖² − d − log|Σ_p|]; KL(p‖p) = 0', () => {
    const p = new Gaussian([1, 2], fromRows([[2, 0.6], [0.6, 1]]));
    const q = new Gaussian([0, 0], fromRows([[1, 0], [0, 1]]));
    expect(gaussianKL(p, q)).toBeCloseTo(0.5 * (3 + 5 - 2 - Math.log(2 - 0.36)), 13);
    expect(gaussianKL(p, p)).toBe(0);
    expect(() => gaussianKL(p, new Gaussian([0], fromRows([[1]])))).toThrow(DimensionMismatchError);
  });
});

describe('moments of ‖L z + l‖², z ~ N(m, S)', () => {
  test('scalar: y ~ N(cm + l, c²S), E y² = c²S + u², Var y² = 2(c²S)² + 4u²c²S', () => {
    const r = affineSquaredNormMoments(fromRows([[2]]), [1], [0.5], fromRows([[3]]));
    const P = 4 * 3, u = 2 * 0.5 + 1;
    expect(r.mean).toBeCloseTo(P + u * u, 14);
    expect(r.variance).toBeCloseTo(2 * P * P + 4 * u * u * P, 12);
  });

  test('2-d, L mixes coordinates: P = L S Lᵀ = [[3, 2], [2, 2]], u = (1, 1): mean 7, variance 2·21 + 4·9', () => {
    const r = affineSquaredNormMoments(fromRows([[1, 1], [0, 1]]), [0, 1], [1, 0], fromRows([[1, 0], [0, 2]]));
    expect(r.mean).toBeCloseTo(7, 14);
    expect(r.variance).toBeCloseTo(78, 13);
  });

  test('non-square L (1 × 2) and singular S; dimensions named', () => {
    // y = z1 − z2, z ~ N((1, 0), [[1, 1], [1, 1]]): z1 − z2 has variance 0, mean 1
    const r = affineSquaredNormMoments(fromRows([[1, -1]]), [0], [1, 0], fromRows([[1, 1], [1, 1]]));
    expect(r.mean).toBeCloseTo(1, 14);
    expect(r.variance).toBeCloseTo(0, 14);
    const L = fromRows([[1, 0]]);
    expect(() => affineSquaredNormMoments(L, [0], [1], fromRows([[1]]))).toThrow(/affineSquaredNorm\.m/);
    expect(() => affineSquaredNormMoments(L, [0, 0], [1, 0], fromRows([[1, 0], [0, 1]]))).toThrow(/affineSquaredNorm\.l/);
    expect(() => affineSquaredNormMoments(L, [0], [1, 0], fromRows([[1]]))).toThrow(/affineSquaredNorm\.S/);
  });
});
