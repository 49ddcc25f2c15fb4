import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../../engine/outcome.ts';
import { qualityCaseCovariance, samplerQualityFigure, stepLadder } from './sampleQualityCheck.ts';

/*
 * The Gaussian data of sample.quality: Σ = R diag(λ) Rᵀ with R the Givens rotation by θ = angle·π/12
 * in channels 0, 1. Closed form (c = cos θ, s = sin θ): Σ₀₀ = c²λ₀ + s²λ₁, Σ₁₁ = s²λ₀ + c²λ₁,
 * Σ₀₁ = Σ₁₀ = cs(λ₀ − λ₁), Σ_kk = λ_k for k ≥ 2, every other entry 0 — so the eigenvalues are the
 * case's variances, which the report states (describeCase).
 */
describe('qualityCaseCovariance', () => {
  const lam = [-1, 0.5, 1, -2];
  for (let angle = 0; angle <= 11; angle++) {
    it(`C = 3 and 4, angle ${angle}: the closed form entry by entry`, () => {
      for (const C of [3, 4]) {
        const c = { logVariances: lam.slice(0, C), angle, mean: Array(C).fill(0) };
        const S = qualityCaseCovariance(c, C);
        const l = lam.map((v) => 10 ** v);
        const th = (angle * Math.PI) / 12, co = Math.cos(th), si = Math.sin(th);
        const want = (i: number, j: number): number => {
          if (i === 0 && j === 0) return co * co * l[0] + si * si * l[1];
          if (i === 1 && j === 1) return si * si * l[0] + co * co * l[1];
          if ((i === 0 && j === 1) || (i === 1 && j === 0)) return co * si * (l[0] - l[1]);
          return i === j ? l[i] : 0;
        };
        expect([S.rows, S.cols]).toEqual([C, C]);
        for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) expect(Math.abs(S.data[i * C + j] - want(i, j))).toBeLessThanOrEqual(1e-14 * 10);
      }
    });
  }

  it('one channel: Σ = λ₀ at every angle (the case\'s variance, never cos²θ·λ₀)', () => {
    for (let angle = 0; angle <= 11; angle++) {
      const S = qualityCaseCovariance({ logVariances: [0.5], angle, mean: [0] }, 1);
      expect(S.data[0]).toBeCloseTo(10 ** 0.5, 14);
    }
  });

  it('two channels: trace and determinant are λ₀ + λ₁ and λ₀λ₁ (eigenvalues kept)', () => {
    for (let angle = 0; angle <= 11; angle++) {
      const S = qualityCaseCovariance({ logVariances: [-2, 1], angle, mean: [0, 0] }, 2).data;
      expect(S[0] + S[3]).toBeCloseTo(0.01 + 10, 12);
      expect(S[0] * S[3] - S[1] * S[2]).toBeCloseTo(0.1, 12);
      expect(S[1]).toBeCloseTo(S[2], 14);
    }
  });
});

describe('stepLadder: geometric picks ending at the largest valid count ≤ cap', () => {
  it('every count valid: cap, cap/2, …, cap/16', () => {
    const all = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(stepLadder(all, 128)).toEqual([8, 16, 32, 64, 128]);
  });
  it('the nearest valid count in log scale; duplicates merged; nothing ≤ cap → empty', () => {
    // wants 100/16 … 100 = 6.25, 12.5, 25, 50, 100 → nearest (|log ratio|) 10, 10, 10, 100, 100
    expect(stepLadder([1, 3, 10, 100, 1000], 128)).toEqual([10, 100]);
    expect(stepLadder([5, 50, 500], 4)).toEqual([]);
    expect(stepLadder([2, 4], 4)).toEqual([2, 4]);
  });
});

describe('samplerQualityFigure: KL against steps, log–log, from a quality outcome', () => {
  const outcome = (q: Outcome['quantities']): Outcome => ({ holds: true, margin: -1, ...(q ? { quantities: q } : {}) });

  it('no quantities or no steps → no figure', () => {
    expect(samplerQualityFigure('sample.quality.ddim', outcome(undefined))).toBeUndefined();
    expect(samplerQualityFigure('sample.quality.ddim', outcome({ order: 1 }))).toBeUndefined();
  });

  it('one series per reported KL (subject as points, declared sampler as lines, variants last); zero and non-finite KL dropped', () => {
    const f = samplerQualityFigure('sample.quality.ddim', outcome({
      steps: [4, 8, 16],
      kl_to_data: [0.5, 0, 0.125],
      kl_to_limit: [0.25, Infinity, Number.NaN],
      declared_kl_to_data: [0.5, 0.25, 0.125],
      order: 1.234, declared_order: 'n/a', family_order: 1,
      'kl_to_data if spacing trailing': [0.75, 0.5, 0.25],
    }))!;
    expect(f.id).toBe('sample.quality.ddim-kl');
    expect([f.logX, f.logY]).toEqual([true, true]);
    expect([f.xLabel, f.yLabel, f.title]).toEqual(['number of steps n', 'KL (nats)', 'sample.quality.ddim: KL of the final sample against steps']);
    expect(f.series.map((s) => [s.name, s.style, s.points])).toEqual([
      ['subject: KL to the data', 'points', [[4, 0.5], [16, 0.125]]],
      ['subject: KL to the continuous limit', 'points', [[4, 0.25]]],
      ['declared sampler: KL to the data', 'line', [[4, 0.5], [8, 0.25], [16, 0.125]]],
      ['declared sampler if spacing trailing (one pixel)', 'line', [[4, 0.75], [8, 0.5], [16, 0.25]]],
    ]);
    expect(f.caption).toBe('measured order 1.23 (declared sampler n/a, family 1); KL ∝ n^(−2·order).');
  });
});
