import { describe, expect, test } from 'vitest';
import { add, eye, inverse, mul, mv, tr } from '../../properties/support/denseRoutes.ts';
import { cosineSchedule, linearSchedule, type VPSchedule } from '../diffusion/schedule.ts';
import { createRng } from '../mc/rng.ts';
import type { AffineModel, StepVariance } from './protocol.ts';
import { expectedAddNoise, expectedZeroShot, type ZeroShotProblem } from './oracle.ts';

/*
 * expectedZeroShot against the zero-shot step written from MATH.md §4 with test-side dense algebra
 * (properties/support/denseRoutes.ts, Gauss–Jordan; nothing from src/linalg or theory/inverseProblem):
 *   H† = Hᵀ(HHᵀ)⁻¹ (full row rank), P = H†H, ŝ(x) = −(W x + b)/√(1 − ᾱ_t) (an ε-network),
 *   DDNM f = (√ᾱ H†y − P x)/(1 − ᾱ), BO-DDNM f = Σ⁻¹(√ᾱ H†y − P x), Σ = ᾱσ_y² H†H†ᵀ + (1 − ᾱ)I,
 *   g = (I − P)ŝ + f, x_{t−1} = (x + β_t g)/√α_t + σ_t z, σ_t² = β_t or β̃_t, with ᾱ, β, α from the betas.
 * Textbook special cases: H = I makes DDNM's step the posterior mean μ̃_t(x_t, x₀ = y) (its score is the
 * conditional score of q(x_t | x₀ = y)); σ_y = 0 makes BO-DDNM DDNM.
 */
function fromDefinition(schedule: VPSchedule, t: number, variance: StepVariance, variant: 'ddnm' | 'bo_ddnm', model: AffineModel, pb: ZeroShotProblem, x: number[], z: number[], omitNull = false) {
  const d = x.length, b = Array.from(schedule.betas);
  let ab = 1;
  for (let i = 0; i < t; i++) ab *= 1 - b[i];
  const abPrev = ab / (1 - b[t - 1]), beta = b[t - 1], alpha = 1 - beta;
  const Hp = mul(tr(pb.H), inverse(mul(pb.H, tr(pb.H)))), P = mul(Hp, pb.H);
  const shat = mv(model.W, x).map((v, i) => -(v + model.b[i]) / Math.sqrt(1 - ab));
  const r = mv(Hp, pb.y).map((v, i) => Math.sqrt(ab) * v - mv(P, x)[i]);
  const f = variant === 'ddnm' ? r.map((v) => v / (1 - ab)) : mv(inverse(add(eye(d).map((row) => row.map((v) => v * (1 - ab))), mul(Hp, tr(Hp)), ab * pb.sigmaY ** 2)), r);
  const Nshat = omitNull ? shat : mv(add(eye(d), P, -1), shat);
  const g = Nshat.map((v, i) => v + f[i]);
  const sigma = Math.sqrt(variance === 'beta' ? beta : (beta * (1 - abPrev)) / (1 - ab));
  const mean = x.map((v, i) => (v + beta * g[i]) / Math.sqrt(alpha));
  return { mean, sigma, xPrev: mean.map((m, i) => m + sigma * z[i]), ab, abPrev, beta, alpha };
}

const rng = createRng('oracle-zero-shot');
const vec = (n: number, s = 1) => Array.from({ length: n }, () => s * rng.normal());
const d = 4;
const model: AffineModel = { W: Array.from({ length: d }, () => vec(d, 0.5)), b: vec(d, 0.3) };
const within = (got: ArrayLike<number>, want: number[], scale: ArrayLike<number>, k = 1e-12) => want.every((w, i) => Math.abs(got[i] - w) <= k * Math.max(1, scale[i]));

