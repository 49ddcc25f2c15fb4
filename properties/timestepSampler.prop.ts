import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { simpleDouble } from '../src/arbitraries/index.ts';
import { createRng, perAssertionFalseAlarm } from '../src/mc/index.ts';
import { dkwTestContinuous, dkwTestDiscrete, minDiscrepancyDkw, minNumSamplesDkw } from '../src/mc/dkwTest.ts';
import { type TimestepSamplerSpec, continuousCdf, discreteProbabilities, importanceWeights, lossSecondMomentProbabilities } from '../src/theory/timestepDistribution.ts';

// MATH.md §7.5: the training timestep/σ distributions and the DKW test with a stated power.

const ALPHA = perAssertionFalseAlarm('training.mc');
/** A sampler implemented the way training scripts do, from a seeded generator. */
function draw(spec: TimestepSamplerSpec, T: number, n: number, seed: number, shift = 0): Float64Array {
  const rng = createRng(seed);
  const p = spec.kind === 'logit_normal' && !spec.discretize ? undefined : spec.kind === 'edm_lognormal' || spec.kind === 'uniform_continuous' ? undefined : discreteProbabilities(spec, T);
  return Float64Array.from({ length: n }, () => {
    if (spec.kind === 'logit_normal') {
      const u = 1 / (1 + Math.exp(-(spec.mean + shift + spec.std * rng.normal())));
      return spec.discretize ? Math.min(T - 1, Math.floor(u * T)) : u;
    }
    if (spec.kind === 'edm_lognormal') return Math.exp(spec.p_mean + shift + spec.p_std * rng.normal());
    if (spec.kind === 'uniform_continuous') return rng.uniform();
    // inverse-CDF draw from p
    let u = rng.uniform(), k = 0;
    while (k < T - 1 && u >= p![k]) { u -= p![k]; k++; }
    return k;
  });
}

describe('timestep distributions', () => {
  const discrete = fc.oneof(
    fc.constant<TimestepSamplerSpec>({ kind: 'uniform' }),
    fc.record({ mean: simpleDouble(-1, 1, 2), std: simpleDouble(0.3, 2, 2) }).map((r): TimestepSamplerSpec => ({ kind: 'logit_normal', ...r, discretize: true })),
  );
  test.prop([discrete, fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 2 ** 31 - 1 })], { numRuns: 30 })(
    'discrete laws sum to 1 and a correct sampler passes the DKW test sized for a 0.04 sup-CDF distance at 99 % power',
    (spec, T, seed) => {
      const p = discreteProbabilities(spec, T);
      expect(Math.abs(p.reduce((s, v) => s + v, 0) - 1)).toBeLessThanOrEqual(4 * T * Number.EPSILON);
      const n = minNumSamplesDkw(0.04, ALPHA);
      const r = dkwTestDiscrete(draw(spec, T, n, seed), p, ALPHA);
      expect(r.detectable).toBeLessThanOrEqual(0.04);
      expect(r.rejected).toBe(false);
    },
  );

  test.prop([fc.oneof(
    fc.record({ mean: simpleDouble(-1, 1, 2), std: simpleDouble(0.3, 2, 2) }).map((r): TimestepSamplerSpec => ({ kind: 'logit_normal', ...r })),
    fc.record({ p_mean: simpleDouble(-1.5, 0, 2), p_std: simpleDouble(0.5, 2, 2) }).map((r): TimestepSamplerSpec => ({ kind: 'edm_lognormal', ...r })),
  ), fc.integer({ min: 0, max: 2 ** 31 - 1 })], { numRuns: 20 })(
    'continuous laws: a correct sampler passes; one whose location is off by 0.15 std is rejected (power ≥ 99 % at this n)',
    (spec, seed) => {
      // A location shift δ (in std units) moves the CDF by up to δ·φ(0) = 0.06 > the 0.04 the test is sized for.
      const n = minNumSamplesDkw(0.04, ALPHA);
      expect(dkwTestContinuous(draw(spec, 1, n, seed), continuousCdf(spec), ALPHA).rejected).toBe(false);
      const std = spec.kind === 'logit_normal' ? spec.std : spec.kind === 'edm_lognormal' ? spec.p_std : 1;
      expect(dkwTestContinuous(draw(spec, 1, n, seed + 1, 0.15 * std), continuousCdf(spec), ALPHA).rejected).toBe(true);
    },
  );

  test('DKW sizing: n detects the stated discrepancy, and false alarms stay below α (α = 0.05, 400 replications)', () => {
    const n = minNumSamplesDkw(0.05, 1e-6);
    expect(minDiscrepancyDkw(n, 1e-6)).toBeLessThanOrEqual(0.05);
    expect(minDiscrepancyDkw(n - 1, 1e-6)).toBeGreaterThan(0.05);
    let rejections = 0;
    const spec: TimestepSamplerSpec = { kind: 'uniform_continuous' };
    for (let r = 0; r < 400; r++) if (dkwTestContinuous(draw(spec, 1, 200, 1000 + r), continuousCdf(spec), 0.05).rejected) rejections++;
    // DKW is conservative: P(reject) ≤ 0.05; 400 replications exceed 0.05·400 + 4.75·√(400·0.05·0.95) = 40.7 with prob < 1e-6.
    expect(rejections).toBeLessThanOrEqual(40);
  });

  test('negative control: t drawn from 1..T (an off-by-one range) violates the support', () => {
    const T = 50;
    const draws = draw({ kind: 'uniform' }, T, 1000, 3).map((k) => k + 1);
    const r = dkwTestDiscrete(draws, discreteProbabilities({ kind: 'uniform' }, T), ALPHA);
    expect(r.outOfSupport).toBeGreaterThan(0);
    expect(r.rejected).toBe(true);
  });
});

