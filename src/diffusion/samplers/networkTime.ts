import { InvalidArgumentError } from '../../errors.ts';
import type { TrainingTable } from './trainingTable.ts';

/**
 * The time value τ a sampler passes to its network (MATH.md §5.2). A network trained with one
 * convention and sampled with another computes the right formula at the wrong time — the bug is
 * invisible to a network that ignores time, so scorecheck's supplied network depends on τ.
 * - `index`: τ = scale·k + offset, k the subject's training timestep (k = j + t_base, fractional
 *   for σ-space samplers on Karras levels). Presets: `index` (1, 0);
 *   `index_rescaled_1000` (1000/T, 0 — improved-diffusion's `rescale_timesteps`);
 *   `continuous` (1/T, (1 − t_base)/T: t = i/T for the i-th of T steps, i = 1..T);
 * - `sigma`: τ = σ = √((1−ᾱ)/ᾱ) (k-diffusion/EDM denoisers);
 * - `c_noise`: τ = ¼ ln σ (EDM preconditioning);
 * - `flow`: τ = scale·t, t the flow-matching time (diffusers passes 1000·t: scale = T).
 */
export type NetworkTime =
  | { readonly kind: 'index'; readonly scale: number; readonly offset: number }
  | { readonly kind: 'sigma' }
  | { readonly kind: 'c_noise' }
  | { readonly kind: 'flow'; readonly scale: number };

export const NETWORK_TIME_PRESETS = ['index', 'index_rescaled_1000', 'continuous', 'sigma', 'c_noise', 'flow'] as const;
export type NetworkTimePreset = (typeof NETWORK_TIME_PRESETS)[number];

/** A declaration as it appears in a hello: a preset name or an explicit object. */
export type NetworkTimeDecl = NetworkTimePreset | NetworkTime;

/** Resolves a preset against the table size T (index presets) and t_base. */
export function resolveNetworkTime(decl: NetworkTimeDecl, T: number, tBase: 0 | 1): NetworkTime {
  if (typeof decl === 'object') return decl;
  switch (decl) {
    case 'index':
      return { kind: 'index', scale: 1, offset: 0 };
    case 'index_rescaled_1000':
      return { kind: 'index', scale: 1000 / T, offset: 0 };
    case 'continuous':
      return { kind: 'index', scale: 1 / T, offset: (1 - tBase) / T };
    case 'sigma':
      return { kind: 'sigma' };
    case 'c_noise':
      return { kind: 'c_noise' };
    case 'flow':
      return { kind: 'flow', scale: 1 };
  }
}

/** Validates a network-time declaration from JSON; names the field. */
export function parseNetworkTime(raw: unknown, field: string): NetworkTimeDecl {
  if (typeof raw === 'string') {
    if ((NETWORK_TIME_PRESETS as readonly string[]).includes(raw)) return raw as NetworkTimePreset;
    throw new InvalidArgumentError(field, raw, `must be one of ${NETWORK_TIME_PRESETS.join(', ')} or an object {kind, …}`);
  }
  if (typeof raw !== 'object' || raw === null) throw new InvalidArgumentError(field, raw, 'must be a preset name or an object {kind, …}');
  const o = raw as Record<string, unknown>;
  const num = (k: string, dflt: number): number => {
    const v = o[k] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidArgumentError(`${field}.${k}`, v, 'must be a finite number');
    return v;
  };
  switch (o.kind) {
    case 'index': {
      const scale = num('scale', 1);
      if (scale === 0) throw new InvalidArgumentError(`${field}.scale`, scale, 'must be non-zero');
      return { kind: 'index', scale, offset: num('offset', 0) };
    }
    case 'sigma':
    case 'c_noise':
      return { kind: o.kind };
    case 'flow': {
      const scale = num('scale', 1);
      if (!(scale > 0)) throw new InvalidArgumentError(`${field}.scale`, scale, 'must be > 0');
      return { kind: 'flow', scale };
    }
    default:
      throw new InvalidArgumentError(`${field}.kind`, o.kind, 'must be one of index, sigma, c_noise, flow');
  }
}

/** Where on the noise path a network call happens: a (fractional) 0-based index and σ, or a flow time. */
export type NoisePoint = { readonly index: number; readonly sigma: number } | { readonly flowT: number };

/** τ of a network call at `point` under `time`; a convention that does not apply to the point throws. */
export function networkTimeAt(time: NetworkTime, point: NoisePoint, table: Pick<TrainingTable, 'tBase'> | undefined, field = 'network_time'): number {
  if ('flowT' in point) {
    if (time.kind !== 'flow') throw new InvalidArgumentError(field, time.kind, 'flow-matching samplers take network_time "flow" (τ = scale·t)');
    return time.scale * point.flowT;
  }
  switch (time.kind) {
    case 'index':
      return time.scale * (point.index + (table?.tBase ?? 0)) + time.offset;
    case 'sigma':
      return point.sigma;
    case 'c_noise':
      return 0.25 * Math.log(point.sigma);
    case 'flow':
      throw new InvalidArgumentError(field, 'flow', 'network_time "flow" applies to flow-matching samplers only');
  }
}
