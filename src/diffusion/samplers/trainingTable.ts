import { InvalidArgumentError } from '../../errors.ts';

/**
 * The subject's own training schedule as its samplers read it (MATH.md §5.1): the cumulative
 * products ᾱ_j for 0-based training index j = 0..T−1 (the subject's timestep is k = j + t_base),
 * and the VE noise levels σ_j = √((1 − ᾱ_j)/ᾱ_j) that σ-space samplers interpolate.
 * Unlike a VPSchedule, the last entry may be ᾱ = 0 (zero terminal SNR, σ = ∞): DDPM/DDIM
 * with x0/v outputs run on it; σ-space samplers and ε outputs at that step cannot, and say so.
 */
export interface TrainingTable {
  readonly T: number;
  readonly tBase: 0 | 1;
  readonly alphaBar: Float64Array;
  readonly sigma: Float64Array;
  readonly logSigma: Float64Array;
}

export function trainingTable(alphaBar: ArrayLike<number>, tBase: 0 | 1 = 0, field = 'alpha_bar'): TrainingTable {
  const T = alphaBar.length;
  if (T < 1) throw new InvalidArgumentError(field, alphaBar, 'need at least one entry');
  if (tBase !== 0 && tBase !== 1) throw new InvalidArgumentError('t_base', tBase, 'must be 0 or 1');
  const ab = new Float64Array(T);
  const sigma = new Float64Array(T);
  const logSigma = new Float64Array(T);
  let prev = 1;
  for (let j = 0; j < T; j++) {
    const v = alphaBar[j];
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1)) throw new InvalidArgumentError(`${field}[${j}]`, v, 'must lie in [0, 1)');
    if (v === 0 && j !== T - 1) throw new InvalidArgumentError(`${field}[${j}]`, v, 'only the last entry may be 0 (zero terminal SNR)');
    if (!(v < prev)) throw new InvalidArgumentError(`${field}[${j}]`, v, `must be strictly smaller than the previous entry ${prev}`);
    ab[j] = v;
    sigma[j] = v === 0 ? Infinity : Math.sqrt((1 - v) / v);
    logSigma[j] = Math.log(sigma[j]);
    prev = v;
  }
  return { T, tBase, alphaBar: ab, sigma, logSigma };
}

/** Requires a training index j (0-based, integer) inside the table. */
export function requireIndex(table: TrainingTable, j: number, field: string): number {
  if (!Number.isInteger(j) || j < 0 || j >= table.T) {
    throw new InvalidArgumentError(field, j + table.tBase, `must be an integer timestep in [${table.tBase}, ${table.T - 1 + table.tBase}]`);
  }
  return j;
}

/**
 * σ at a fractional training index t ∈ [0, T−1] by linear interpolation of the σ table
 * (`np.interp(t, arange(T), sigmas)`, what diffusers' σ-space schedulers do).
 */
export function sigmaAtIndex(table: TrainingTable, t: number, field = 'timestep'): number {
  if (!(Number.isFinite(t) && t >= 0 && t <= table.T - 1)) throw new InvalidArgumentError(field, t, `must lie in [0, ${table.T - 1}] (0-based)`);
  const lo = Math.floor(t);
  const w = t - lo;
  const a = table.sigma[lo];
  if (w === 0) return requireFiniteSigma(a, field, lo);
  const b = table.sigma[lo + 1];
  return requireFiniteSigma(a + w * (b - a), field, lo + 1);
}

function requireFiniteSigma(s: number, field: string, j: number): number {
  if (!Number.isFinite(s)) {
    throw new InvalidArgumentError(field, j, 'σ = ∞ at a zero-terminal-SNR entry: σ-space samplers need ᾱ > 0 there (diffusers clamps it to 2^-24)');
  }
  return s;
}

/**
 * The fractional training index of a noise level σ (k-diffusion `sigma_to_t`, diffusers
 * `_sigma_to_t`): piecewise-linear in log σ between the two table entries around it, clamped
 * to [0, T − 1]. Needs T ≥ 2 and a finite σ table.
 */
export function indexAtSigma(table: TrainingTable, sigma: number, field = 'sigma'): number {
  const { T, logSigma } = table;
  if (T < 2) throw new InvalidArgumentError('alpha_bar', T, 'σ → timestep interpolation needs T ≥ 2 entries');
  if (!Number.isFinite(logSigma[T - 1])) requireFiniteSigma(Infinity, field, T - 1);
  const ls = Math.log(Math.max(sigma, 1e-10));
  let J = 0;
  for (let j = 0; j < T; j++) if (logSigma[j] <= ls) J = j;
  const low = Math.min(J, T - 2);
  const lo = logSigma[low], hi = logSigma[low + 1];
  const w = Math.min(1, Math.max(0, (lo - ls) / (lo - hi)));
  return (1 - w) * low + w * (low + 1);
}