describe('importance sampling of timesteps', () => {
  test.prop([fc.array(simpleDouble(0, 5, 2), { minLength: 2, maxLength: 60 }).filter((w) => w.some((v) => v > 0)), fc.array(simpleDouble(-3, 3, 2), { minLength: 60, maxLength: 60 })], { numRuns: 100 })(
    'weights 1/(T p_t) make Σ_t p_t w_t ℓ_t the uniform mean of ℓ (unbiased), for any p > 0 where ℓ lives',
    (w, losses) => {
      const T = w.length;
      const p = discreteProbabilities({ kind: 'importance', weights: w }, T);
      const support = Array.from({ length: T }, (_, k) => k).filter((k) => p[k] > 0);
      const iw = importanceWeights(p, support);
      const weighted = support.reduce((s, k, i) => s + p[k] * iw[i] * losses[k], 0);
      const uniformOverSupport = support.reduce((s, k) => s + losses[k], 0) / T;
      expect(Math.abs(weighted - uniformOverSupport)).toBeLessThanOrEqual(16 * T * Number.EPSILON * losses.reduce((s, v) => s + Math.abs(v), 1));
    },
  );

  test.prop([fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.array(simpleDouble(0, 3, 2), { minLength: 80, maxLength: 80 }), simpleDouble(0, 0.5, 3)], { numRuns: 100 })(
    'loss-second-moment: uniform until every step has H losses, then (1 − u)·√(mean ℓ²)/Σ + u/T over the last H',
    (T, H, raw, u) => {
      const history = raw.map((loss, i) => ({ t: i % T, loss }));
      const last0 = Array.from({ length: T }, (_, t) => history.filter((o) => o.t === t).slice(-H));
      if (last0.every((q) => q.length === H) && last0.every((q) => q.every((o) => o.loss === 0))) {
        expect(() => lossSecondMomentProbabilities(T, history, H, u)).toThrow(/undefined/);
        return;
      }
      const p = lossSecondMomentProbabilities(T, history, H, u);
      // independent: the last H losses of each step by filtering the history from the end
      const last = Array.from({ length: T }, (_, t) => history.filter((o) => o.t === t).slice(-H).map((o) => o.loss));
      const warm = last.every((q) => q.length === H);
      const rms = last.map((q) => Math.sqrt(q.reduce((s, v) => s + v * v, 0) / q.length));
      const total = rms.reduce((s, v) => s + v, 0);
      for (let t = 0; t < T; t++) {
        const want = warm && total > 0 ? (rms[t] / total) * (1 - u) + u / T : 1 / T;
        expect(p[t]).toBeCloseTo(want, 12);
      }
    },
  );
});
