import { describe, expect, test } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { fromRows, zeros } from '../linalg/index.ts';
import { Gaussian } from './gaussian.ts';
import { KernelMeanEmbedding, gaussianKernelCross, kernelAtoms, mmdSquared, referenceBandwidth, requireBandwidth } from './gaussianKernel.ts';
import { GaussianMixture } from './mixture.ts';

/**
 * E exp(−(X − Y)²/(2ℓ²)) for X − Y ~ N(δ, S) in 1-d: the Gaussian integral ℓ/√(ℓ² + S) · exp(−δ²/(2(ℓ² + S))).
 * In 2-d with a full S: |I + S/ℓ²|^{−½} exp(−½ δᵀ(ℓ²I + S)⁻¹δ), 2 × 2 inverse by hand.
 */
const k1 = (delta: number, S: number, l: number) => (l / Math.sqrt(l * l + S)) * Math.exp(-(delta * delta) / (2 * (l * l + S)));
const k2 = (d: [number, number], S: [[number, number], [number, number]], l: number) => {
  const A = [[S[0][0] + l * l, S[0][1]], [S[1][0], S[1][1] + l * l]];
  const det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
  const q = (A[1][1] * d[0] * d[0] - 2 * A[0][1] * d[0] * d[1] + A[0][0] * d[1] * d[1]) / det;
  return Math.sqrt((l ** 4) / det) * Math.exp(-0.5 * q);
};
const point = (x: number[]) => ({ mean: x, cov: zeros(x.length, x.length) });

describe('Gaussian-kernel expectations in closed form (MATH.md §4)', () => {
  test('1-d Gaussians and points; bandwidth enters as ℓ', () => {
    const p = { mean: [1], cov: fromRows([[0.5]]) }, q = { mean: [-0.5], cov: fromRows([[2]]) };
    expect(gaussianKernelCross(p, q, 0.7)).toBeCloseTo(k1(1.5, 2.5, 0.7), 14);
    expect(gaussianKernelCross(point([1]), point([3]), 2)).toBeCloseTo(Math.exp(-4 / 8), 15);
    expect(mmdSquared(point([1]), point([3]), 2)).toBeCloseTo(2 - 2 * Math.exp(-0.5), 14);
    expect(mmdSquared(p, p, 1.3)).toBeCloseTo(0, 14);
  });

  test('2-d correlated covariances, and a mixture as the weighted sum over pairs of atoms', () => {
    const p = { mean: [1, 0], cov: fromRows([[1, 0.5], [0.5, 2]]) }, q = { mean: [0, 1], cov: fromRows([[0.5, -0.2], [-0.2, 0.3]]) };
    expect(gaussianKernelCross(p, q, 0.8)).toBeCloseTo(k2([1, -1], [[1.5, 0.3], [0.3, 2.3]], 0.8), 13);
    const mix = new GaussianMixture([0.3, 0.7], [new Gaussian([0], fromRows([[1]])), new Gaussian([2], fromRows([[0.25]]))]);
    const want = 0.3 * k1(0 - 1, 1, 1.5) + 0.7 * k1(2 - 1, 0.25, 1.5);
    expect(gaussianKernelCross(mix, point([1]), 1.5)).toBeCloseTo(want, 14);
    expect(kernelAtoms(mix).map((a) => a.weight)).toEqual([0.3, 0.7]);
    expect(kernelAtoms([{ weight: 1, mean: [0], cov: zeros(1, 1) }]).length).toBe(1);
  });

  test('the mean embedding x ↦ E_Q k(x, Y) and its self term, 2-d and a 1-d mixture; offset reads a row', () => {
    const Q = { mean: [1, -1], cov: fromRows([[1, 0.5], [0.5, 2]]) };
    const e = new KernelMeanEmbedding(Q, 0.9);
    expect(e.dim).toBe(2);
    expect(e.bandwidth).toBe(0.9);
    expect(e.at([0.5, 0.5])).toBeCloseTo(k2([-0.5, 1.5], [[1, 0.5], [0.5, 2]], 0.9), 13);
    expect(e.at([9, 9, 0.5, 0.5], 2)).toBeCloseTo(e.at([0.5, 0.5]), 15);
    expect(e.selfTerm).toBeCloseTo(k2([0, 0], [[2, 1], [1, 4]], 0.9), 13);
    const mix = new GaussianMixture([0.4, 0.6], [new Gaussian([-1], fromRows([[0.5]])), new Gaussian([1], fromRows([[1]]))]);
    const m = new KernelMeanEmbedding(mix, 1.2);
    expect(m.at([0.3])).toBeCloseTo(0.4 * k1(1.3, 0.5, 1.2) + 0.6 * k1(-0.7, 1, 1.2), 14);
  });

  test('reference bandwidth ℓ² = tr Cov_Q / d, mixture spread included; zero spread refused', () => {
    expect(referenceBandwidth({ mean: [0, 5], cov: fromRows([[1, 0.3], [0.3, 3]]) })).toBeCloseTo(Math.sqrt(2), 15);
    const mix = new GaussianMixture([0.5, 0.5], [new Gaussian([-1], fromRows([[1]])), new Gaussian([1], fromRows([[1]]))]);
    expect(referenceBandwidth(mix)).toBeCloseTo(Math.sqrt(2), 15);
    const skew = new GaussianMixture([0.25, 0.75], [new Gaussian([0], fromRows([[1]])), new Gaussian([4], fromRows([[1]]))]);
    expect(referenceBandwidth(skew)).toBeCloseTo(Math.sqrt(1 + 0.25 * 0.75 * 16), 14);
    expect(() => referenceBandwidth(point([1, 2]))).toThrow(/referenceBandwidth\.reference/);
  });

  test('validation: bandwidth finite and > 0, laws non-empty and of one dimension', () => {
    expect(requireBandwidth('b', 0.5)).toBe(0.5);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => requireBandwidth('b', bad)).toThrow(InvalidArgumentError);
    expect(() => requireBandwidth('b', -1)).toThrow('b: must be > 0 (got -1)');
    expect(() => gaussianKernelCross(point([1]), point([1]), 0)).toThrow(/gaussianKernel\.bandwidth/);
    expect(() => gaussianKernelCross([], point([1]), 1)).toThrow(/gaussianKernel\.p/);
    expect(() => gaussianKernelCross(point([1]), point([1, 2]), 1)).toThrow(DimensionMismatchError);
    expect(() => gaussianKernelCross([{ weight: 0.5, mean: [1], cov: zeros(1, 1) }, { weight: 0.5, mean: [1, 2], cov: zeros(2, 2) }], point([1]), 1)).toThrow(/\[1\]\.mean/);
    expect(() => gaussianKernelCross([{ weight: 1, mean: [1], cov: zeros(2, 2) }], point([1]), 1)).toThrow(/\[0\]\.cov/);
    expect(() => gaussianKernelCross([{ weight: 1, mean: [1], cov: zeros(1, 2) }], point([1]), 1)).toThrow('gaussianKernel.p[0].cov: expected dimension 1x1, got 1x2');
    expect(() => gaussianKernelCross(point([1]), [{ weight: 1, mean: [1], cov: zeros(2, 1) }], 1)).toThrow(/gaussianKernel\.q\[0\]\.cov/);
    expect(() => new KernelMeanEmbedding(point([1]), -1)).toThrow(/kernelMeanEmbedding\.bandwidth/);
  });
});
