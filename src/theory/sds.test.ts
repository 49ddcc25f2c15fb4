import { describe, expect, test } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { diag, fromRows, zeros } from '../linalg/index.ts';
import {
  sdsDsm, sdsDsm1d, sdsDsmGradient, sdsDsmGradient1d, sdsDsmMinimizer, sdsDsmMoments, sdsEsm, sdsEsm1d, sdsEsmGradient, sdsEsmGradient1d,
  sdsEsmMinimizer, sdsEsmMoments, sdsGap, sdsGradientDescent,
} from './sds.ts';

/*
 * The SDS setting (MATH.md §2 Corollary) against residuals written out by hand in 1-d:
 *   DSM: r = −(a x_0 + s ε − aμ*)/V* + ε/s, x_0 ~ N(μ, v):  E r = −a(μ − μ*)/V*, Var r = a²v/V*² + (1/s − s/V*)²
 *   ESM: r = −(x − aμ*)/V* + (x − aμ)/V, x ~ N(aμ, V):     E r = −a(μ − μ*)/V*, Var r = V(1/V − 1/V*)²
 * and every gradient against central differences of the objective itself.
 */
const level = { a: 0.8, s: 0.6 }, { a, s } = level;
const quad = (m: number, v: number) => ({ mean: m * m + v, variance: 2 * v * v + 4 * m * m * v });
const dsmHand = (mu: number, v: number, ms: number, vs: number) => { const V = a * a * vs + s * s; return quad(-a * (mu - ms) / V, (a * a * v) / (V * V) + (1 / s - s / V) ** 2); };
const esmHand = (mu: number, v: number, ms: number, vs: number) => { const Vs = a * a * vs + s * s, V = a * a * v + s * s; return quad(-a * (mu - ms) / Vs, V * (1 / V - 1 / Vs) ** 2); };

