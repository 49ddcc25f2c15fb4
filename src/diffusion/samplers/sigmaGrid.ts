import { InvalidArgumentError } from '../../errors.ts';
import { requireIntegerInRange, requirePositive } from '../../validate.ts';
import { linspace } from './numpyGrid.ts';

/**
 * Karras et al. (2022) noise levels, k-diffusion `get_sigmas_karras` / diffusers
 * `_convert_to_karras` (MATH.md §5.1): σ_i = (σ_max^{1/ρ} + i/(n−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ,
 * i = 0..n−1 (descending; the sampler appends σ_n = 0).
 */
export function karrasSigmas(n: number, sigmaMin: number, sigmaMax: number, rho: number): Float64Array {
  requireIntegerInRange('num_inference_steps', n, 1, 1e6);
  requirePositive('sigma_min', sigmaMin);
  requirePositive('rho', rho);
  if (!(Number.isFinite(sigmaMax) && sigmaMax > sigmaMin)) throw new InvalidArgumentError('sigma_max', sigmaMax, `must be finite and > sigma_min = ${sigmaMin}`);
  const minInv = sigmaMin ** (1 / rho), maxInv = sigmaMax ** (1 / rho);
  return linspace(0, 1, n).map((r) => (maxInv + r * (minInv - maxInv)) ** rho);
}

/** The rectified-flow time shift t ↦ s·t/(1 + (s − 1)t) (SD3; diffusers `shift`). */
export function shiftFlowTime(t: number, shift: number): number {
  return (shift * t) / (1 + (shift - 1) * t);
}

/**
 * Flow-matching time grids t_0 > … > t_{n−1} (> t_n = 0), x_t = (1 − t)x_0 + t ε:
 * - `diffusers` (FlowMatchEulerDiscreteScheduler): the training grid is shift(k/T), k = T..1, so
 *   s_max = shift(1), s_min = shift(1/T); inference t_i = shift(linspace(s_max·T, s_min·T, n)_i / T)
 *   — the shift is applied again to the already shifted endpoints, as diffusers does;
 * - `uniform`: t_i = shift(1 − i/n), the first n points of linspace(1, 0, n + 1).
 */
export type FlowGridKind = 'diffusers' | 'uniform';

export function flowTimes(kind: FlowGridKind, n: number, T: number, shift: number): Float64Array {
  requireIntegerInRange('num_inference_steps', n, 1, 1e6);
  requireIntegerInRange('num_train_timesteps', T, 1, 1e7);
  requirePositive('shift', shift);
  if (kind === 'uniform') return linspace(1, 0, n + 1).slice(0, n).map((t) => shiftFlowTime(t, shift));
  if (kind !== 'diffusers') throw new InvalidArgumentError('grid', kind, 'must be "diffusers" or "uniform"');
  const sMax = shiftFlowTime(1, shift), sMin = shiftFlowTime(1 / T, shift);
  return linspace(sMax * T, sMin * T, n).map((t) => shiftFlowTime(t / T, shift));
}
