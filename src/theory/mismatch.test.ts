import { describe, expect, test } from 'vitest';
import { vpFromBetas } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { fromRows } from '../linalg/index.ts';
import { affineSamplerGrowthLog10, propagateAffineSampler } from './gaussianPropagation.ts';
import {
  affineMismatch, expectedSquaredMismatch, gaussianScoreMap, klMomentsToMoments, matchedGaussianGuidance, matchedScoreGuidance,
  mismatchDecomposition, mismatchWeight, perturbedMatchedGuidance, targetMarginalAt,
} from './mismatch.ts';

/* 1-d closed forms (MATH.md §4), written out by hand: target N(m, S), β = (0.1, 0.3). */
const betas = [0.1, 0.3], al = betas.map((b) => 1 - b), ab = [1, al[0], al[0] * al[1]];
const schedule = vpFromBetas(betas);
const m = 0.7, S = 0.4;
const target = { mean: Float64Array.from([m]), cov: fromRows([[S]]) };
const St = (t: number) => ab[t] * S + 1 - ab[t];
const klScalar = (m1: number, v1: number, m2: number, v2: number) => 0.5 * (Math.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / v2 - 1);

describe('target marginals, matched and mismatched guidance', () => {
  test('q̃_t = N(√ᾱ m, ᾱS + 1 − ᾱ); its score map −x/S_t + m_t/S_t', () => {
    const q = targetMarginalAt(target, schedule, 2);
    expect(q.mean[0]).toBeCloseTo(Math.sqrt(ab[2]) * m, 15);
    expect(q.cov.data[0]).toBeCloseTo(St(2), 15);
    const g = gaussianScoreMap(q);
    expect(g.A.data[0]).toBeCloseTo(-1 / St(2), 14);
    expect(g.b[0]).toBeCloseTo((Math.sqrt(ab[2]) * m) / St(2), 14);
    expect(matchedGaussianGuidance(target, schedule)(1).A.data[0]).toBeCloseTo(-1 / St(1), 14);
    expect(perturbedMatchedGuidance(target, schedule, [0.25])(1).A.data[0]).toBeCloseTo(-1 / St(1) + 0.25, 14);
    expect(perturbedMatchedGuidance(target, schedule, [0.25])(1).b[0]).toBeCloseTo((Math.sqrt(ab[1]) * m) / St(1), 14);
    expect(() => perturbedMatchedGuidance(target, schedule, [1, 2])).toThrow(DimensionMismatchError);
    let built = 0;
    const gs = matchedScoreGuidance((t) => (built++, targetMarginalAt(target, schedule, t)), 1);
    expect(gs(Float64Array.from([0.3]), 2)[0]).toBeCloseTo(-(0.3 - Math.sqrt(ab[2]) * m) / St(2), 14);
    gs(Float64Array.from([0.1]), 2);
    expect(built).toBe(1);
  });

  test('Δ = ∇log q̃ − g and E‖Δ‖² with its exact variance, against the scalar formulas', () => {
    const q = new Gaussian([0.5], fromRows([[2]]));
    const A = -0.3, b = 0.2;
    const d = affineMismatch(q, { A: fromRows([[A]]), b: Float64Array.from([b]) });
    expect(d.A.data[0]).toBeCloseTo(-0.5 - A, 15);
    expect(d.b[0]).toBeCloseTo(0.25 - b, 15);
    const e = expectedSquaredMismatch(q, { A: fromRows([[A]]), b: Float64Array.from([b]) });
    const k = -0.5 - A, mr = k * 0.5 + 0.25 - b, vr = k * k * 2;
    expect(e.mean).toBeCloseTo(mr * mr + vr, 14);
    expect(e.variance).toBeCloseTo(2 * vr * vr + 4 * mr * mr * vr, 13);
    expect(() => affineMismatch(q, { A: fromRows([[1, 0], [0, 1]]), b: Float64Array.from([0, 0]) })).toThrow(DimensionMismatchError);
  });

  test('mismatch weights (1 − α)²/(2α σ²): seed (1 − α)/2, beta (1 − α)/(2α), posterior with β̃', () => {
    expect(mismatchWeight(schedule, 2, 'seed')).toBeCloseTo(0.3 / 2, 15);
    expect(mismatchWeight(schedule, 2, 'beta')).toBeCloseTo(0.3 / (2 * 0.7), 15);
    const bt = ((1 - ab[1]) * 0.3) / (1 - ab[2]);
    expect(mismatchWeight(schedule, 2, 'posterior')).toBeCloseTo((0.09 / (2 * 0.7)) / bt, 14);
  });

  test('KL between moment forms; a degenerate p is +∞', () => {
    expect(klMomentsToMoments({ mean: Float64Array.from([1]), cov: fromRows([[0.5]]) }, { mean: Float64Array.from([0]), cov: fromRows([[2]]) })).toBeCloseTo(klScalar(1, 0.5, 0, 2), 14);
    expect(klMomentsToMoments({ mean: Float64Array.from([1]), cov: fromRows([[0]]) }, { mean: Float64Array.from([0]), cov: fromRows([[1]]) })).toBe(Infinity);
  });
});

