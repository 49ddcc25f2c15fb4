import { InvalidArgumentError } from '../../errors.ts';
import { requireIntegerInRange } from '../../validate.ts';
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
 * improved-diffusion / guided-diffusion `space_timesteps(T, section_counts)`: "ddimN" takes the
 * integer stride giving exactly N steps (range(0, T, stride)); "a,b,c" splits [0, T) into equal
 * sections (the first T mod sections one longer) and takes a_i steps in section i at fractional
 * stride (size−1)/(a_i−1), each rounded half to even. Returns the descending list.
 */
export function respacedTimesteps(T: number, sectionCounts: string): Float64Array {
  requireIntegerInRange('num_train_timesteps', T, 1, 1e7);
  const used = new Set<number>();
  const spec = sectionCounts.trim();
  if (spec.startsWith('ddim')) {
    const want = Number(spec.slice(4));
    if (!Number.isInteger(want) || want < 1) throw new InvalidArgumentError('section_counts', sectionCounts, '"ddimN" needs an integer N ≥ 1');
    let found = false;
    for (let stride = 1; stride < T && !found; stride++) {
      if (Math.ceil(T / stride) === want) {
        for (let j = 0; j < T; j += stride) used.add(j);
        found = true;
      }
    }
    if (!found) throw new InvalidArgumentError('section_counts', sectionCounts, `no integer stride gives exactly ${want} of ${T} steps`);
  } else {
    const counts = spec.split(',').map((s) => Number(s.trim()));
    if (counts.length === 0 || counts.some((c) => !Number.isInteger(c) || c < 0)) {
      throw new InvalidArgumentError('section_counts', sectionCounts, 'must be "ddimN" or comma-separated integers ≥ 0');
    }
    const sizePer = Math.floor(T / counts.length);
    const extra = T % counts.length;
    let start = 0;
    counts.forEach((count, i) => {
      const size = sizePer + (i < extra ? 1 : 0);
      if (size < count) throw new InvalidArgumentError(`section_counts[${i}]`, count, `cannot take ${count} steps from a section of ${size}`);
      const stride = count <= 1 ? 1 : (size - 1) / (count - 1);
      let cur = 0;
      for (let k = 0; k < count; k++) {
        used.add(start + roundHalfEven(cur));
        cur += stride;
      }
      start += size;
    });
  }
  if (used.size === 0) throw new InvalidArgumentError('section_counts', sectionCounts, 'selects no timestep');
  return Float64Array.from([...used].sort((a, b) => b - a));
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
