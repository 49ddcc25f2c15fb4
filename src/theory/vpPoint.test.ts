import { describe, expect, test } from 'vitest';
import { DimensionMismatchError, NonFiniteError } from '../errors.ts';
import { affinePredictorProbe } from './affinePredictorProbe.ts';
import { chainPosterior, ddpmChain } from './ddpmChain.ts';
import { vpFromBetas } from '../diffusion/schedule.ts';
import { logSnrPanels, vpPointAtAlpha, vpPointAtLogSnr } from './vpPoint.ts';

describe('points of the continuous VP path (MATH.md §3)', () => {
  test('α = σ(λ), 1 − α = σ(−λ), a = √α, s = √(1 − α), on both branches', () => {
    for (const lam of [-3, -0.5, 0, 0.5, 3]) {
      const p = vpPointAtLogSnr(lam);
      expect(p.alpha).toBeCloseTo(1 / (1 + Math.exp(-lam)), 15);
      expect(p.oneMinusAlpha).toBeCloseTo(1 / (1 + Math.exp(lam)), 15);
      expect(p.a).toBeCloseTo(Math.sqrt(p.alpha), 15);
      expect(p.s).toBeCloseTo(Math.sqrt(p.oneMinusAlpha), 15);
      expect(p.logSnr).toBe(lam);
    }
    expect(vpPointAtLogSnr(0).alpha).toBe(0.5);
  });
  test('no cancellation at the ends: 1 − α at λ = 40 and α at λ = −40 to full relative precision', () => {
    const e = Math.exp(-40) / (1 + Math.exp(-40));
    expect(vpPointAtLogSnr(40).oneMinusAlpha / e).toBeCloseTo(1, 14);
    expect(vpPointAtLogSnr(-40).alpha / e).toBeCloseTo(1, 14);
    expect(vpPointAtLogSnr(-40).oneMinusAlpha).toBe(1);
    expect(() => vpPointAtLogSnr(Number.NaN)).toThrow(/^logSnr/);
  });
  test('vpPointAtAlpha: λ = log(α/(1−α)); α in (0, 1)', () => {
    const p = vpPointAtAlpha(0.8);
    expect(p.logSnr).toBeCloseTo(Math.log(4), 15);
    expect(p.oneMinusAlpha).toBeCloseTo(0.2, 15);
    expect(p.s).toBeCloseTo(Math.sqrt(0.2), 15);
    for (const bad of [0, 1, Number.NaN]) expect(() => vpPointAtAlpha(bad)).toThrow(/^alpha/);
  });
  test('initial panels: at least 8, width ≤ 2.5 over [−L, L]', () => {
    expect(logSnrPanels(1)).toBe(8);
    expect(logSnrPanels(10)).toBe(8);
    expect(logSnrPanels(20)).toBe(16);
    expect(logSnrPanels(20.1)).toBe(17);
  });
});

describe('affine predictor probe', () => {
  const t = vpPointAtLogSnr(0);
  test('reads e0 and A of ε(x) = e0 + A(x − c) exactly', () => {
    const c = [0.5, -1];
    const pred = (x: Float64Array) => [1 + 2 * (x[0] - c[0]) - (x[1] - c[1]), -0.5 + 3 * (x[1] - c[1])];
    const { e0, A } = affinePredictorProbe(pred, c, t);
    expect(Array.from(e0)).toEqual([1, -0.5]);
    expect(Array.from(A)).toEqual([2, -1, 0, 3]);
  });
  test('a wrong output length or a non-finite output is named', () => {
    expect(() => affinePredictorProbe(() => [1], [0, 0], t)).toThrow(DimensionMismatchError);
    expect(() => affinePredictorProbe((x) => [x[0] === 1 ? Number.NaN : 0, 0], [0, 0], t)).toThrow(NonFiniteError);
    expect(() => affinePredictorProbe((x) => [0, x[1] === 1 ? Number.POSITIVE_INFINITY : 0], [0, 0], t)).toThrow('predictor output[1] at logSnr=0');
  });
});

describe('the DDPM chain a_t², s_t² and its posterior coefficients', () => {
  test('β = (0.1, 0.2): a² = (1, 0.9, 0.72), s² = (0, 0.1, 0.28); posterior at t = 2 by hand', () => {
    const c = ddpmChain(vpFromBetas([0.1, 0.2]));
    expect(c.T).toBe(2);
    [1, 0.9, 0.72].forEach((v, i) => expect(c.a2[i]).toBeCloseTo(v, 15));
    [0, 0.1, 0.28].forEach((v, i) => expect(c.s2[i]).toBeCloseTo(v, 15));
    expect(c.alpha[2]).toBeCloseTo(0.8, 15);
    expect(c.beta[1]).toBeCloseTo(0.1, 15);
    const p = chainPosterior(c, 2);
    expect(p.c0).toBeCloseTo((0.2 * Math.sqrt(0.9)) / 0.28, 14);
    expect(p.ct).toBeCloseTo((Math.sqrt(0.8) * 0.1) / 0.28, 14);
    expect(p.betaTilde).toBeCloseTo((0.1 * 0.2) / 0.28, 14);
  });
});
