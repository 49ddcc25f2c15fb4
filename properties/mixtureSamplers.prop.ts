import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { type InverseProblemCase, inverseProblemCase, mcSeed } from '../src/arbitraries/index.ts';
import { defaultMixtureProblem, matchedBeatsZeroShotMixture } from '../src/claims/liang2025/mixture.ts';
import { scaledLinearSchedule } from '../src/diffusion/schedule.ts';
import { Gaussian } from '../src/gaussian/gaussian.ts';
import { GaussianMixture } from '../src/gaussian/mixture.ts';
import { fromRows } from '../src/linalg/index.ts';
import { linearInverseProblem } from '../src/models/linearInverseProblem.ts';
import { perAssertionFalseAlarm } from '../src/mc/falseAlarmBudget.ts';
import { criticalT } from '../src/mc/tolerance.ts';
import { mixturePosterior } from '../src/theory/inverseProblem.ts';
import { DEFAULT_SAMPLER_MMD, samplePosteriorSampler, samplerMmdDifference } from '../src/theory/zeroShotSamplerMmd.ts';

// Family 'liang2025.mixture.mc' (shared with the claims): one statistical assertion per test below.
const ALPHA = perAssertionFalseAlarm('liang2025.mixture.mc');

describe('zero-shot samplers on mixture priors: seeded sampling and MMD² to the posterior (MATH.md §4)', () => {
  test.prop([inverseProblemCase({ priorKind: 'mixture', maxDim: 3, sigmaY: 0 }), fc.constantFrom(5, 10), mcSeed()], { numRuns: 10 })(
    'σ_y = 0: BO-DDNM and DDNM draw the same points from the same seed (to rounding)',
    (ip, T, seed) => {
      const c = ip as InverseProblemCase<GaussianMixture>;
      const post = mixturePosterior(c.prior, c.problem);
      const s = { ...DEFAULT_SAMPLER_MMD, samples: 64, seed };
      const a = samplePosteriorSampler('bo-ddnm', c.prior, c.problem, post, scaledLinearSchedule(T), s);
      const b = samplePosteriorSampler('ddnm', c.prior, c.problem, post, scaledLinearSchedule(T), s);
      const scale = Math.max(1, ...Array.from(a, Math.abs));
      a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(1e-9 * scale));
    },
  );

  test('negative control for liang2025.mixture.matched-le-zero-shot: the prior’s score (y ignored) is significantly farther than DDNM', () => {
    const { prior, problem, post } = defaultMixtureProblem(0.3);
    const diff = samplerMmdDifference('unconditional', 'ddnm', prior, problem, post, scaledLinearSchedule(50), { ...DEFAULT_SAMPLER_MMD, samples: 2048, seed: 3 });
    expect(diff.mean / diff.stderr).toBeGreaterThan(criticalT(ALPHA, diff.n - 1));
  });

  const zeroShotOf = (ip: InverseProblemCase<GaussianMixture>, T: number) => ({
    ip, T, t: 1, scales: { beta1: 0, noiseMin2: 0, noiseMax2: 0, priorMin: 0, priorMax: 0, residual: 0 },
  });

  test('the claim’s Monte Carlo branch (K = 2) holds on the default problem and reports z, its critical value and the detectable discrepancy', () => {
    const { prior, problem } = defaultMixtureProblem(0.3);
    const out = matchedBeatsZeroShotMixture.check({ z: zeroShotOf({ prior, problem }, 50), seed: 1 }, { falseAlarm: ALPHA, replicate: 0 });
    expect(out.holds).toBe(true);
    expect(out.assertions).toBe(3);
    expect(out.z!).toBeLessThanOrEqual(out.zCritical!); // one-sided: only a matched sampler significantly farther fails
    expect(out.detectable?.power).toBe(0.99);
  });

  test('one-component priors are compared in closed form: DDNM’s bias cancels the matched sampler’s discretization error (the refutation, exact)', () => {
    // d = 1, N(0, 3.5566), H = [1], σ_y² = β₁(T = 50) = 0.002, y near the prior mean: MMD²(matched) 5.8e-7 against MMD²(DDNM) ≈ 1e-10.
    const prior = new GaussianMixture([1], [new Gaussian([0], fromRows([[3.5566]]))]);
    const problem = linearInverseProblem(fromRows([[1]]), Math.sqrt(0.002), [0.0315]);
    const out = matchedBeatsZeroShotMixture.check({ z: zeroShotOf({ prior, problem }, 50), seed: 1 }, { falseAlarm: ALPHA, replicate: 0 });
    expect(out.assertions).toBe(0);
    expect(out.holds).toBe(false);
    expect(out.maxError).toBeGreaterThan(100);
    // The negative control of the exact branch: the same prior at a case where the zero-shot samplers are far off holds.
    const far = linearInverseProblem(fromRows([[1]]), 0.5, [3]);
    expect(matchedBeatsZeroShotMixture.check({ z: zeroShotOf({ prior, problem: far }, 50), seed: 1 }, { falseAlarm: ALPHA, replicate: 0 }).holds).toBe(true);
  });
});
