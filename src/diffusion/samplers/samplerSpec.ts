import { InvalidArgumentError } from '../../errors.ts';
import { SAMPLER_PARAMETERIZATIONS, type SamplerParameterization } from './denoiser.ts';
import { type NetworkTimeDecl, parseNetworkTime } from './networkTime.ts';
import type { FlowGridKind } from './sigmaGrid.ts';
import { SPACING_KINDS, type SpacingKind } from './timestepSpacing.ts';

/**
 * A declared sampler: the family (which algorithm, MATH.md §5.4) and the options real
 * schedulers expose (diffusers config names where they exist). Parsed from a hello's
 * `ops.sample.samplers.<name>` object; every problem names its field.
 */
export type SamplerFamily = 'ddpm' | 'ddim' | 'ddim_inversion' | 'euler' | 'heun' | 'dpmpp_2m' | 'flow_euler' | 'flow_heun';
export const SAMPLER_FAMILIES: readonly SamplerFamily[] = ['ddpm', 'ddim', 'ddim_inversion', 'euler', 'heun', 'dpmpp_2m', 'flow_euler', 'flow_heun'];

/** Which training timesteps a table-based sampler visits. */
export type TableSpacing =
  | { readonly kind: SpacingKind; readonly stepsOffset: number }
  /** improved-diffusion respacing: section_counts = "n" (`respace`) or "ddimN" (`respace_ddim`). */
  | { readonly kind: 'respace' | 'respace_ddim' }
  /** the request's `timesteps` list. */
  | { readonly kind: 'explicit' };

/** Clipping of x̂₀ to [−range, range]; `epsFromClipped` re-derives ε̂ from the clipped x̂₀ (guided-diffusion DDIM). */
export interface Clip {
  readonly range: number;
  readonly epsFromClipped: boolean;
}

/** σ levels of a σ-space sampler: interpolated from the table at spaced timesteps, or Karras. */
export type SigmaGridSpec =
  | { readonly kind: 'table'; readonly spacing: TableSpacing }
  | { readonly kind: 'karras'; readonly sigmaMin: number | null; readonly sigmaMax: number | null; readonly rho: number };

interface Common {
  /** Overrides the hello's parameterization / network_time for this sampler. */
  readonly parameterization?: SamplerParameterization;
  readonly sigmaData: number;
  readonly networkTime?: NetworkTimeDecl;
}

export type SamplerSpec =
  | (Common & { readonly family: 'ddpm'; readonly variance: 'beta' | 'beta_tilde' | 'learned_range'; readonly spacing: TableSpacing; readonly clip: Clip | null })
  | (Common & { readonly family: 'ddim'; readonly eta: number | 'request'; readonly spacing: TableSpacing; readonly finalAlphaCumprod: 'one' | 'first'; readonly clip: Clip | null })
  | (Common & { readonly family: 'ddim_inversion'; readonly spacing: TableSpacing; readonly initialAlphaCumprod: 'one' | 'first' })
  | (Common & { readonly family: 'euler' | 'heun'; readonly sigmas: SigmaGridSpec; readonly initNoise: 'sigma_max' | 'sigma_max_sq_plus_one'; readonly tauRounding: 'none' | 'round' })
  | (Common & {
      readonly family: 'dpmpp_2m';
      readonly sigmas: SigmaGridSpec;
      readonly state: 'vp' | 've';
      readonly finalSigma: 'zero' | 'sigma_min';
      readonly lowerOrderFinal: boolean;
      readonly tauRounding: 'none' | 'round';
    })
  | (Common & { readonly family: 'flow_euler' | 'flow_heun'; readonly numTrainTimesteps: number; readonly shift: number; readonly grid: FlowGridKind });

/** The order of accuracy each family is built to have (global error O(h^order)). */
export function familyOrder(family: SamplerFamily): number {
  return family === 'heun' || family === 'dpmpp_2m' || family === 'flow_heun' ? 2 : 1;
}

type Obj = Record<string, unknown>;

function oneOf<T extends string>(o: Obj, key: string, field: string, allowed: readonly T[], dflt?: T): T {
  const v = o[key] ?? dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new InvalidArgumentError(`${field}.${key}`, v, `must be one of ${allowed.join(', ')}`);
  return v as T;
}

