import { describe, expect, test } from 'vitest';
import { add, eye, inverse, mul, randomOrthogonal, tr, trace, withSpectrum } from '../../properties/support/denseRoutes.ts';
import { NotSPDError } from '../errors.ts';
import { fromRows } from '../linalg/index.ts';
import { createRng } from '../mc/rng.ts';
import { spectralSums } from './rows.ts';
import { spectrumFromCovariance, spectrumFromEigenvalues } from './spectrum.ts';

/*
 * Independent routes: Σ = Q diag(λ) Qᵀ built from a known spectrum with a random orthogonal Q (Householder
 * products, properties/support/denseRoutes.ts); the encoder coordinates G = VᵀBᵀ by their basis-free identities
 * GᵀG = BBᵀ (V orthogonal) and Gᵀ diag(λ) G = BΣBᵀ; the spectral sums as dense traces of P = (a²Σ + s²I)⁻¹ by
 * Gauss–Jordan: tr P, (d − s² tr P)/s², tr((a²ΣP)²)/s², tr(a²Σ P²).
 */
const rng = createRng('spectrum-routes');
const maxAbsDiff = (A: number[][], B: number[][]) => Math.max(...A.flatMap((r, i) => r.map((v, j) => Math.abs(v - B[i][j]))));

describe('spectrumFromCovariance / spectrumFromEigenvalues against a covariance of known spectrum', () => {
  const cases: number[][] = [[5, 2, 1, 0.5, 0.1], [1e6, 1, 1e-6], [3, 3, 3, 1], [4, 1, 0, 0], [1], [2, 1e-3, 1e-3, 1e-3, 1e-3, 0]];
  for (const lambda of cases) {
    test(`λ = [${lambda}]: eigenvalues (descending, to 1e-13·λ_max·d), trace, rank, encoder identities; eigenvalues given directly agree`, () => {
      const d = lambda.length, Q = randomOrthogonal(d, rng), S = withSpectrum(Q, lambda);
      const sym = S.map((r, i) => r.map((v, j) => 0.5 * (v + S[j][i])));
      const B = Array.from({ length: 2 }, () => Array.from({ length: d }, () => rng.normal()));
      const sp = spectrumFromCovariance(fromRows(sym), { encoderB: fromRows(B) });
      const want = [...lambda].sort((a, b) => b - a), tol = 1e-13 * want[0] * d;
      expect(sp.values.length).toBe(d);
      sp.values.forEach((v, i) => expect(Math.abs(v - want[i]), `λ_${i}`).toBeLessThanOrEqual(tol));
      expect(Math.abs(sp.trace - trace(sym))).toBeLessThanOrEqual(tol);
      expect(sp.rank).toBe(want.filter((v) => v > tol).length);
      const k = 2, G = Array.from({ length: d }, (_, i) => Array.from({ length: k }, (_, c) => sp.encoderCoordinates!.data[i * k + c]));
      const scale = Math.max(...B.flat().map(Math.abs)) ** 2 * d;
      expect(maxAbsDiff(mul(tr(G), G), mul(B, tr(B)))).toBeLessThanOrEqual(1e-12 * scale);
      const GlG = mul(tr(G), G.map((r, i) => r.map((v) => v * sp.values[i])));
      expect(maxAbsDiff(GlG, mul(mul(B, sym), tr(B)))).toBeLessThanOrEqual(1e-12 * scale * want[0]);
      if (lambda.length > 1 && new Set(lambda).size > 1) {
        // Negative control: the encoder rows NOT rotated into the eigenbasis (G = Bᵀ) fail the second identity.
        expect(maxAbsDiff(mul(B, tr(B).map((r, i) => r.map((v) => v * sp.values[i]))), mul(mul(B, sym), tr(B)))).toBeGreaterThan(1e-6 * scale * want[0]);
      }
      const direct = spectrumFromEigenvalues(lambda);
      direct.values.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(tol));
      expect(direct.zeros).toBe(0);
      expect(direct.rank).toBe(sp.rank);
    });
  }

  test('eigenvalues given directly: the rest of d are zeros; a rounding-level negative is clamped, a real one is a typed error unless ε lifts it', () => {
    const sp = spectrumFromEigenvalues([1, 3, 2], 10);
    expect(Array.from(sp.values)).toEqual([3, 2, 1]);
    expect([sp.zeros, sp.rank, sp.trace]).toEqual([7, 3, 6]);
    const c = spectrumFromEigenvalues([1, -1e-17], 2);
    expect([c.values[1], c.clamped, c.rank]).toEqual([0, 1, 1]);
    expect(() => spectrumFromEigenvalues([1, -1e-3])).toThrow(NotSPDError);
    expect(() => spectrumFromEigenvalues([1, -1e-3])).toThrow(/data\.eigenvalues/);
    expect(spectrumFromEigenvalues([1, -1e-3], 2, 'data.eigenvalues', 2e-3).values[1]).toBe(-1e-3);
    expect(() => spectrumFromEigenvalues([1, Number.NaN])).toThrow(/data\.eigenvalues\[1\]/);
    expect(() => spectrumFromEigenvalues([1, 2], 1)).toThrow(/dim/);
    const S = withSpectrum(randomOrthogonal(3, rng), [1, 0.5, -0.2]);
    expect(() => spectrumFromCovariance(fromRows(S.map((r, i) => r.map((v, j) => 0.5 * (v + S[j][i])))))).toThrow(NotSPDError);
  });
});

