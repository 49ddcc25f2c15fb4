import type { VPSchedule } from '../diffusion/schedule.ts';

/**
 * The forward chain x_t = √α_t x_{t−1} + √β_t η of a VP schedule, as the kernel
 * q(x_t|x_0) = N(a_t x_0, s_t² I), indexed t = 0..T (a_0 = 1, s_0 = 0).
 * a_t² = ∏ α_i and s_t² by the recurrence s_t² = α_t s_{t−1}² + β_t (no 1 − ᾱ_t
 * cancellation), so the DDPM identities hold to rounding for every T.
 */
export interface DdpmChain {
  readonly T: number;
  readonly beta: Float64Array;
  readonly alpha: Float64Array;
  readonly a2: Float64Array;
  readonly s2: Float64Array;
}

export function ddpmChain(schedule: VPSchedule): DdpmChain {
  const T = schedule.T;
  const beta = new Float64Array(T + 1), alpha = new Float64Array(T + 1);
  const a2 = new Float64Array(T + 1), s2 = new Float64Array(T + 1);
  a2[0] = 1;
  for (let t = 1; t <= T; t++) {
    beta[t] = schedule.betas[t - 1];
    alpha[t] = 1 - beta[t];
    a2[t] = a2[t - 1] * alpha[t];
    s2[t] = alpha[t] * s2[t - 1] + beta[t];
  }
  return { T, beta, alpha, a2, s2 };
}

/** DDPM posterior q(x_{t−1}|x_t, x_0) = N(c0 x_0 + ct x_t, β̃_t I), t ≥ 2, on the chain. */
export function chainPosterior(c: DdpmChain, t: number): { readonly c0: number; readonly ct: number; readonly betaTilde: number } {
  return {
    c0: (c.beta[t] * Math.sqrt(c.a2[t - 1])) / c.s2[t],
    ct: (Math.sqrt(c.alpha[t]) * c.s2[t - 1]) / c.s2[t],
    betaTilde: (c.s2[t - 1] * c.beta[t]) / c.s2[t],
  };
}