function number(o: Obj, key: string, field: string, dflt: number | undefined, ok: (x: number) => boolean, why: string): number {
  const v = o[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new InvalidArgumentError(`${field}.${key}`, v, why);
  return v;
}

function bool(o: Obj, key: string, field: string, dflt: boolean): boolean {
  const v = o[key] ?? dflt;
  if (typeof v !== 'boolean') throw new InvalidArgumentError(`${field}.${key}`, v, 'must be true or false');
  return v;
}

/** `set`: which spacings the family accepts — VP families also take respacing and explicit lists. */
function parseSpacing(o: Obj, field: string, set: 'vp' | 'vp_no_explicit' | 'sigma'): TableSpacing {
  const kinds = [...SPACING_KINDS, ...(set === 'sigma' ? [] : ['respace', 'respace_ddim']), ...(set === 'vp' ? ['explicit'] : [])] as const;
  const kind = oneOf(o, 'spacing', field, kinds as readonly string[], 'leading');
  if (kind === 'respace' || kind === 'respace_ddim' || kind === 'explicit') return { kind };
  return { kind: kind as SpacingKind, stepsOffset: number(o, 'steps_offset', field, 0, (x) => Number.isInteger(x) && x >= 0, 'must be an integer ≥ 0') };
}

function parseClip(o: Obj, field: string): Clip | null {
  const c = o.clip;
  if (c === undefined || c === null || c === false) return null;
  if (typeof c !== 'object') throw new InvalidArgumentError(`${field}.clip`, c, 'must be null or {range, eps_from_clipped}');
  const co = c as Obj;
  return {
    range: number(co, 'range', `${field}.clip`, 1, (x) => x > 0, 'must be > 0'),
    epsFromClipped: bool(co, 'eps_from_clipped', `${field}.clip`, false),
  };
}

function parseSigmas(o: Obj, field: string): SigmaGridSpec {
  const kind = oneOf(o, 'sigmas', field, ['table', 'karras'] as const, 'table');
  if (kind === 'table') return { kind, spacing: parseSpacing(o, field, 'sigma') };
  const opt = (key: string): number | null => (o[key] === undefined || o[key] === null ? null : number(o, key, field, undefined, (x) => x > 0, 'must be > 0'));
  const sigmaMin = opt('sigma_min'), sigmaMax = opt('sigma_max');
  if (sigmaMin !== null && sigmaMax !== null && !(sigmaMax > sigmaMin)) throw new InvalidArgumentError(`${field}.sigma_max`, sigmaMax, `must exceed sigma_min = ${sigmaMin}`);
  return { kind, sigmaMin, sigmaMax, rho: number(o, 'rho', field, 7, (x) => x > 0, 'must be > 0') };
}

export function parseSamplerSpec(raw: unknown, field: string): SamplerSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidArgumentError(field, raw, 'must be an object {family, …}');
  const o = raw as Obj;
  const family = oneOf(o, 'family', field, SAMPLER_FAMILIES);
  const common: Common = {
    parameterization: o.parameterization === undefined ? undefined : oneOf(o, 'parameterization', field, SAMPLER_PARAMETERIZATIONS),
    sigmaData: number(o, 'sigma_data', field, 1, (x) => x > 0, 'must be > 0'),
    networkTime: o.network_time === undefined ? undefined : parseNetworkTime(o.network_time, `${field}.network_time`),
  };
  switch (family) {
    case 'ddpm':
      return { ...common, family, variance: oneOf(o, 'variance', field, ['beta', 'beta_tilde', 'learned_range'] as const), spacing: parseSpacing(o, field, 'vp'), clip: parseClip(o, field) };
    case 'ddim': {
      const eta = o.eta === 'request' ? 'request' : number(o, 'eta', field, 0, (x) => x >= 0 && x <= 1, 'must be a number in [0, 1] or "request"');
      return { ...common, family, eta, spacing: parseSpacing(o, field, 'vp'), finalAlphaCumprod: oneOf(o, 'final_alpha_cumprod', field, ['one', 'first'] as const, 'one'), clip: parseClip(o, field) };
    }
    case 'ddim_inversion':
      return { ...common, family, spacing: parseSpacing(o, field, 'vp_no_explicit'), initialAlphaCumprod: oneOf(o, 'initial_alpha_cumprod', field, ['one', 'first'] as const, 'one') };
    case 'euler':
    case 'heun':
    case 'dpmpp_2m': {
      // σ-space families; DPM-Solver rounds Karras timesteps by default (diffusers), Euler/Heun do not.
      const sigmaCommon = { ...common, sigmas: parseSigmas(o, field), tauRounding: oneOf(o, 'tau_rounding', field, ['none', 'round'] as const, family === 'dpmpp_2m' ? 'round' : 'none') };
      if (family !== 'dpmpp_2m') return { ...sigmaCommon, family, initNoise: oneOf(o, 'init_noise', field, ['sigma_max', 'sigma_max_sq_plus_one'] as const, 'sigma_max') };
      return {
        ...sigmaCommon,
        family,
        state: oneOf(o, 'state', field, ['vp', 've'] as const, 'vp'),
        finalSigma: oneOf(o, 'final_sigma', field, ['zero', 'sigma_min'] as const, 'zero'),
        lowerOrderFinal: bool(o, 'lower_order_final', field, true),
      };
    }
    case 'flow_euler':
    case 'flow_heun':
      return {
        ...common,
        family,
        numTrainTimesteps: number(o, 'num_train_timesteps', field, 1000, (x) => Number.isInteger(x) && x >= 1, 'must be an integer ≥ 1'),
        shift: number(o, 'shift', field, 1, (x) => x > 0, 'must be > 0'),
        grid: oneOf(o, 'grid', field, ['diffusers', 'uniform'] as const, 'diffusers'),
      };
  }
}