describe('spectralSums against dense traces of P = (a²Σ + s²I)⁻¹', () => {
  const lambda = [4, 2.5, 1, 0.3, 0.3, 0.3, 0.3, 0.01];
  const d = lambda.length, S = withSpectrum(randomOrthogonal(d, rng), lambda);
  for (const [a2, s2] of [[0.999, 0.001], [0.5, 0.5], [1e-4, 0.9999], [0.9, 1e-6]]) {
    test(`a² = ${a2}, s² = ${s2}: four sums, with the repeated 0.3 as explicit values and as restCount × restValue`, () => {
      const aS = S.map((r) => r.map((v) => a2 * v)), P = inverse(add(aS, eye(d), s2));
      const aSP = mul(aS, P);
      const want = { traceInverse: trace(P), gap: (d - s2 * trace(P)) / s2, collapse: trace(mul(aSP, aSP)) / s2, advantage: trace(mul(aSP, P)) };
      const explicit = spectralSums({ values: Float64Array.from(lambda), restCount: 0, restValue: 0 }, a2, s2);
      const rest = spectralSums({ values: Float64Array.from([4, 2.5, 1, 0.01]), restCount: 4, restValue: 0.3 }, a2, s2);
      // Dense rounding: κ(a²Σ + s²I)·ε relative, and the gap's cancellation d/s² − tr P on the scale d/s².
      const kappa = (a2 * 4 + s2) / (a2 * 0.01 + s2), e = 1e3 * kappa * Number.EPSILON;
      const scale = { traceInverse: want.traceInverse, gap: d / s2, collapse: want.collapse, advantage: want.advantage };
      for (const key of ['traceInverse', 'gap', 'collapse', 'advantage'] as const) {
        expect(Math.abs(explicit[key] - want[key]), key).toBeLessThanOrEqual(e * scale[key]);
        expect(Math.abs(rest[key] - explicit[key]), key).toBeLessThanOrEqual(1e-14 * Math.abs(explicit[key]));
      }
      // Negative control: the collapse sum without the 1/s² (where s² is not ≈ 1) or the advantage with P for P² misses the dense trace.
      if (s2 < 0.9) {
        expect(Math.abs(explicit.collapse * s2 - want.collapse)).toBeGreaterThan(1e-3 * want.collapse);
        expect(Math.abs(trace(aSP) - want.advantage)).toBeGreaterThan(1e-3 * want.advantage);
      }
    });
  }
});