describe('expectedZeroShot against the step from its definition', () => {
  const schedules = [linearSchedule(50), cosineSchedule(1000)];
  for (const schedule of schedules) for (const t of [1, 2, Math.ceil(schedule.T / 2), schedule.T]) for (const variant of ['ddnm', 'bo_ddnm'] as const) for (const variance of ['beta', 'beta_tilde'] as const) {
    test(`${schedule.name}, t = ${t}, ${variant}, σ² = ${variance}: mean, σ and x_{t−1} (to 1e-12 of the term magnitudes)`, () => {
      const pb: ZeroShotProblem = { H: [vec(d), vec(d)], y: vec(2), sigmaY: 0.3 };
      const x = vec(d), z = vec(d);
      const got = expectedZeroShot(schedule, t, variance, variant, 'eps', model, pb, x, z);
      const want = fromDefinition(schedule, t, variance, variant, model, pb, x, z);
      expect(within(got.mean, want.mean, got.scale)).toBe(true);
      expect(Math.abs(got.std - want.sigma)).toBeLessThanOrEqual(1e-14 * Math.max(1, want.sigma));
      expect(within(got.xPrev, want.xPrev, got.scale)).toBe(true);
      // Negative control: the model score not projected onto null(H) is rejected.
      expect(within(got.mean, fromDefinition(schedule, t, variance, variant, model, pb, x, z, true).mean, got.scale, 1e-6)).toBe(false);
    });
  }

  test('H = I: DDNM’s step is the posterior mean μ̃_t(x_t, x₀ = y) for any network; σ_y = 0: BO-DDNM is DDNM', () => {
    const schedule = linearSchedule(100), I: number[][] = eye(d);
    for (const t of [2, 30, 100]) {
      const y = vec(d), x = vec(d), z = new Array(d).fill(0);
      const got = expectedZeroShot(schedule, t, 'beta', 'ddnm', 'eps', model, { H: I, y, sigmaY: 0.2 }, x, z);
      const { ab, abPrev, beta, alpha } = fromDefinition(schedule, t, 'beta', 'ddnm', model, { H: I, y, sigmaY: 0.2 }, x, z);
      const mu = x.map((xi, i) => ((Math.sqrt(abPrev) * beta) / (1 - ab)) * y[i] + ((Math.sqrt(alpha) * (1 - abPrev)) / (1 - ab)) * xi);
      expect(within(got.mean, mu, got.scale)).toBe(true);
      const H = [vec(d), vec(d)], ys = vec(2);
      const dd = expectedZeroShot(schedule, t, 'beta', 'ddnm', 'eps', model, { H, y: ys, sigmaY: 0 }, x, z);
      const bo = expectedZeroShot(schedule, t, 'beta', 'bo_ddnm', 'eps', model, { H, y: ys, sigmaY: 0 }, x, z);
      expect(within(bo.mean, Array.from(dd.mean), bo.scale)).toBe(true);
      // Negative control: with σ_y > 0 BO-DDNM differs from DDNM.
      const bo3 = expectedZeroShot(schedule, t, 'beta', 'bo_ddnm', 'eps', model, { H, y: ys, sigmaY: 3 }, x, z);
      expect(within(bo3.mean, Array.from(dd.mean), bo3.scale, 1e-6)).toBe(false);
    }
  });
});

describe('expectedAddNoise against x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε with ᾱ from the betas', () => {
  test('every few t of a cosine schedule; the noise variance 1 − ᾱ (not its root) is the negative control', () => {
    const schedule = cosineSchedule(200), x0 = vec(5), eps = vec(5);
    let ab = 1;
    for (let t = 1; t <= 200; t++) {
      ab *= 1 - schedule.betas[t - 1];
      if (t % 37 !== 1 && t !== 200) continue;
      const got = expectedAddNoise(schedule.level(t), x0, eps);
      const want = x0.map((v, i) => Math.sqrt(ab) * v + Math.sqrt(1 - ab) * eps[i]);
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-13 * (Math.abs(x0[i]) + Math.abs(eps[i]))));
      const wrong = x0.map((v, i) => Math.sqrt(ab) * v + (1 - ab) * eps[i]);
      if (1 - ab < 0.99) expect(got.some((v, i) => Math.abs(v - wrong[i]) > 1e-6)).toBe(true);
    }
  });
});
