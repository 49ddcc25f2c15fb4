import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createRng } from '../mc/rng.ts';
import { type Matrix, fromRows, identity, matmul, transpose, zeros } from './matrix.ts';
import { symmetricEigen } from './symmetricEigen.ts';
import { symmetricEigenvalues, symmetricSpectrum } from './tridiagonalEigen.ts';

/** A random orthogonal matrix (Gram–Schmidt of a seeded Gaussian matrix). */
function orthogonal(n: number, seed: number): Matrix {
  const rng = createRng(seed);
  const g = rng.fillNormal(new Float64Array(n * n));
  const q = zeros(n, n);
  for (let j = 0; j < n; j++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = g[i * n + j];
    for (let pass = 0; pass < 2; pass++) {
      for (let c = 0; c < j; c++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q.data[i * n + c] * col[i];
        for (let i = 0; i < n; i++) col[i] -= dot * q.data[i * n + c];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += col[i] * col[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q.data[i * n + j] = col[i] / norm;
  }
  return q;
}

/** Q diag(λ) Qᵀ, exactly symmetric. */
function withSpectrum(values: number[], seed: number): Matrix {
  const n = values.length;
  const q = orthogonal(n, seed);
  const a = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q.data[i * n + k] * values[k] * q.data[j * n + k];
      a.data[i * n + j] = s;
      a.data[j * n + i] = s;
    }
  }
  return a;
}

const sortedDesc = (v: ArrayLike<number>) => Array.from(v).sort((x, y) => y - x);
const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

describe('symmetricSpectrum (Householder + implicit QL)', () => {
  it('small cases: 1×1, 2×2, diagonal, zero, already tridiagonal', () => {
    expect(Array.from(symmetricEigenvalues(fromRows([[3]])))).toEqual([3]);
    const two = symmetricEigenvalues(fromRows([[2, 1], [1, 2]]));
    expect(two[0]).toBeCloseTo(3, 14);
    expect(two[1]).toBeCloseTo(1, 14);
    expect(Array.from(symmetricEigenvalues(fromRows([[1, 0, 0], [0, 5, 0], [0, 0, -2]])))).toEqual([5, 1, -2]);
    expect(Array.from(symmetricEigenvalues(zeros(4, 4)))).toEqual([0, 0, 0, 0]);
    const tri = symmetricEigenvalues(fromRows([[2, -1, 0, 0], [-1, 2, -1, 0], [0, -1, 2, -1], [0, 0, -1, 2]]));
    // Eigenvalues of the 1-D Laplacian: 2 − 2cos(kπ/5).
    const exact = [1, 2, 3, 4].map((k) => 2 - 2 * Math.cos((k * Math.PI) / 5)).sort((x, y) => y - x);
    tri.forEach((v, i) => expect(Math.abs(v - exact[i])).toBeLessThan(1e-14));
  });

  it('known spectra (repeated, zero, wide range) at n = 1…120', () => {
    for (const n of [1, 2, 3, 5, 17, 64, 120]) {
      const rng = createRng(n);
      const spectra = [
        Array.from({ length: n }, () => rng.uniform() * 10 - 5),
        Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : i % 3 === 1 ? 2 : 2)), // repeated and zero
        Array.from({ length: n }, (_, i) => 10 ** (-8 + (12 * i) / Math.max(1, n - 1))), // condition 1e12
      ];
      spectra.forEach((lam, s) => {
        const a = withSpectrum(lam, 100 * n + s);
        const got = symmetricEigenvalues(a);
        const want = sortedDesc(lam);
        const scale = maxAbs(lam) || 1;
        for (let i = 0; i < n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(50 * n * 2.2e-16 * scale);
      });
    }
  });

  test.prop([fc.integer({ min: 1, max: 24 }), fc.integer({ min: 0, max: 1e6 })], { numRuns: 60 })('agrees with cyclic Jacobi on random symmetric matrices', (n, seed) => {
    const rng = createRng(seed);
    const g = rng.fillNormal(new Float64Array(n * n));
    const a = zeros(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a.data[i * n + j] = a.data[j * n + i] = g[i * n + j];
    const jac = sortedDesc(symmetricEigen(a).values);
    const got = symmetricEigenvalues(a);
    const scale = Math.max(1, maxAbs(jac));
    for (let i = 0; i < n; i++) expect(Math.abs(got[i] - jac[i])).toBeLessThan(1e-13 * n * scale);
  });

  it('QᵀC: with C = I the rows are orthonormal eigenvectors (A q = λ q)', () => {
    for (const n of [2, 7, 40]) {
      const lam = Array.from({ length: n }, (_, i) => (i < n / 2 ? 0 : i + 1)); // half the spectrum zero
      const a = withSpectrum(lam, n);
      const { values, projected } = symmetricSpectrum(a, { project: identity(n) });
      const Qt = projected!;
      const QtQ = matmul(Qt, transpose(Qt));
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(QtQ.data[i * n + j] - (i === j ? 1 : 0))).toBeLessThan(1e-13 * n);
      const AQ = matmul(a, transpose(Qt));
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(AQ.data[i * n + j] - values[j] * Qt.data[j * n + i])).toBeLessThan(1e-12 * n * n);
    }
  });

  it('QᵀC for a k-column block equals (QᵀI) C', () => {
    const n = 30, k = 3;
    const a = withSpectrum(Array.from({ length: n }, (_, i) => Math.sin(i)), 7);
    const C = zeros(n, k);
    createRng(3).fillNormal(C.data);
    const full = symmetricSpectrum(a, { project: identity(n) }).projected!;
    const direct = symmetricSpectrum(a, { project: C }).projected!;
    const viaFull = matmul(full, C);
    // Eigenvectors are defined up to sign; compare row by row up to sign.
    for (let i = 0; i < n; i++) {
      const sgn = Math.sign(direct.data[i * k] * viaFull.data[i * k]) || 1;
      for (let c = 0; c < k; c++) expect(Math.abs(direct.data[i * k + c] - sgn * viaFull.data[i * k + c])).toBeLessThan(1e-12);
    }
  });

  it('negative control: the known-spectrum comparison detects a 1e-3 change of one entry the solver reads', () => {
    // A wrong reduction (B − uwᵀ + wuᵀ) changes the spectrum: compare with the known values.
    const lam = [4, 3, 2, 1, 0.5];
    const a = withSpectrum(lam, 11);
    const wrong = zeros(5, 5);
    for (let i = 0; i < 25; i++) wrong.data[i] = a.data[i];
    wrong.data[2 * 5 + 1] += 1e-3; // asymmetric perturbation of the lower triangle only (what the solver reads)
    const got = symmetricSpectrum(wrong, { overwrite: true }).values;
    expect(Math.max(...got.map((v, i) => Math.abs(v - lam[i])))).toBeGreaterThan(1e-6);
  });

  it('the WebAssembly SIMD pass (n ≥ 64) and the JS loops give the same eigenvalues and QᵀC', () => {
    for (const n of [64, 65, 201]) {
      const g = createRng(n).fillNormal(new Float64Array(n * n));
      const a = zeros(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a.data[i * n + j] = a.data[j * n + i] = g[i * n + j];
      const C = zeros(n, 2);
      createRng(n + 1).fillNormal(C.data);
      const simd = symmetricSpectrum(a, { project: C });
      const js = symmetricSpectrum(a, { project: C, simd: false });
      const scale = maxAbs(js.values);
      for (let i = 0; i < n; i++) expect(Math.abs(simd.values[i] - js.values[i])).toBeLessThan(1e-13 * scale);
      for (let i = 0; i < 2 * n; i++) expect(Math.abs(Math.abs(simd.projected!.data[i]) - Math.abs(js.projected!.data[i]))).toBeLessThan(1e-10);
    }
  });

  it('names the field for non-finite or asymmetric input', () => {
    expect(() => symmetricEigenvalues(fromRows([[1, 0], [NaN, 1]]), 'S')).toThrow(/S\[1\]\[0\]/);
    expect(() => symmetricEigenvalues(fromRows([[1, 2], [0, 1]]), 'S')).toThrow(/S: .*not symmetric/);
  });
});
