import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { type InverseProblemCase, inverseProblemCase, mcSeed } from '../src/arbitraries/index.ts';
import { defaultMixtureProblem, matchedBeatsZeroShotMixture } from '../src/claims/liang2025/mixture.ts';
import { scaledLinearSchedule } from '../src/diffusion/schedule.ts';
import type { GaussianMixture } from '../src/gaussian/mixture.ts';
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

  test('the claim’s check passes on the default problem and exposes its test (z against the t critical value)', () => {
    const { prior, problem } = defaultMixtureProblem(0.3);
    const out = matchedBeatsZeroShotMixture.check({ ip: { prior, problem }, T: 50, seed: 1 }, { falseAlarm: ALPHA, replicate: 0 });
    expect(out.holds).toBe(true);
    expect(out.maxError).toBeLessThanOrEqual(out.tolerance as number);
  });
});
