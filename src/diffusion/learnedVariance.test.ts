import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { clippedLogPosteriorVariance, logVariance, logVarianceSlope, type VarianceSpec } from './learnedVariance.ts';
import { cosineSchedule, linearSchedule, type VPSchedule, vpFromBetas } from './schedule.ts';

/*
 * Independent route: improved-diffusion's GaussianDiffusion.__init__ written out from the betas alone —
 *   alphas_cumprod = cumprod(1 − β), alphas_cumprod_prev = [1, alphas_cumprod[:-1]],
 *   posterior_variance = β (1 − alphas_cumprod_prev)/(1 − alphas_cumprod),
 *   posterior_log_variance_clipped = log(append(posterior_variance[1], posterior_variance[1:])),
 * and the learned_range interpolation min_log + frac (max_log − min_log), frac = (v + 1)/2, max_log = log β
 * (diffusers: min_log = log(clamp(posterior_variance, 1e-20))). No call into schedule.alphaBar.
 */
function fromBetas(s: VPSchedule) {
  const b = Array.from(s.betas), T = b.length;
  const cum: number[] = [];
  b.forEach((beta, i) => cum.push((i === 0 ? 1 : cum[i - 1]) * (1 - beta)));
  const post = b.map((beta, i) => (beta * (1 - (i === 0 ? 1 : cum[i - 1]))) / (1 - cum[i]));
  const clipped = post.map((p, i) => Math.log(i === 0 ? (T >= 2 ? post[1] : b[0]) : p));
  const clamped = post.map((p) => Math.log(Math.max(p, 1e-20)));
  return { b, post, clipped, clamped };
}

const schedules = (): VPSchedule[] => [linearSchedule(1000), cosineSchedule(1000), linearSchedule(2), cosineSchedule(7), linearSchedule(1), vpFromBetas([0.3, 0.9, 0.01, 0.5])];
const close = (x: number, y: number) => Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(y));

describe('clippedLogPosteriorVariance against improved-diffusion’s posterior_log_variance_clipped from the betas', () => {
  test('every t of linear/cosine T = 1000, T = 1, 2, 7 and an explicit schedule; t = 1 is log β̃₂ (T ≥ 2), log β₁ (T = 1)', () => {
    for (const s of schedules()) {
      const ref = fromBetas(s);
      for (let t = 1; t <= s.T; t++) expect(close(clippedLogPosteriorVariance(s, t), ref.clipped[t - 1]), `${s.name} t = ${t}`).toBe(true);
      expect(ref.post[0]).toBe(0); // β̃₁ = 0 exactly: why the clip exists
    }
  });

  test('negative control: the unclipped log β̃_t (−∞ at t = 1) and an off-by-one clip (log β̃₁ → log β̃₃) are rejected', () => {
    const s = linearSchedule(1000), ref = fromBetas(s);
    expect(Math.log(ref.post[0])).toBe(-Infinity);
    expect(close(clippedLogPosteriorVariance(s, 1), Math.log(ref.post[2]))).toBe(false);
  });
});

describe('logVarianceSlope against the learned_range interpolation written from the betas', () => {
  const specs: VarianceSpec[] = [{ kind: 'learned_range' }, { kind: 'learned_range', min_log: 'clipped' }, { kind: 'learned_range', min_log: 'clamped' }, { kind: 'learned' }, { kind: 'fixed_small' }, { kind: 'fixed_large' }];
  test('∂ log σ²/∂v = (max_log − min_log)/2 (learned_range), 1 (learned), 0 (fixed), every t; the slope is the secant of logVariance over any v₁ ≠ v₂', () => {
    for (const s of schedules()) {
      const ref = fromBetas(s);
      for (const spec of specs) for (let t = 1; t <= s.T; t++) {
        const minLog = spec.kind === 'learned_range' ? (spec.min_log === 'clamped' ? ref.clamped : ref.clipped)[t - 1] : 0;
        const want = spec.kind === 'learned' ? 1 : spec.kind === 'learned_range' ? (Math.log(ref.b[t - 1]) - minLog) / 2 : 0;
        expect(close(logVarianceSlope(spec, s, t), want), `${s.name} ${JSON.stringify(spec)} t = ${t}`).toBe(true);
        if (spec.kind === 'learned_range') {
          // The two ends of the range: v = 1 → log β_t, v = −1 → min_log.
          expect(close(logVariance(spec, s, t, 1), Math.log(ref.b[t - 1]))).toBe(true);
          expect(close(logVariance(spec, s, t, -1), minLog)).toBe(true);
        }
      }
    }
    const cos = cosineSchedule(1000);
    fc.assert(fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), fc.integer({ min: 1, max: 1000 }), (v1, v2, t) => {
      fc.pre(Math.abs(v1 - v2) > 1e-3);
      const s = cos, spec: VarianceSpec = { kind: 'learned_range' };
      const secant = (logVariance(spec, s, t, v1) - logVariance(spec, s, t, v2)) / (v1 - v2);
      return Math.abs(secant - logVarianceSlope(spec, s, t)) <= 1e-9 * Math.max(1, Math.abs(secant));
    }), { seed: 73, numRuns: 200 });
  });

  test('negative control: the slope with min_log from the previous step (log β̃_{t−1}) is rejected; clamped ≠ clipped at t = 1', () => {
    const s = linearSchedule(1000), ref = fromBetas(s);
    const wrong = (Math.log(ref.b[4]) - ref.clipped[3]) / 2; // t = 5 with β̃₄
    expect(close(logVarianceSlope({ kind: 'learned_range' }, s, 5), wrong)).toBe(false);
    expect(close(logVarianceSlope({ kind: 'learned_range', min_log: 'clamped' }, s, 1), logVarianceSlope({ kind: 'learned_range' }, s, 1))).toBe(false);
  });
});
