import { describe, expect, test } from 'vitest';
import { vpFromBetas } from '../diffusion/schedule.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { GaussianMixture } from '../gaussian/mixture.ts';
import { diag, fromRows, zeros } from '../linalg/index.ts';
import { linearInverseProblem } from '../models/linearInverseProblem.ts';
import { forwardCovarianceGivenY, gaussianPosterior, inverseProblemGeometry, isMixturePosterior, mixturePosterior, posteriorMarginalAt } from './inverseProblem.ts';
import { ZERO_SHOT_KINDS, correctionFn, nullSpaceLeak, optimalCorrection, zeroShotAffineGuidance, zeroShotCorrection, zeroShotGuidance } from './zeroShot.ts';

/*
 * y = H x_0 + n with H = [2, 0] (p = 1, d = 2) and a diagonal Gaussian prior: x_1 is observed,
 * x_2 is not, so every quantity is a scalar conjugate-Gaussian formula (MATH.md §4).
 */
const mu = [0.5, -1], v = [1.5, 0.8];
const prior = new Gaussian(mu, diag(v));
const H = fromRows([[2, 0]]);
const logN = (x: number, m: number, s2: number) => -0.5 * (Math.log(2 * Math.PI * s2) + (x - m) ** 2 / s2);

describe('Gaussian posterior of a linear inverse problem, any rank, σ_y ≥ 0', () => {
  test('σ_y = 0.5: conjugate update of x_1, x_2 untouched, evidence N(y; 2μ_1, 4v_1 + σ²)', () => {
    const y = 1.7, s2 = 0.25;
    const post = gaussianPosterior(prior, linearInverseProblem(H, 0.5, [y]));
    const prec = 1 / v[0] + 4 / s2;
    expect(post.mean[0]).toBeCloseTo((mu[0] / v[0] + (2 * y) / s2) / prec, 13);
    expect(post.cov.data[0]).toBeCloseTo(1 / prec, 13);
    expect(post.mean[1]).toBeCloseTo(mu[1], 14);
    expect(post.cov.data[3]).toBeCloseTo(v[1], 14);
    expect(post.cov.data[1]).toBeCloseTo(0, 14);
    expect(post.logEvidence).toBeCloseTo(logN(y, 2 * mu[0], 4 * v[0] + s2), 12);
  });

  test('σ_y = 0: x_1 = y/2 exactly; evidence is the density of N(2μ_1, 4v_1) on range(H)', () => {
    const post = gaussianPosterior(prior, linearInverseProblem(H, 0, [1.7]));
    expect(post.mean[0]).toBeCloseTo(0.85, 14);
    expect(post.cov.data[0]).toBeCloseTo(0, 14);
    expect(post.logEvidence).toBeCloseTo(logN(1.7, 2 * mu[0], 4 * v[0]), 12);
  });

  test('repeated rows (rank 1 of p = 2), σ_y > 0: the evidence is the full 2-d Gaussian density of y', () => {
    const H2 = fromRows([[2, 0], [2, 0]]);
    const y = [1.7, 1.2], s2 = 0.25;
    const post = gaussianPosterior(prior, linearInverseProblem(H2, 0.5, y));
    const S = new Gaussian([2 * mu[0], 2 * mu[0]], fromRows([[4 * v[0] + s2, 4 * v[0]], [4 * v[0], 4 * v[0] + s2]]));
    expect(post.logEvidence).toBeCloseTo(S.logPdf(y), 11);
    // two looks at x_1, each with noise σ²: precision 1/v + 2·4/σ²
    expect(post.cov.data[0]).toBeCloseTo(1 / (1 / v[0] + 8 / s2), 13);
  });

  test('H = 0: the posterior is the prior; the evidence is the noise density of y', () => {
    const post = gaussianPosterior(prior, linearInverseProblem(zeros(1, 2), 0.5, [0.3]));
    expect(Array.from(post.mean)).toEqual(mu);
    expect(post.logEvidence).toBeCloseTo(logN(0.3, 0, 0.25), 13);
  });

  test('mixture prior: components updated, reweighted by π_k N(y; 2μ_k, 4v_k + σ²)', () => {
    const mix = new GaussianMixture([0.3, 0.7], [new Gaussian([-1, 0], diag([0.5, 1])), new Gaussian([1, 0], diag([2, 1]))]);
    const y = 0.9, s2 = 0.25;
    const post = mixturePosterior(mix, linearInverseProblem(H, 0.5, [y]));
    expect(isMixturePosterior(post)).toBe(true);
    expect(isMixturePosterior(gaussianPosterior(prior, linearInverseProblem(H, 0.5, [y])))).toBe(false);
    const w = [0.3 * Math.exp(logN(y, -2, 2 + s2)), 0.7 * Math.exp(logN(y, 2, 8 + s2))];
    expect(post.weights[0]).toBeCloseTo(w[0] / (w[0] + w[1]), 13);
    const q = posteriorMarginalAt(post, vpFromBetas([0.2, 0.3]), 2) as GaussianMixture;
    expect(q.weights[1]).toBeCloseTo(w[1] / (w[0] + w[1]), 13);
    const ab = 0.8 * 0.7;
    expect(q.components[0].cov.data[3]).toBeCloseTo(ab * 1 + 1 - ab, 13);
  });
});

