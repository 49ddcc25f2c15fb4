import { InvalidArgumentError } from '../../errors.ts';
import { requireIntegerInRange } from '../../validate.ts';
import { respacedIndices } from '../respacing.ts';
import { arange, linspace, roundHalfEven } from './numpyGrid.ts';

/**
 * How a sampler picks n of the T training timesteps (MATH.md §5.1). The formulas are
 * diffusers' `set_timesteps` (0-based training indices j, descending):
 * - `leading`:  r = ⌊T/n⌋, j_i = (n−1−i)·r + steps_offset — never reaches T−1 unless r·(n−1)+offset does
 *   (a 1000-step table sampled in 50 steps starts at 980, or 981 with steps_offset = 1);
 * - `trailing`: r = T/n, j_i = round(T − i·r) − 1 — always starts at T−1;
 * - `linspace`: j_i = round((T−1)·(n−1−i)/(n−1)) — both ends T−1 and 0.
 * Rounding is NumPy's (half to even) on NumPy's floating-point grid.
 */
export type SpacingKind = 'leading' | 'trailing' | 'linspace';
export const SPACING_KINDS: readonly SpacingKind[] = ['leading', 'trailing', 'linspace'];

/**
 * Which of diffusers' variants of the list a scheduler builds:
 * - `ddim` — DDPMScheduler/DDIMScheduler: n integer timesteps;
 * - `sigma` — Euler/Heun discrete: as `ddim`, but `linspace` is not rounded (fractional timesteps);
 * - `multistep` — DPMSolverMultistep: `linspace` and `leading` on n+1 points, dropping the last (0);
 *   `trailing` as `ddim`.
 */
export type SpacingVariant = 'ddim' | 'sigma' | 'multistep';

export interface SpacingRequest {
  readonly kind: SpacingKind;
  readonly T: number;
  readonly n: number;
  readonly stepsOffset: number;
  readonly variant: SpacingVariant;
}

/** The descending list of 0-based training indices (fractional only for `sigma` + `linspace`). */
export function spacedTimesteps(req: SpacingRequest): Float64Array {
  const { kind, T, n, stepsOffset, variant } = req;
  requireIntegerInRange('num_train_timesteps', T, 1, 1e7);
  requireIntegerInRange('num_inference_steps', n, 1, T);
  requireIntegerInRange('steps_offset', stepsOffset, 0, T - 1);
  const m = variant === 'multistep' && kind !== 'trailing' ? n + 1 : n;
  let out: Float64Array;
  if (kind === 'linspace') {
    const grid = linspace(0, T - 1, m);
    out = descending(grid, variant === 'sigma' ? (x) => x : roundHalfEven);
  } else if (kind === 'leading') {
    const r = Math.floor(T / m);
    out = descending(arange(0, m, 1).map((i) => i * r), roundHalfEven).map((j) => j + stepsOffset);
  } else if (kind === 'trailing') {
    out = arange(T, 0, -T / n).map((x) => roundHalfEven(x) - 1);
  } else {
    throw new InvalidArgumentError('timestep_spacing', kind, `must be one of ${SPACING_KINDS.join(', ')}`);
  }
  if (m !== n) out = out.slice(0, n);
  return requireInTable(out, T, kind);
}

function descending(grid: Float64Array, round: (x: number) => number): Float64Array {
  const out = new Float64Array(grid.length);
  for (let i = 0; i < grid.length; i++) out[i] = round(grid[grid.length - 1 - i]);
  return out;
}

function requireInTable(js: Float64Array, T: number, what: string): Float64Array {
  for (let i = 0; i < js.length; i++) {
    if (!(js[i] >= 0 && js[i] <= T - 1)) throw new InvalidArgumentError(`timesteps[${i}]`, js[i], `${what} spacing left the table [0, ${T - 1}]`);
    if (i > 0 && !(js[i] < js[i - 1])) throw new InvalidArgumentError(`timesteps[${i}]`, js[i], `${what} spacing repeats a timestep (too many steps for T = ${T})`);
  }
  return js;
}

/**
 * improved-diffusion / guided-diffusion `space_timesteps(T, section_counts)` ("ddimN": the integer
 * stride giving exactly N steps; "a,b,c": equal sections strided to their counts, rounded half to
 * even — src/diffusion/respacing.ts), as the descending list a sampler walks.
 */
export function respacedTimesteps(T: number, sectionCounts: string): Float64Array {
  requireIntegerInRange('num_train_timesteps', T, 1, 1e7);
  return Float64Array.from(respacedIndices(T, { section_counts: sectionCounts.trim() }, 'respace').reverse());
}

/** An explicit list in the subject's indexing: strictly decreasing integers inside the table. */
export function explicitTimesteps(ks: ArrayLike<number>, T: number, tBase: 0 | 1, field = 'timesteps'): Float64Array {
  if (ks.length < 1) throw new InvalidArgumentError(field, ks, 'need at least one timestep');
  const out = new Float64Array(ks.length);
  for (let i = 0; i < ks.length; i++) {
    const j = ks[i] - tBase;
    if (!Number.isInteger(ks[i]) || j < 0 || j > T - 1) throw new InvalidArgumentError(`${field}[${i}]`, ks[i], `must be an integer timestep in [${tBase}, ${T - 1 + tBase}]`);
    if (i > 0 && !(j < out[i - 1])) throw new InvalidArgumentError(`${field}[${i}]`, ks[i], 'timesteps must be strictly decreasing');
    out[i] = j;
  }
  return out;
}
