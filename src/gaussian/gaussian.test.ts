import { describe, expect, test } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError, NotSPDError } from '../errors.ts';
import { fromRows, zeros } from '../linalg/index.ts';
import { scriptedRng as scripted } from '../../properties/support/scriptedRng.ts';
import { Gaussian } from './gaussian.ts';
import { GaussianMixture, logSumExp } from './mixture.ts';

/** 2 × 2 algebra by hand (determinant, inverse, Cholesky), independent of src/linalg. */
const [a, b, c] = [2, 0.6, 1];
const det = a * c - b * b;
const inv = [[c / det, -b / det], [-b / det, a / det]];
const L = [[Math.sqrt(a), 0], [b / Math.sqrt(a), Math.sqrt(c - (b * b) / a)]];
const mu = [1, -2];
const g = new Gaussian(mu, fromRows([[a, b], [b, c]]));

describe('Gaussian N(μ, Σ), 2-d, against hand algebra', () => {
  const x = [0.5, 1.5];
  const r = [x[0] - mu[0], x[1] - mu[1]];
  const q = r[0] * (inv[0][0] * r[0] + inv[0][1] * r[1]) + r[1] * (inv[1][0] * r[0] + inv[1][1] * r[1]);

  test('log density, score −Σ⁻¹(x − μ), log|Σ|, precision, Fisher information tr Σ⁻¹', () => {
    expect(g.logPdf(x)).toBeCloseTo(-0.5 * (2 * Math.log(2 * Math.PI) + Math.log(det) + q), 13);
    const s = g.score(x);
    expect(s[0]).toBeCloseTo(-(inv[0][0] * r[0] + inv[0][1] * r[1]), 13);
    expect(s[1]).toBeCloseTo(-(inv[1][0] * r[0] + inv[1][1] * r[1]), 13);
    const into = g.scoreInto(x, new Float64Array(2));
    expect(into[0]).toBeCloseTo(s[0], 13);
    expect(into[1]).toBeCloseTo(s[1], 13);
    expect(g.logDetCov()).toBeCloseTo(Math.log(det), 14);
    expect(g.precision.data[1]).toBeCloseTo(inv[0][1], 14);
    expect(g.precision).toBe(g.precision); // cached
    expect(g.fisherInformation()).toBeCloseTo(inv[0][0] + inv[1][1], 13);
  });

  test('a draw is μ + L ξ with the lower Cholesky factor; sample() stacks rows', () => {
    const out = g.sampleInto(scripted([0.3, -1.2]), new Float64Array(2));
    expect(out[0]).toBeCloseTo(mu[0] + L[0][0] * 0.3, 14);
    expect(out[1]).toBeCloseTo(mu[1] + L[1][0] * 0.3 + L[1][1] * -1.2, 14);
    const rows = g.sample(scripted([0.3, -1.2, 1, 0]), 2);
    expect(rows.length).toBe(4);
    expect(rows[1]).toBeCloseTo(out[1], 14);
    expect(rows[2]).toBeCloseTo(mu[0] + L[0][0], 14);
    expect(rows[3]).toBeCloseTo(mu[1] + L[1][0], 14);
  });

  test('validation: finite mean, matching and non-empty dimension, SPD, x of the right length', () => {
    expect(() => new Gaussian([1, Number.NaN], fromRows([[1, 0], [0, 1]]))).toThrow(InvalidArgumentError);
    expect(() => new Gaussian([1, 2], fromRows([[1]]), 'g')).toThrow(/g\.cov/);
    expect(() => new Gaussian([], zeros(0, 0))).toThrow(InvalidArgumentError);
    expect(() => new Gaussian([0, 0], fromRows([[1, 2], [2, 1]]))).toThrow(NotSPDError);
    expect(() => g.logPdf([1])).toThrow(DimensionMismatchError);
    expect(() => g.score([1, 2, 3])).toThrow(DimensionMismatchError);
    expect(() => g.scoreInto([1], new Float64Array(2))).toThrow(DimensionMismatchError);
  });
});

