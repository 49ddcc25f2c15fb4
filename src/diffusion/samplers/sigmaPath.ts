import { InvalidArgumentError } from '../../errors.ts';
import { roundHalfEven } from './numpyGrid.ts';
import type { NoisePoint } from './networkTime.ts';
import type { SamplerContext, SamplerRequest } from './samplerProgram.ts';
import type { SigmaGridSpec } from './samplerSpec.ts';
import { karrasSigmas } from './sigmaGrid.ts';
import { tableTimesteps } from './tablePath.ts';
import type { SpacingVariant } from './timestepSpacing.ts';
import { indexAtSigma, sigmaAtIndex } from './trainingTable.ts';

/**
 * The σ levels σ_0 > … > σ_{n−1} > σ_n of a σ-space sampler and the network point of each step
 * (MATH.md §5.1):
 * - `table`: spaced (possibly fractional) timesteps t_i, σ_i = interp(t_i) of the σ table, the
 *   network point index t_i (diffusers Euler/Heun/DPM-Solver);
 * - `karras`: σ_i from Karras' formula between σ_min and σ_max (the declared values, else the table's
 *   ends σ[0] and σ[T−1]); network index = σ → t log-interpolation, rounded if declared (diffusers
 *   DPM-Solver rounds, Euler does not; a rounded τ stands for the table level at its index, and σ /
 *   c_noise network times then use that level too). Without a table only σ / c_noise network times apply.
 * σ_n is 0, or σ[0] (`final_sigma` "sigma_min", DPM-Solver) — the Karras σ_min without a table.
 */
export interface SigmaPath {
  readonly sigmas: Float64Array;
  readonly points: readonly NoisePoint[];
  /** The σ each network call's τ stands for: σ_i, or the table σ at the rounded index when τ is rounded. */
  readonly networkSigmas: Float64Array;
  /** The subject's timesteps (table grids) or the σ_i (Karras), for reports. */
  readonly timesteps: readonly number[];
}

export function sigmaPath(
  grid: SigmaGridSpec, ctx: SamplerContext, req: SamplerRequest, variant: SpacingVariant, finalSigma: 'zero' | 'sigma_min', tauRounding: 'none' | 'round',
): SigmaPath {
  const n = req.numInferenceSteps;
  const table = ctx.table;
  const sig = new Float64Array(n + 1);
  let points: NoisePoint[];
  const networkSigmas = new Float64Array(n);
  let timesteps: number[];
  if (grid.kind === 'table') {
    if (!table) throw new InvalidArgumentError('schedule', undefined, 'σ levels from the table need the subject\'s ᾱ table (declare the schedule op), or declare sigmas "karras" with sigma_min and sigma_max');
    const ts = tableTimesteps(grid.spacing, table, req, variant);
    ts.forEach((t, i) => (sig[i] = sigmaAtIndex(table, t, `timesteps[${i}]`)));
    points = Array.from(ts, (t, i) => ({ index: t, sigma: sig[i] }));
    networkSigmas.set(sig.subarray(0, n));
    timesteps = Array.from(ts, (t) => t + table.tBase);
  } else {
    const lo = grid.sigmaMin ?? (table ? table.sigma[0] : undefined);
    const hi = grid.sigmaMax ?? (table ? sigmaAtIndex(table, table.T - 1, 'alpha_bar (last entry)') : undefined);
    if (lo === undefined || hi === undefined) throw new InvalidArgumentError('sigma_min', grid.sigmaMin, 'Karras levels without a table need sigma_min and sigma_max');
    sig.set(karrasSigmas(n, lo, hi, grid.rho));
    points = Array.from(sig.subarray(0, n), (s, i) => {
      networkSigmas[i] = s;
      if (!table) return { index: NaN, sigma: s };
      const t = indexAtSigma(table, s);
      if (tauRounding === 'none') return { index: t, sigma: s };
      const j = roundHalfEven(t);
      networkSigmas[i] = table.sigma[j];
      return { index: j, sigma: table.sigma[j] };
    });
    timesteps = Array.from(sig.subarray(0, n));
  }
  sig[n] = finalSigma === 'zero' ? 0 : table ? table.sigma[0] : (grid.kind === 'karras' ? (grid.sigmaMin as number) : 0);
  if (!(sig[n] < sig[n - 1])) throw new InvalidArgumentError('final_sigma', finalSigma, `σ_n = ${sig[n]} is not below the last level σ = ${sig[n - 1]}`);
  return { sigmas: sig, points, networkSigmas, timesteps };
}