describe('the affine sampler\'s exact law and the path-KL decomposition (1-d, by hand)', () => {
  const A = [-0.8, -1.1], b = [0.3, 0.1];
  const guidance = (t: number) => ({ A: fromRows([[A[t - 1]]]), b: Float64Array.from([b[t - 1]]) });
  const M = (t: number) => (1 + betas[t - 1] * A[t - 1]) / Math.sqrt(al[t - 1]);
  const c = (t: number) => (betas[t - 1] * b[t - 1]) / Math.sqrt(al[t - 1]);

  test('m ← M m + c, S ← M²S + σ² from N(0, 1) (σ² = β) and from a given start', () => {
    const out = propagateAffineSampler(schedule, guidance, 'beta', 1);
    const m1 = c(2), s1 = M(2) ** 2 + betas[1];
    const m0 = M(1) * m1 + c(1), s0 = M(1) ** 2 * s1 + betas[0];
    expect(out[2].mean[0]).toBe(0);
    expect(out[1].mean[0]).toBeCloseTo(m1, 14);
    expect(out[1].cov.data[0]).toBeCloseTo(s1, 14);
    expect(out[0].mean[0]).toBeCloseTo(m0, 14);
    expect(out[0].cov.data[0]).toBeCloseTo(s0, 14);
    const from = propagateAffineSampler(schedule, guidance, 'seed', 1, { mean: Float64Array.from([2]), cov: fromRows([[0.5]]) });
    expect(from[1].mean[0]).toBeCloseTo(M(2) * 2 + c(2), 14);
    expect(from[1].cov.data[0]).toBeCloseTo(M(2) ** 2 * 0.5 + betas[1] / al[1], 14);
    expect(affineSamplerGrowthLog10(schedule, guidance, 1)).toBeCloseTo(Math.log10(Math.abs(M(1) * M(2))), 14);
    expect(() => propagateAffineSampler(schedule, () => ({ A: fromRows([[1, 0], [0, 1]]), b: Float64Array.from([0, 0]) }), 'beta', 1)).toThrow(DimensionMismatchError);
    expect(() => propagateAffineSampler(schedule, () => ({ A: fromRows([[1e300]]), b: Float64Array.from([0]) }), 'beta', 1)).toThrow(InvalidArgumentError);
  });

  test('start + oracle + bias, each term by hand; matched guidance has no bias; pathKL ≥ finalKL', () => {
    const dec = mismatchDecomposition(schedule, target, guidance, 'beta');
    const start = klScalar(Math.sqrt(ab[2]) * m, St(2), 0, 1);
    const prev = (t: number) => (t === 1 ? S : St(t - 1));
    let oracle = 0, bias = 0;
    for (const t of [1, 2]) {
      const C = prev(t) - (al[t - 1] * prev(t) ** 2) / St(t), v = betas[t - 1];
      oracle += 0.5 * (C / v - 1 + Math.log(v) - Math.log(C));
      const k = -1 / St(t) - A[t - 1], mt = Math.sqrt(ab[t]) * m;
      const e = (k * mt + mt / St(t) - b[t - 1]) ** 2 + k * k * St(t);
      expect(dec.perStepMismatch[t - 1]).toBeCloseTo(e, 12);
      bias += ((1 - al[t - 1]) ** 2 / (2 * al[t - 1] * v)) * e;
    }
    expect(dec.start).toBeCloseTo(start, 13);
    expect(dec.oracle).toBeCloseTo(oracle, 12);
    expect(dec.bias).toBeCloseTo(bias, 12);
    expect(dec.pathKL).toBeCloseTo(start + oracle + bias, 12);
    const p0 = propagateAffineSampler(schedule, guidance, 'beta', 1)[0];
    expect(dec.finalKL).toBeCloseTo(klScalar(m, S, p0.mean[0], p0.cov.data[0]), 12);
    expect(dec.pathKL).toBeGreaterThanOrEqual(dec.finalKL);
    const matched = mismatchDecomposition(schedule, target, matchedGaussianGuidance(target, schedule), 'beta');
    expect(matched.bias).toBe(0);
    expect(matched.oracle).toBeCloseTo(oracle, 12);
    // β̃_1 = 0 makes the reverse kernel degenerate: the path KL is +∞
    expect(mismatchDecomposition(schedule, target, guidance, 'posterior').oracle).toBe(Infinity);
    // a degenerate target: the final KL is +∞
    expect(mismatchDecomposition(schedule, { mean: Float64Array.from([m]), cov: fromRows([[0]]) }, guidance, 'beta').finalKL).toBe(Infinity);
  });
});