describe('zero-shot corrections and guidance (DDNM, BO-DDNM, optimal)', () => {
  const schedule = vpFromBetas([0.1, 0.2, 0.3]);
  const t = 2, ab = 0.9 * 0.8, y = 1.7, sigmaY = 0.5;
  const geom = inverseProblemGeometry(linearInverseProblem(H, sigmaY, [y]));

  test('geometry: H† = (1/2, 0)ᵀ, P = diag(1, 0), H†y, rank 1; Σ_{t|0,y} = ᾱσ²H†H†ᵀ + (1 − ᾱ)I', () => {
    expect(geom.rank).toBe(1);
    expect(Array.from(geom.Hpinv.data)).toEqual([0.5, 0].map((x) => expect.closeTo(x, 15)));
    expect(Array.from(geom.rowProjector.data)).toEqual([1, 0, 0, 0].map((x) => expect.closeTo(x, 15)));
    expect(Array.from(geom.nullProjector.data)).toEqual([0, 0, 0, 1].map((x) => expect.closeTo(x, 15)));
    expect(geom.HpinvY[0]).toBeCloseTo(0.85, 15);
    const S = forwardCovarianceGivenY(geom, ab);
    expect(S.data[0]).toBeCloseTo(ab * 0.25 * 0.25 + 1 - ab, 15);
    expect(S.data[3]).toBeCloseTo(1 - ab, 15);
  });

  test('DDNM f = (√ᾱ H†y − Px)/(1 − ᾱ); BO-DDNM f = Σ_{t|0,y}⁻¹(√ᾱ H†y − Px); both admissible', () => {
    const dd = zeroShotCorrection(geom, schedule, t, 'ddnm');
    expect(dd.A.data[0]).toBeCloseTo(-1 / (1 - ab), 13);
    expect(dd.A.data[3]).toBeCloseTo(0, 15);
    expect(dd.b[0]).toBeCloseTo((Math.sqrt(ab) * 0.85) / (1 - ab), 13);
    const k = 1 / (ab * 0.25 * 0.25 + 1 - ab);
    const bo = zeroShotCorrection(geom, schedule, t, 'bo-ddnm');
    expect(bo.A.data[0]).toBeCloseTo(-k, 13);
    expect(bo.b[0]).toBeCloseTo(Math.sqrt(ab) * 0.85 * k, 13);
    expect(nullSpaceLeak(geom, dd)).toBeCloseTo(0, 15);
    expect(nullSpaceLeak(geom, bo)).toBeCloseTo(0, 15);
    expect(nullSpaceLeak(geom, { A: fromRows([[0, 0], [0.25, 0]]), b: Float64Array.from([0, -0.5]) })).toBe(0.5);
    expect(ZERO_SHOT_KINDS).toEqual(['ddnm', 'bo-ddnm', 'optimal']);
  });

  test('guidance (I − P)∇log q_t + f at a point, function and affine forms, for every kind', () => {
    const post = gaussianPosterior(prior, geom.problem);
    const x = Float64Array.from([0.4, -0.3]);
    const a = Math.sqrt(ab), s2 = 1 - ab;
    const nullPart = -(x[1] - a * mu[1]) / (ab * v[1] + s2); // coordinate 2: the prior's marginal score
    const rowPart = {
      ddnm: (a * 0.85 - x[0]) / (1 - ab),
      'bo-ddnm': (a * 0.85 - x[0]) / (ab * 0.25 * 0.25 + 1 - ab),
      optimal: -(x[0] - a * post.mean[0]) / (ab * post.cov.data[0] + s2), // P ∇log q̃_t
    };
    for (const kind of ZERO_SHOT_KINDS) {
      const g = zeroShotGuidance(geom, prior, schedule, correctionFn(geom, post, schedule, kind))(x, t);
      expect(g[0]).toBeCloseTo(rowPart[kind], 12);
      expect(g[1]).toBeCloseTo(nullPart, 12);
      const m = zeroShotAffineGuidance(geom, prior, post, schedule, kind)(t);
      expect(m.A.data[0] * x[0] + m.A.data[1] * x[1] + m.b[0]).toBeCloseTo(rowPart[kind], 12);
      expect(m.A.data[2] * x[0] + m.A.data[3] * x[1] + m.b[1]).toBeCloseTo(nullPart, 12);
    }
    expect(optimalCorrection(geom, post, schedule, t)(x)[1]).toBeCloseTo(0, 15);
    // corrections are built once per t: a second call at the same t gives the same values
    const f = correctionFn(geom, post, schedule, 'ddnm');
    expect(f(x, t)[0]).toBe(f(x, t)[0]);
    const mixPost = mixturePosterior(new GaussianMixture([0.5, 0.5], [prior, new Gaussian([0, 0], diag([1, 1]))]), geom.problem);
    expect(() => zeroShotAffineGuidance(geom, prior, mixPost, schedule, 'optimal')(t)).toThrow(TypeError);
  });
});
