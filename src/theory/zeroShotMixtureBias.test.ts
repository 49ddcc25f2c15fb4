import { describe, expect, test } from 'vitest';
import { add, inverse, logAbsDet, mul, mv, randomOrthogonal, tr, withSpectrum } from '../../properties/support/denseRoutes.ts';
import { InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { GaussianMixture } from '../gaussian/mixture.ts';
import { fromRows } from '../linalg/index.ts';
import { createRng } from '../mc/rng.ts';
import { linearInverseProblem } from '../models/linearInverseProblem.ts';
import { isMixturePosterior } from './inverseProblem.ts';
import { posteriorOf } from './zeroShotMixtureBias.ts';

/*
 * posteriorOf against Bayes' rule written out with test-side dense algebra (properties/support/denseRoutes.ts):
 *  σ_y > 0: the information form Σ_post = (Σ⁻¹ + HᵀH/σ²)⁻¹, μ_post = Σ_post(Σ⁻¹μ + Hᵀy/σ²); evidence N(y; Hμ, HΣHᵀ + σ²I);
 *  σ_y = 0: Gaussian conditioning on Hx = y (Schur complement) Σ − ΣHᵀ(HΣHᵀ)⁻¹HΣ, μ + ΣHᵀ(HΣHᵀ)⁻¹(y − Hμ);
 *  mixtures: each component's posterior, weights ∝ π_k N(y; Hμ_k, HΣ_kHᵀ + σ²I).
 */
const rng = createRng('posterior-of');
const d = 4;
const vec = (n: number) => Array.from({ length: n }, () => rng.normal());
const spd = () => withSpectrum(randomOrthogonal(d, rng), [3, 1.5, 0.7, 0.2]);
const H = [vec(d), vec(d)], y = vec(2);

function bayes(mu: number[], S: number[][], sigma: number) {
  const HS = mul(H, S), C = add(mul(HS, tr(H)), H.map((_, i) => H.map((__, j) => (i === j ? sigma * sigma : 0))));
  const r = y.map((v, i) => v - mv(H, mu)[i]);
  let mean: number[], cov: number[][];
  if (sigma > 0) {
    const Si = inverse(S);
    cov = inverse(add(Si, mul(tr(H), H), 1 / sigma ** 2));
    mean = mv(cov, mv(Si, mu).map((v, i) => v + mv(tr(H), y)[i] / sigma ** 2));
  } else {
    const K = mul(tr(HS), inverse(C));
    cov = add(S, mul(K, HS), -1);
    mean = mu.map((v, i) => v + mv(K, r)[i]);
  }
  const logEvidence = -0.5 * (r.length * Math.log(2 * Math.PI) + logAbsDet(C) + mv(inverse(C), r).reduce((s, v, i) => s + v * r[i], 0));
  return { mean, cov, logEvidence };
}
const gauss = (mu: number[], S: number[][]) => new Gaussian(mu, fromRows(S.map((r, i) => r.map((v, j) => 0.5 * (v + S[j][i])))));
const sym = (S: number[][]) => S.map((r, i) => r.map((v, j) => 0.5 * (v + S[j][i])));
const close = (got: ArrayLike<number>, want: number[], k = 1e-10) => want.every((w, i) => Math.abs(got[i] - w) <= k * Math.max(1, Math.abs(w)));

describe('posteriorOf against Bayes’ rule', () => {
  for (const sigma of [0.5, 0.05, 0]) {
    test(`Gaussian prior, σ_y = ${sigma}: mean and covariance (information form / conditioning), evidence for σ_y > 0`, () => {
      const mu = vec(d), S = sym(spd()), want = bayes(mu, S, sigma);
      const post = posteriorOf(gauss(mu, S), linearInverseProblem(fromRows(H), sigma, y));
      if (isMixturePosterior(post)) throw new Error('expected a Gaussian posterior');
      expect(close(post.mean, want.mean)).toBe(true);
      expect(close(post.cov.data, want.cov.flat())).toBe(true);
      if (sigma > 0) expect(Math.abs(post.logEvidence - want.logEvidence)).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(want.logEvidence)));
      // Negative control: the prior itself (no update) and the update with σ_y² → σ_y are rejected.
      expect(close(post.mean, mu)).toBe(false);
      if (sigma > 0) expect(close(post.cov.data, bayes(mu, S, Math.sqrt(sigma)).cov.flat())).toBe(false);
    });
  }

  test('mixture prior (σ_y = 0.3): each component’s posterior and the weights π_k N(y; Hμ_k, HΣ_kHᵀ + σ²I), normalized', () => {
    const pis = [0.2, 0.5, 0.3], comps = pis.map(() => ({ mu: vec(d).map((v) => 2 * v), S: sym(spd()) }));
    const post = posteriorOf(new GaussianMixture(pis, comps.map((c) => gauss(c.mu, c.S))), linearInverseProblem(fromRows(H), 0.3, y));
    if (!isMixturePosterior(post)) throw new Error('expected a mixture posterior');
    const each = comps.map((c) => bayes(c.mu, c.S, 0.3));
    const logs = each.map((e, k) => Math.log(pis[k]) + e.logEvidence), mx = Math.max(...logs);
    const z = logs.reduce((s, l) => s + Math.exp(l - mx), 0), w = logs.map((l) => Math.exp(l - mx) / z);
    expect(close(post.weights, w, 1e-10)).toBe(true);
    post.components.forEach((c, k) => { expect(close(c.mean, each[k].mean)).toBe(true); expect(close(c.cov.data, each[k].cov.flat())).toBe(true); });
    // Negative control: the prior weights (no evidence) are rejected.
    expect(close(post.weights, pis, 1e-3)).toBe(false);
  });

  test('anything else is a typed error naming the prior', () => {
    expect(() => posteriorOf({} as Gaussian, linearInverseProblem(fromRows(H), 0.3, y))).toThrow(InvalidArgumentError);
  });
});
