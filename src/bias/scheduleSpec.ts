import { type VPSchedule, cosineSchedule, linearSchedule, scaledLinearSchedule, sqrtLinearSchedule, vpFromAlphaBars, vpFromBetas } from '../diffusion/schedule.ts';

/** A schedule from a spec, its description and any note the output must carry. */
export interface ScheduleChoice {
  readonly schedule: VPSchedule;
  /** What the user wrote, e.g. `preset "stable-diffusion"` or `kind "linear"`. */
  readonly source: string;
  readonly notes: readonly string[];
}

type Fail = (field: string, detail: string) => never;

/**
 * Presets named as users know them (T = 1000):
 * - `ddpm`: linear β 1e-4 … 0.02 (Ho et al. 2020; diffusers `linear` with its defaults);
 * - `stable-diffusion`: diffusers `scaled_linear` β 0.00085 … 0.012 (SD 1.x/2.x, SDXL) — linear in √β;
 * - `cosine`: Nichol & Dhariwal, offset 0.008 (diffusers `squaredcos_cap_v2`).
 */
export const SCHEDULE_PRESETS: Readonly<Record<string, () => VPSchedule>> = {
  ddpm: () => linearSchedule(1000, 1e-4, 0.02),
  'stable-diffusion': () => sqrtLinearSchedule(1000, 0.00085, 0.012),
  cosine: () => cosineSchedule(1000, 0.008),
};

export const SCALED_LINEAR_NOTE =
  'schedule kind "scaled-linear" is scorecheck\'s linear β rescaled by 1000/T (β_t = linspace(βstart, βend)·1000/T, so the total noise does not depend on T; also called "linear-rescaled") — NOT diffusers\' scaled_linear (linear in √β, e.g. Stable Diffusion). For that use "sqrt-linear", the preset "stable-diffusion", or { "kind": "diffusers", "beta_schedule": "scaled_linear" }.';

const KINDS = ['linear', 'sqrt-linear', 'linear-rescaled', 'scaled-linear', 'cosine', 'alphaBars', 'betas', 'diffusers'];

/** Parses `schedule`: a preset name or an object with a `kind` (docs/bias-spec.md). */
export function parseScheduleSpec(v: unknown, fail: Fail, wrap: <T>(f: () => T) => T): ScheduleChoice {
  if (typeof v === 'string') {
    const make = SCHEDULE_PRESETS[v];
    if (!make) return fail('schedule', `unknown preset ${JSON.stringify(v)} (presets: ${Object.keys(SCHEDULE_PRESETS).join(', ')}; or an object with a "kind")`);
    return { schedule: make(), source: `preset "${v}"`, notes: [] };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail('schedule', v === undefined ? 'missing' : `must be a preset name or an object (got ${JSON.stringify(v)})`);
  const sch = v as Record<string, unknown>;
  const kind = sch.kind;
  const allowed = (keys: string[]) => {
    for (const k of Object.keys(sch)) if (!keys.includes(k)) fail(`schedule.${k}`, `unknown key for kind ${JSON.stringify(kind)} (expected ${keys.join(', ')})`);
  };
  const int = (key: string, lo: number, hi: number): number => {
    const t = sch[key];
    if (typeof t !== 'number' || !Number.isInteger(t) || t < lo || t > hi) fail(`schedule.${key}`, `must be an integer in [${lo}, ${hi}] (got ${JSON.stringify(t)})`);
    return t as number;
  };
  const optNum = (k: string, lo: number, hi: number): number | undefined => {
    const x = sch[k];
    if (x === undefined) return undefined;
    if (typeof x !== 'number' || !(x > lo && x < hi)) fail(`schedule.${k}`, `must be a number in (${lo}, ${hi}) (got ${JSON.stringify(x)})`);
    return x as number;
  };
  const numList = (k: string): number[] => {
    const x = sch[k];
    if (!Array.isArray(x) || x.length === 0) return fail(`schedule.${k}`, x === undefined ? 'missing' : 'must be a non-empty array of numbers');
    x.forEach((y, i) => {
      if (typeof y !== 'number' || !Number.isFinite(y)) fail(`schedule.${k}[${i}]`, `must be a finite number (got ${JSON.stringify(y)})`);
    });
    return x as number[];
  };
  switch (kind) {
    case 'linear':
    case 'sqrt-linear':
    case 'linear-rescaled':
    case 'scaled-linear': {
      allowed(['kind', 'T', 'betaStart', 'betaEnd']);
      const T = int('T', 1, 100_000);
      const b0 = optNum('betaStart', 0, 1), b1 = optNum('betaEnd', 0, 1);
      const make = kind === 'linear' ? linearSchedule : kind === 'sqrt-linear' ? sqrtLinearSchedule : scaledLinearSchedule;
      const schedule = wrap(() => make(T, b0, b1));
      return { schedule, source: `kind "${kind}"`, notes: kind === 'scaled-linear' ? [SCALED_LINEAR_NOTE] : [] };
    }
    case 'cosine': {
      allowed(['kind', 'T', 'offset']);
      const T = int('T', 1, 100_000);
      const off = optNum('offset', 0, 1);
      return { schedule: wrap(() => cosineSchedule(T, off)), source: 'kind "cosine"', notes: [] };
    }
    case 'alphaBars': {
      allowed(['kind', 'alphaBars']);
      const ab = numList('alphaBars');
      return { schedule: wrap(() => vpFromAlphaBars(ab, 'vp-alphabar')), source: 'kind "alphaBars"', notes: [] };
    }
    case 'betas': {
      allowed(['kind', 'betas']);
      const b = numList('betas');
      return { schedule: wrap(() => vpFromBetas(b, 'vp-betas')), source: 'kind "betas"', notes: [] };
    }
    case 'diffusers': {
      // The fields of a diffusers scheduler config (scheduler_config.json), same names.
      allowed(['kind', 'beta_schedule', 'beta_start', 'beta_end', 'num_train_timesteps']);
      const bs = sch.beta_schedule ?? 'linear';
      const T = sch.num_train_timesteps === undefined ? 1000 : int('num_train_timesteps', 1, 100_000);
      const b0 = optNum('beta_start', 0, 1) ?? 0.0001, b1 = optNum('beta_end', 0, 1) ?? 0.02;
      let schedule: VPSchedule;
      if (bs === 'linear') schedule = wrap(() => linearSchedule(T, b0, b1));
      else if (bs === 'scaled_linear') schedule = wrap(() => sqrtLinearSchedule(T, b0, b1));
      else if (bs === 'squaredcos_cap_v2') {
        if (sch.beta_start !== undefined || sch.beta_end !== undefined) fail('schedule.beta_start', 'squaredcos_cap_v2 takes no beta_start / beta_end');
        schedule = wrap(() => cosineSchedule(T, 0.008));
      } else return fail('schedule.beta_schedule', `must be "linear", "scaled_linear" or "squaredcos_cap_v2" (got ${JSON.stringify(bs)})`);
      return {
        schedule,
        source: `diffusers beta_schedule "${bs}"`,
        notes: ['diffusers numbers timesteps 0…T−1: its timestep k is t = k + 1 here; diffusers builds β in float32 (≤ ~1e-7 relative difference)'],
      };
    }
    default:
      return fail('schedule.kind', `must be one of ${KINDS.map((k) => JSON.stringify(k)).join(', ')} (got ${JSON.stringify(kind)}), or give a preset name`);
  }
}