describe('Gaussian mixture, 1-d, against hand densities', () => {
  const w = [0.25, 0.75], ms = [-1, 2], vs = [0.5, 2];
  const mix = new GaussianMixture(w, ms.map((m, k) => new Gaussian([m], fromRows([[vs[k]]]))));
  const dens = (x: number, k: number) => (w[k] * Math.exp(-((x - ms[k]) ** 2) / (2 * vs[k]))) / Math.sqrt(2 * Math.PI * vs[k]);

  test('log density, responsibilities and score Σ r_k (μ_k − x)/σ_k²', () => {
    const x = 0.7, p = dens(x, 0) + dens(x, 1);
    expect(mix.logPdf([x])).toBeCloseTo(Math.log(p), 13);
    const r = mix.responsibilities([x]);
    expect(r[0]).toBeCloseTo(dens(x, 0) / p, 13);
    expect(r[1]).toBeCloseTo(dens(x, 1) / p, 13);
    const want = (dens(x, 0) * (ms[0] - x)) / vs[0] / p + (dens(x, 1) * (ms[1] - x)) / vs[1] / p;
    expect(mix.score([x])[0]).toBeCloseTo(want, 13);
    expect(() => mix.logPdf([1, 2])).toThrow(DimensionMismatchError);
    expect(() => mix.scoreInto([1, 2], new Float64Array(1))).toThrow(DimensionMismatchError);
  });

  test('far in the tail the widest component takes all the weight (log-space responsibilities, no 0/0)', () => {
    // at x = −60 both densities underflow; log π_k N_k: −3481 − … vs −961 − …
    const r = mix.responsibilities([-60]);
    expect(r[1]).toBeCloseTo(1, 12);
    expect(mix.score([-60])[0]).toBeCloseTo((ms[1] + 60) / vs[1], 10);
  });

  test('component pick by the uniform: u < π_1 → first, u = π_1 → second; the draw is that component\'s', () => {
    const pick = (u: number) => mix.sampleInto(scripted([0], [u]), new Float64Array(1))[0];
    expect(pick(0.2)).toBe(-1);
    expect(pick(0.25)).toBe(2);
    expect(pick(0.9999999)).toBe(2);
    expect(mix.sampleInto(scripted([1.5], [0.1]), new Float64Array(1))[0]).toBeCloseTo(-1 + Math.sqrt(0.5) * 1.5, 14);
    expect(Array.from(mix.sample(scripted([0], [0.1, 0.9]), 2))).toEqual([-1, 2]);
  });

  test('weights: positive, one per component, summing to 1 within 1e-9 (then renormalized)', () => {
    const comps = mix.components;
    expect(() => new GaussianMixture([], [])).toThrow(InvalidArgumentError);
    expect(() => new GaussianMixture([1], comps)).toThrow(DimensionMismatchError);
    expect(() => new GaussianMixture([0, 1], comps)).toThrow('mixture.weights[0]: must be > 0 (got 0)');
    expect(() => new GaussianMixture([0.5, 0.6], comps)).toThrow(/must sum to 1/);
    expect(() => new GaussianMixture([0.5, Number.NaN], comps)).toThrow('mixture.weights[1]: must be a finite number (got NaN)');
    const nearly = new GaussianMixture([0.5, 0.5 + 5e-10], comps);
    expect(nearly.weights[0] + nearly.weights[1]).toBeCloseTo(1, 15);
    expect(nearly.weights[0]).toBeCloseTo(0.5 / (1 + 5e-10), 15);
    expect(nearly.logWeights[1]).toBeCloseTo(Math.log(nearly.weights[1]), 15);
    const g2 = new Gaussian([0, 0], fromRows([[1, 0], [0, 1]]));
    expect(() => new GaussianMixture([0.5, 0.5], [comps[0], g2])).toThrow(/components\[1\]/);
  });

  test('logSumExp is stable and handles empty and all −∞ inputs', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logSumExp([-1000, 0])).toBeCloseTo(0, 15);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    expect(logSumExp([Math.log(2), Math.log(3)])).toBeCloseTo(Math.log(5), 15);
  });
});