describe('SDS objectives in closed form', () => {
  test('1-d: the scalar formulas, and the matrix forms with their exact per-sample variances', () => {
    for (const [mu, v] of [[0.5, 0.3], [-1, 2], [0.2, 0]]) {
      expect(sdsDsm1d(mu, v, 0.1, 1.2, level)).toBeCloseTo(dsmHand(mu, v, 0.1, 1.2).mean, 13);
      expect(sdsEsm1d(mu, v, 0.1, 1.2, level)).toBeCloseTo(esmHand(mu, v, 0.1, 1.2).mean, 13);
      const target = new Gaussian([0.1], fromRows([[1.2]])), input = { mean: [mu], cov: fromRows([[v]]) };
      const d = sdsDsmMoments(input, target, level), e = sdsEsmMoments(input, target, level);
      expect(d.mean).toBeCloseTo(dsmHand(mu, v, 0.1, 1.2).mean, 12);
      expect(d.variance).toBeCloseTo(dsmHand(mu, v, 0.1, 1.2).variance, 11);
      expect(e.mean).toBeCloseTo(esmHand(mu, v, 0.1, 1.2).mean, 12);
      expect(e.variance).toBeCloseTo(esmHand(mu, v, 0.1, 1.2).variance, 11);
      // DSM − ESM = 1/s² − 1/V (the input-dependent constant)
      expect(sdsGap(input, target, level)).toBeCloseTo(1 / (s * s) - 1 / (a * a * v + s * s), 12);
      expect(sdsDsm(input, target, level) - sdsEsm(input, target, level)).toBeCloseTo(sdsGap(input, target, level), 11);
    }
  });

  test('2-d diagonal: the sum of the 1-d objectives', () => {
    const target = new Gaussian([0.1, -1], diag([1.2, 0.5])), input = { mean: [0.5, 0], cov: diag([0.3, 2]) };
    expect(sdsDsm(input, target, level)).toBeCloseTo(dsmHand(0.5, 0.3, 0.1, 1.2).mean + dsmHand(0, 2, -1, 0.5).mean, 12);
    expect(sdsEsm(input, target, level)).toBeCloseTo(esmHand(0.5, 0.3, 0.1, 1.2).mean + esmHand(0, 2, -1, 0.5).mean, 12);
  });

  test('gradients against central differences (1-d functions and the matrix forms, correlated 2-d)', () => {
    const h = 1e-5;
    const args = [0.5, 0.3, 0.1, 1.2] as const;
    const fd = (f: (mu: number, v: number) => number, i: 0 | 1) => {
      const p = [args[0], args[1]], m = [args[0], args[1]];
      p[i] += h; m[i] -= h;
      return (f(p[0], p[1]) - f(m[0], m[1])) / (2 * h);
    };
    const dsm = (mu: number, v: number) => sdsDsm1d(mu, v, 0.1, 1.2, level), esm = (mu: number, v: number) => sdsEsm1d(mu, v, 0.1, 1.2, level);
    const gd = sdsDsmGradient1d(...args, level), ge = sdsEsmGradient1d(...args, level);
    expect(gd.mu).toBeCloseTo(fd(dsm, 0), 8);
    expect(gd.v).toBeCloseTo(fd(dsm, 1), 8);
    expect(ge.mu).toBeCloseTo(fd(esm, 0), 8);
    expect(ge.v).toBeCloseTo(fd(esm, 1), 8);
    expect(sdsEsmGradient1d(0.5, 1.2, 0.1, 1.2, level).v).toBeCloseTo(0, 14);

    const target = new Gaussian([0.1, -1], fromRows([[1.2, 0.3], [0.3, 0.5]]));
    const mean = [0.5, 0], cov = [[0.6, -0.1], [-0.1, 0.9]];
    for (const [F, G] of [[sdsDsm, sdsDsmGradient], [sdsEsm, sdsEsmGradient]] as const) {
      const g = G({ mean, cov: fromRows(cov) }, target, level);
      for (let i = 0; i < 2; i++) {
        const up = mean.slice(), dn = mean.slice();
        up[i] += h; dn[i] -= h;
        expect(g.mean[i]).toBeCloseTo((F({ mean: up, cov: fromRows(cov) }, target, level) - F({ mean: dn, cov: fromRows(cov) }, target, level)) / (2 * h), 7);
      }
      // dF = tr(G dΣ): along dΣ = E_01 + E_10 the derivative is 2 G_01; along E_11 it is G_11
      const shift = (i: number, j: number, e: number) => fromRows(cov.map((r, k) => r.map((x, l) => x + ((k === i && l === j) || (k === j && l === i) ? e : 0))));
      const dir = (i: number, j: number) => (F({ mean, cov: shift(i, j, h) }, target, level) - F({ mean, cov: shift(i, j, -h) }, target, level)) / (2 * h);
      expect(2 * g.cov.data[1]).toBeCloseTo(dir(0, 1), 7);
      expect(g.cov.data[3]).toBeCloseTo(dir(1, 1), 7);
    }
  });

  test('minimizers: DSM collapses to the point mass at μ*, ESM is the target with value 0', () => {
    const target = new Gaussian([0.1, -1], fromRows([[1.2, 0.3], [0.3, 0.5]]));
    const dm = sdsDsmMinimizer(target, level);
    expect(dm.attained).toBe(false);
    expect(dm.value).toBeCloseTo(sdsDsm({ mean: [0.1, -1], cov: zeros(2, 2) }, target, level), 14);
    expect(dm.value).toBeLessThan(sdsDsm({ mean: [0.1, -1], cov: diag([1e-3, 1e-3]) }, target, level));
    const em = sdsEsmMinimizer(target, level);
    expect(em.attained).toBe(true);
    expect(em.value).toBe(0);
    expect(sdsEsm({ mean: em.mean, cov: em.cov }, target, level)).toBeCloseTo(0, 13);
  });

  test('gradient descent: ESM walks to Σ*, DSM shrinks Σ; values never increase', () => {
    const target = new Gaussian([0.1], fromRows([[1.2]]));
    const init = { mean: [1], cov: fromRows([[0.4]]) };
    const e = sdsGradientDescent('esm', init, target, level, { steps: 400 });
    expect(e.mean[0]).toBeCloseTo(0.1, 5);
    expect(e.cov.data[0]).toBeCloseTo(1.2, 4);
    const d = sdsGradientDescent('dsm', init, target, level, { steps: 60 });
    expect(d.cov.data[0]).toBeLessThan(0.4 / 10);
    for (const r of [e, d]) for (let k = 1; k < r.values.length; k++) expect(r.values[k]).toBeLessThanOrEqual(r.values[k - 1]);
    expect(sdsGradientDescent('dsm', init, target, level, { steps: 1 }).steps).toBeLessThanOrEqual(1);
    expect(() => sdsGradientDescent('dsm', init, target, level, { steps: 0 })).toThrow(/^steps/);
    expect(() => sdsGradientDescent('esm', { mean: [0], cov: fromRows([[0]]) }, target, level)).toThrow(/init\.cov/);
  });

  test('validation by field', () => {
    const target = new Gaussian([0.1], fromRows([[1.2]]));
    expect(() => sdsDsm1d(0, -0.1, 0, 1, level)).toThrow('v: a variance must be ≥ 0 (got -0.1)');
    expect(() => sdsEsm1d(0, 1, 0, 0, level)).toThrow(/^vStar/);
    expect(() => sdsDsmGradient1d(Number.NaN, 1, 0, 1, level)).toThrow(/^mu/);
    expect(() => sdsEsmGradient1d(0, 1, Number.NaN, 1, level)).toThrow(/^muStar/);
    expect(() => sdsDsm1d(0, 1, 0, 1, { a: 1, s: 0 })).toThrow(/level\.s/);
    expect(() => sdsDsm({ mean: [0, 0], cov: fromRows([[1]]) }, target, level)).toThrow(DimensionMismatchError);
    expect(() => sdsEsm({ mean: [0], cov: fromRows([[1, 0], [0, 1]]) }, target, level)).toThrow(/input\.cov/);
    expect(() => sdsGap({ mean: [Number.NaN], cov: fromRows([[1]]) }, target, level)).toThrow(InvalidArgumentError);
    expect(() => sdsDsm({ mean: [0], cov: fromRows([[-1]]) }, target, level)).toThrow(/input\.cov/);
    expect(() => sdsDsm({ mean: [0], cov: fromRows([[1]]) }, { dim: 1 } as never, level)).toThrow(/^target/);
  });
});
