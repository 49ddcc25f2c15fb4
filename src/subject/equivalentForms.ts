import { fromScore } from '../diffusion/parameterization.ts';
import { posteriorCoefficients } from '../diffusion/posterior.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import type { Parameterization } from '../diffusion/parameterization.ts';
import { modelScore, stepStd } from './oracle.ts';
import type { AffineModel, StepVariance } from './protocol.ts';

/*
 * Forms of one expected output that are equal on a consistent schedule (ᾱ_t = ᾱ_{t−1}(1 − β_t))
 * and differ when the subject's primitives are rounded independently (MATH.md §7.1). A
 * rounding tolerance takes the largest spread over the forms real code uses, because the
 * subject's deviation is the sensitivity of *its* form, not of scorecheck's.
 */

/**
 * The reverse step in posterior form (diffusers DDPMScheduler.step, improved-diffusion
 * p_mean_variance): x̂_0 from the network, then c0·x̂_0 + ct·x_t (Ho et al. eq. 7) + σ_t z.
 * Equal to (x_t + β_t ŝ)/√α_t + σ_t z when the primitives are consistent.
 */
export function stepPosteriorForm(
  schedule: VPSchedule, t: number, variance: StepVariance, p: Parameterization, model: AffineModel, xt: ArrayLike<number>, z: ArrayLike<number>,
): { xPrev: Float64Array; mean: Float64Array } {
  const level = schedule.level(t);
  const x0 = fromScore('x0', modelScore(p, model, xt, level), xt, level);
  const { coefX0, coefXt } = posteriorCoefficients(schedule, t);
  const std = stepStd(schedule, t, variance);
  const mean = Float64Array.from(x0, (v, i) => coefX0 * v + coefXt * xt[i]);
  return { mean, xPrev: mean.map((m, i) => m + std * z[i]) };
}
