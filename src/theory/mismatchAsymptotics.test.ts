import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { forEachStandardNormalNode } from '../../properties/support/gaussianQuadrature.ts';
import { gaussianOfDim, simpleDouble } from '../arbitraries/index.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { type Matrix, cholesky, matvec, spdInverse, spdLogDet } from '../linalg/index.ts';
import { equicorrelatedCovariance, mismatchAtAlphaBar } from './mismatchAsymptotics.ts';

/*
 * equicorrelatedCovariance against its known spectrum (1 an eigenvector with v(1 + (d−1)ρ), 1^⊥ with v(1 − ρ)) and
 * determinant; mismatchAtAlphaBar (MATH.md §17) against Gauss–Hermite quadrature over x ~ q̃_ᾱ of ‖∇log q̃ − ∇log q‖²,
 * both marginals N(√ᾱ μ, ᾱΣ + (1 − ᾱ)I) built here and their scores −P(x − m).
 */
describe('equicorrelatedCovariance: spectrum and determinant', () => {
  const caseArb = fc.integer({ min: 1, max: 12 }).chain((d) => fc.tuple(fc.constant(d), fc.integer({ min: 1, max: 999 }), simpleDouble(0.1, 5, 2)))
    .map(([d, k, v]) => ({ d, v, rho: d === 1 ? k / 1000 : -1 / (d - 1) + (k / 1000) * (1 + 1 / (d - 1)) })); // the whole open interval, both ends' neighbours
  const spectrumHolds = (S: Matrix, d: number, rho: number, v: number) => {
    const ones = new Float64Array(d).fill(1), alt = Float64Array.from({ length: d }, (_, i) => (i === 0 ? 1 : i === 1 ? -1 : 0));
    const S1 = matvec(S, ones), Sa = matvec(S, alt);
    return S1.every((x) => Math.abs(x - v * (1 + (d - 1) * rho)) <= 1e-12 * v * d) && (d === 1 || Sa.every((x, i) => Math.abs(x - v * (1 - rho) * alt[i]) <= 1e-12 * v));
  };
  test.prop([caseArb], { numRuns: 200 })('Σ1 = v(1 + (d−1)ρ)1, Σ(e₁ − e₂) = v(1 − ρ)(e₁ − e₂), log det = d log v + (d−1) log(1−ρ) + log(1 + (d−1)ρ)', ({ d, v, rho }) => {
    const S = equicorrelatedCovariance(d, rho, v);
    expect(spectrumHolds(S, d, rho, v)).toBe(true);
    const want = d * Math.log(v) + (d - 1) * Math.log(1 - rho) + Math.log(1 + (d - 1) * rho);
    const kappa = Math.max(1 + (d - 1) * rho, 1 - rho) / Math.min(1 + (d - 1) * rho, 1 - rho);
    expect(Math.abs(spdLogDet(S) - want)).toBeLessThanOrEqual(1e-13 * d * kappa);
  });
  it('negative control: ρ on the diagonal as well (ρ11ᵀ + (1−ρ)·0) fails the spectrum; ρ outside (−1/(d−1), 1) is a typed error', () => {
    const S = equicorrelatedCovariance(4, 0.3, 2);
    expect(spectrumHolds(S, 4, 0.3, 2)).toBe(true);
    expect(spectrumHolds({ ...S, data: S.data.map(() => 2 * 0.3) }, 4, 0.3, 2)).toBe(false);
    expect(() => equicorrelatedCovariance(4, -1 / 3, 1)).toThrow(/rho/);
    expect(() => equicorrelatedCovariance(4, 1, 1)).toThrow(/rho/);
  });
});

describe('mismatchAtAlphaBar against quadrature over the target marginal', () => {
  const marginal = (g: Gaussian, ab: number) => {
    const d = g.dim;
    const cov: Matrix = { rows: d, cols: d, data: g.cov.data.map((x, i) => ab * x + (i % (d + 1) === 0 ? 1 - ab : 0)) };
    return { mean: g.mean.map((m) => Math.sqrt(ab) * m), cov, P: spdInverse(cov) };
  };
  const byQuadrature = (target: Gaussian, training: Gaussian, ab: number) => {
    const t = marginal(target, ab), q = marginal(training, ab), d = target.dim, L = cholesky(t.cov);
    let s = 0;
    forEachStandardNormalNode(d, (g, w) => {
      const x = Float64Array.from(t.mean, (m, i) => { let v = m; for (let j = 0; j <= i; j++) v += L.data[i * d + j] * g[j]; return v; });
      const st = matvec(t.P, x.map((v, i) => v - t.mean[i])), sq = matvec(q.P, x.map((v, i) => v - q.mean[i]));
      for (let i = 0; i < d; i++) s += w * (sq[i] - st[i]) ** 2;
    });
    return s;
  };
  const caseArb = fc.integer({ min: 1, max: 4 }).chain((d) => fc.tuple(gaussianOfDim(d, { maxConditionNumber: 30, meanBound: 2 }), gaussianOfDim(d, { maxConditionNumber: 30, meanBound: 2 })));
  const abArb = fc.oneof(fc.constantFrom(1e-4, 0.9999), simpleDouble(0.001, 0.999, 3));

  test.prop([caseArb, abArb], { numRuns: 120 })('every pair of Gaussians and ᾱ, ends included', ([target, training], ab) => {
    const want = byQuadrature(target, training, ab);
    expect(Math.abs(mismatchAtAlphaBar(target, training, ab) - want)).toBeLessThanOrEqual(1e-10 * Math.max(1, want));
  });

  it('negative control: the roles swapped (expectation under the training marginal) are rejected; equal laws give 0', () => {
    const [[target, training]] = fc.sample(caseArb.filter(([t]) => t.dim === 2), { seed: 6, numRuns: 1 });
    const want = byQuadrature(target, training, 0.5);
    expect(Math.abs(mismatchAtAlphaBar(target, training, 0.5) - want)).toBeLessThan(1e-10 * Math.max(1, want));
    expect(Math.abs(mismatchAtAlphaBar(training, target, 0.5) - want)).toBeGreaterThan(1e-4 * want);
    expect(mismatchAtAlphaBar(target, target, 0.5)).toBeLessThan(1e-20);
  });
});
