import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { type AffineSamplerCase, affineSamplerCase } from '../src/arbitraries/index.ts';
import { type AffineGuidance, affineGuidanceFn, sampleReverse } from '../src/diffusion/reverseSampler.ts';
import { type ReverseVarianceKind, reverseVariance } from '../src/diffusion/reverseVariance.ts';
import { scaledLinearSchedule } from '../src/diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../src/errors.ts';
import { affineSquaredNormMoments } from '../src/gaussian/affineExpectation.ts';
import { Gaussian } from '../src/gaussian/gaussian.ts';
import { identity } from '../src/linalg/index.ts';
import { estimateFromSamples } from '../src/mc/estimate.ts';
import { perAssertionFalseAlarm } from '../src/mc/falseAlarmBudget.ts';
import { createRng } from '../src/mc/rng.ts';
import { criticalZ } from '../src/mc/tolerance.ts';
import { propagateAffineSampler } from '../src/theory/gaussianPropagation.ts';
import { perturbedMatchedGuidance } from '../src/theory/mismatch.ts';

// Family 'mismatch.mc': this file makes RUNS × 2 statistical assertions.
const RUNS = 15;
const ALPHA = perAssertionFalseAlarm('mismatch.mc');
const Z = criticalZ(ALPHA);
const N = 3000;

type SamplerCase = AffineSamplerCase;

const samplerCase = affineSamplerCase();

const guidanceOf = (c: SamplerCase): AffineGuidance => perturbedMatchedGuidance(c.target, scaledLinearSchedule(c.T), c.dA);

/** z-scores of ‖x_0‖² and x_0[0] from `sampleVariance` draws against the exact law propagated with `exactVariance`. */
function zScores(c: SamplerCase, sampleVariance: ReverseVarianceKind, exactVariance: ReverseVarianceKind): number[] {
  const s = scaledLinearSchedule(c.T);
  const d = c.target.dim;
  const g = guidanceOf(c);
  const exact = propagateAffineSampler(s, g, exactVariance, d)[0];
  const xs = sampleReverse(s, affineGuidanceFn(g), { variance: sampleVariance, dim: d, samples: N, rng: createRng(c.seed) });
  const sq = new Float64Array(N), first = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let q = 0;
    for (let j = 0; j < d; j++) q += xs[i * d + j] ** 2;
    sq[i] = q;
    first[i] = xs[i * d];
  }
  const m2 = affineSquaredNormMoments(identity(d), new Float64Array(d), exact.mean, exact.cov);
  const e2 = estimateFromSamples(sq), e1 = estimateFromSamples(first);
  // Exact per-draw variances: Var‖x‖² (MATH.md §1) and Var x[0] = S_00.
  return [(e2.mean - m2.mean) / Math.sqrt(m2.variance / N), (e1.mean - exact.mean[0]) / Math.sqrt(exact.cov.data[0] / N)];
}

describe('guided DDPM sampler (Liang et al. 2025, MATH.md §4)', () => {
  test.prop([samplerCase], { numRuns: RUNS })('seeded sampling agrees with the exact affine-Gaussian propagation', (c) => {
    for (const z of zScores(c, c.variance, c.variance)) expect(Math.abs(z)).toBeLessThanOrEqual(Z);
  });

  test('negative control: a sampler with the wrong reverse variance is rejected', () => {
    const c: SamplerCase = { target: new Gaussian([0.5, -0.5], identity(2)), dA: [0, 0, 0, 0], T: 4, variance: 'seed', seed: 7 };
    const z = zScores(c, 'beta', 'seed');
    expect(Math.max(...z.map(Math.abs))).toBeGreaterThan(Z);
  });

  test.prop([fc.integer({ min: 1, max: 400 }).chain((T) => fc.tuple(fc.constant(T), fc.integer({ min: 1, max: T })))])(
    'reverse variances: seed ≥ β ≥ β̃ > 0 except β̃_1 = 0',
    ([T, t]) => {
      const s = scaledLinearSchedule(T);
      const seed = reverseVariance(s, t, 'seed'), beta = reverseVariance(s, t, 'beta'), post = reverseVariance(s, t, 'posterior');
      expect(seed).toBeGreaterThanOrEqual(beta);
      expect(beta).toBeGreaterThanOrEqual(post);
      if (t === 1) expect(post).toBe(0);
      else expect(post).toBeGreaterThan(0);
    },
  );

  test('bad input: typed errors name the field', () => {
    const s = scaledLinearSchedule(5);
    expect(() => sampleReverse(s, (x) => x, { variance: 'seed', dim: 0, samples: 1, rng: createRng(1) })).toThrow(InvalidArgumentError);
    expect(() => propagateAffineSampler(s, () => ({ A: identity(3), b: new Float64Array(3) }), 'seed', 2)).toThrow(DimensionMismatchError);
    expect(() => reverseVariance(s, 1, 'bogus' as ReverseVarianceKind)).toThrow(/reverseVariance.kind/);
  });
});
