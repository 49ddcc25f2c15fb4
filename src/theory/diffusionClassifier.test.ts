import { describe, expect, test } from 'vitest';
import { scriptedRng } from '../../properties/support/scriptedRng.ts';
import { vpFromBetas } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { fromRows } from '../linalg/index.ts';
import {
  bayesLogits, bayesPosterior, classModel, classifierKlBound, classifierKlSamples, diffusionClassifierLogits, diffusionClassifierPosterior,
  logitPerturbationTvBound, totalVariation,
} from './diffusionClassifier.ts';
import { ddpmElbo } from './elbo.ts';

/* Li & Yan 2024, application 3, in 1-d with two classes, against hand formulas and per-draw identities. */
const classes = [new Gaussian([-1], fromRows([[0.5]])), new Gaussian([1.5], fromRows([[2]]))];
const pi = [0.3, 0.7];
const schedule = vpFromBetas([0.1, 0.2, 0.3]);
const logN = (x: number, m: number, v: number) => -0.5 * (Math.log(2 * Math.PI * v) + (x - m) ** 2 / v);

describe('diffusion classifier', () => {
  test('Bayes logits and posterior by hand', () => {
    const x = 0.2;
    const l = [Math.log(0.3) + logN(x, -1, 0.5), Math.log(0.7) + logN(x, 1.5, 2)];
    const got = bayesLogits(classes, pi, [x]);
    expect(got[0]).toBeCloseTo(l[0], 14);
    expect(got[1]).toBeCloseTo(l[1], 14);
    expect(bayesPosterior(classes, pi, [x])[0]).toBeCloseTo(1 / (1 + Math.exp(l[1] - l[0])), 14);
  });

  test('class models (standard prior and β by default) and logits log π + ELBO', () => {
    const m = classModel(classes[1], schedule);
    expect(m.variance).toBe('beta');
    expect(Array.from(m.prior.mean)).toEqual([0]);
    const mm = classModel(classes[1], schedule, { prior: 'model-marginal', variance: 'betaTilde' });
    expect(mm.variance).toBe('betaTilde');
    expect(mm.prior.mean[0]).toBeCloseTo(Math.sqrt(0.9 * 0.8 * 0.7) * 1.5, 14);
    const l = diffusionClassifierLogits(classes, pi, schedule, [0.2]);
    expect(l[1]).toBeCloseTo(Math.log(0.7) + ddpmElbo(m, schedule, { mean: [0.2] }).elbo, 13);
    const p = diffusionClassifierPosterior(classes, pi, schedule, [0.2]);
    expect(p[0] + p[1]).toBeCloseTo(1, 15);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(l[1] - l[0])), 14);
  });

  test('TV and the logit-perturbation bound tanh(R/4): by hand, and TV ≤ bound on perturbed logits', () => {
    expect(totalVariation([0.2, 0.8], [0.5, 0.5])).toBeCloseTo(0.3, 15);
    expect(logitPerturbationTvBound([0, 1], [0.5, 0])).toBeCloseTo(Math.tanh(1.5 / 4), 15);
    const soft = (l: number[]) => { const z = Math.log(l.reduce((s, v) => s + Math.exp(v), 0)); return l.map((v) => Math.exp(v - z)); };
    for (const [b, c] of [[[0, 1, -2], [0.5, 0.2, -1]], [[3, -1, 0], [-2, 4, 0]]]) {
      expect(totalVariation(soft(b), soft(c))).toBeLessThanOrEqual(logitPerturbationTvBound(b, c) + 1e-15);
    }
    // attained by the two-point extremal: p = (σ(R/2), σ(−R/2)), logit errors ∓R/2 give p̂ = (σ(−R/2), σ(R/2)), TV = tanh(R/4)
    const R = 2, p1 = 1 / (1 + Math.exp(-R / 2)), b = [Math.log(p1), Math.log(1 - p1)];
    expect(totalVariation(soft(b), soft([b[0] - R / 2, b[1] + R / 2]))).toBeCloseTo(logitPerturbationTvBound(b, [b[0] - R / 2, b[1] + R / 2]), 14);
    expect(() => totalVariation([1], [0.5, 0.5])).toThrow(DimensionMismatchError);
    expect(() => logitPerturbationTvBound([1], [0.5, 0.5])).toThrow(DimensionMismatchError);
  });

  test('KL bound B_T = Σ π_c (−H(q_c) − E ELBO_c) ≥ 0, with its rounding floor', () => {
    const { bound, roundingFloor } = classifierKlBound(classes, pi, schedule);
    const want = classes.reduce((s, c, k) => s + pi[k] * (-0.5 * (Math.log(2 * Math.PI * Math.E) + c.logDetCov()) - ddpmElbo(classModel(c, schedule), schedule, { mean: c.mean, cov: c.cov }).elbo), 0);
    expect(bound).toBeCloseTo(want, 12);
    expect(bound).toBeGreaterThan(0);
    expect(roundingFloor).toBeGreaterThan(0);
    expect(roundingFloor).toBeLessThan(1e-10 * (1 + Math.abs(want)) + 1e-9);
  });

  test('KL samples draw by draw: class by the uniform, x = μ_c + σ_c ξ, KL(p(·|x) ‖ p̂(·|x)) from the two posteriors', () => {
    // uniforms 0.1 → class 0, 0.9 → class 1; normals 0.5, −1
    const r = classifierKlSamples(classes, pi, schedule, scriptedRng([0.5, -1], [0.1, 0.9]), 2);
    const xs = [-1 + Math.sqrt(0.5) * 0.5, 1.5 + Math.sqrt(2) * -1];
    xs.forEach((x, s) => {
      const p = bayesPosterior(classes, pi, [x]), q = diffusionClassifierPosterior(classes, pi, schedule, [x]);
      expect(r.kl[s]).toBeCloseTo(p[0] * Math.log(p[0] / q[0]) + p[1] * Math.log(p[1] / q[1]), 9);
    });
    expect(r.roundingFloor).toBeGreaterThan(0);
    // a classifier with a wrong prior: the same draws, its own p̂
    const w = classifierKlSamples(classes, pi, schedule, scriptedRng([0.5, -1], [0.1, 0.9]), 2, { classifierWeights: [0.5, 0.5] });
    const p = bayesPosterior(classes, pi, [xs[0]]), q = diffusionClassifierPosterior(classes, [0.5, 0.5], schedule, [xs[0]]);
    expect(w.kl[0]).toBeCloseTo(p[0] * Math.log(p[0] / q[0]) + p[1] * Math.log(p[1] / q[1]), 9);
  });

  test('validation by field', () => {
    expect(() => bayesLogits([classes[0]], [1], [0])).toThrow(/^classes/);
    expect(() => bayesLogits(classes, [1], [0])).toThrow(DimensionMismatchError);
    expect(() => bayesLogits(classes, [0.3, 0], [0])).toThrow('weights[1]: must be > 0 (got 0)');
    expect(() => bayesLogits(classes, pi, [Number.NaN])).toThrow(InvalidArgumentError);
    expect(() => bayesLogits(classes, pi, [0, 1])).toThrow(/classes\[0\]/);
    expect(() => classifierKlBound(classes, [0.3, 0.6], schedule)).toThrow('weights: must sum to 1 (got 0.8999999999999999)');
    expect(() => classifierKlSamples(classes, pi, schedule, scriptedRng([0]), 0)).toThrow(/^n/);
    expect(classifierKlSamples(classes, pi, schedule, scriptedRng([0]), 1).kl.length).toBe(1);
  });
});
