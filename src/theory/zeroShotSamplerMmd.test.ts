import { describe, expect, test } from 'vitest';
import { vpFromBetas } from '../diffusion/schedule.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { GaussianMixture } from '../gaussian/mixture.ts';
import { diag, fromRows } from '../linalg/index.ts';
import { linearInverseProblem } from '../models/linearInverseProblem.ts';
import { gaussianPosterior, mixturePosterior } from './inverseProblem.ts';
import {
  DEFAULT_SAMPLER_MMD, POSTERIOR_SAMPLER_KINDS, posteriorAtoms, posteriorEmbedding, posteriorSamplerGuidance, samplePosteriorSampler,
  samplerMmd, samplerMmdDifference, samplerMmdDifferences,
} from './zeroShotSamplerMmd.ts';

/* y = 2 x_1 + n, diagonal prior: every guidance is a scalar formula per coordinate (MATH.md §4). */
const mu = [0.5, -1], v = [1.5, 0.8];
const prior = new Gaussian(mu, diag(v));
const problem = linearInverseProblem(fromRows([[2, 0]]), 0.5, [1.7]);
const post = gaussianPosterior(prior, problem);
const schedule = vpFromBetas([0.1, 0.2, 0.3]);
const settings = { samples: 256, blockSize: 8, variance: 'beta' as const, seed: 3 };

describe('zero-shot samplers on a posterior', () => {
  test('matched guidance = the posterior marginal score, unconditional = the prior marginal score', () => {
    const t = 2, ab = 0.72, a = Math.sqrt(ab), x = Float64Array.from([0.4, -0.3]);
    const m = posteriorSamplerGuidance('matched', prior, problem, post, schedule)(x, t);
    const u = posteriorSamplerGuidance('unconditional', prior, problem, post, schedule)(x, t);
    for (let i = 0; i < 2; i++) {
      expect(m[i]).toBeCloseTo(-(x[i] - a * post.mean[i]) / (ab * post.cov.data[i * 3] + 1 - ab), 12);
      expect(u[i]).toBeCloseTo(-(x[i] - a * mu[i]) / (ab * v[i] + 1 - ab), 12);
    }
    // a zero-shot kind: its row part is DDNM's (√ᾱ H†y − x_1)/(1 − ᾱ)
    expect(posteriorSamplerGuidance('ddnm', prior, problem, post, schedule)(x, t)[0]).toBeCloseTo((a * 0.85 - x[0]) / (1 - ab), 12);
    expect(POSTERIOR_SAMPLER_KINDS).toEqual(['matched', 'optimal', 'bo-ddnm', 'ddnm']);
    expect(DEFAULT_SAMPLER_MMD).toEqual({ samples: 4096, blockSize: 32, variance: 'seed' });
  });

  test('posterior atoms (zero-weight components dropped) and the embedding\'s bandwidth set by the prior', () => {
    expect(posteriorAtoms(post)).toHaveLength(1);
    const mix = new GaussianMixture([0.5, 0.5], [prior, new Gaussian([300, 0], diag([0.01, 1]))]);
    const mp = mixturePosterior(mix, problem);
    expect(mp.weights[1]).toBe(0); // y = 1.7 is ~2e5 standard deviations from component 2's 2μ_1 = 600
    const atoms = posteriorAtoms(mp);
    expect(atoms).toHaveLength(1);
    expect(atoms[0].weight).toBe(1);
    expect(posteriorEmbedding(prior, post).bandwidth).toBeCloseTo(Math.sqrt((1.5 + 0.8) / 2), 14);
  });

  test('seeded draws are replayable; a sampler against itself differs by exactly 0 (common random numbers)', () => {
    const a = samplePosteriorSampler('ddnm', prior, problem, post, schedule, settings);
    expect(a.length).toBe(512);
    expect(Array.from(samplePosteriorSampler('ddnm', prior, problem, post, schedule, settings))).toEqual(Array.from(a));
    const [same, other] = samplerMmdDifferences('ddnm', ['ddnm', 'unconditional'], prior, problem, post, schedule, settings);
    expect(same.mean).toBe(0);
    expect(same.stderr).toBe(0);
    expect(same.n).toBe(32);
    // the unconditional sampler ignores y: its law is farther from the posterior than DDNM's
    expect(other.mean).toBeLessThan(-5 * other.stderr);
    const d = samplerMmdDifference('ddnm', 'unconditional', prior, problem, post, schedule, settings);
    expect(d.mean).toBe(other.mean);
    const m = samplerMmd('unconditional', prior, problem, post, schedule, settings);
    expect(m.mean).toBeGreaterThan(5 * m.stderr);
    expect(m.n).toBe(32);
  });
});
