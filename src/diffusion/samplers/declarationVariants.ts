import type { SamplerParameterization } from './denoiser.ts';
import type { NetworkTime } from './networkTime.ts';
import type { SamplerSpec, TableSpacing } from './samplerSpec.ts';
import { SPACING_KINDS } from './timestepSpacing.ts';

/**
 * Declarations one option away from a given one (MATH.md §5.6). When a subject disagrees with its
 * declared sampler, re-running the oracle under these and finding the one that reproduces the
 * subject's numbers (or τ values) names the convention the subject actually follows — "your loop
 * matches steps_offset = 0, declared 1". The same list is the negative control of the oracle
 * tests: each variant must change some answer, or the comparison could not tell them apart.
 */
export interface DeclarationVariant {
  readonly label: string;
  readonly spec: SamplerSpec;
}

const VP_OUTPUTS: readonly SamplerParameterization[] = ['eps', 'x0', 'v', 'score'];

/** Other spacings (one respacing, "n" sections, is linspace itself and is not a variant of it); steps_offset ± 1 for leading, the only spacing it shifts. */
function spacingVariants(s: TableSpacing): { label: string; spacing: TableSpacing }[] {
  if (!('stepsOffset' in s)) {
    return SPACING_KINDS.filter((k) => !(s.kind === 'respace' && k === 'linspace')).map((kind) => ({ label: `spacing ${kind} (declared ${s.kind})`, spacing: { kind, stepsOffset: 0 } }));
  }
  const out = SPACING_KINDS.filter((k) => k !== s.kind).map((kind) => ({ label: `spacing ${kind} (declared ${s.kind})`, spacing: { kind, stepsOffset: s.stepsOffset } as TableSpacing }));
  if (s.kind !== 'leading') return out;
  for (const off of [s.stepsOffset - 1, s.stepsOffset + 1]) {
    if (off >= 0) out.push({ label: `steps_offset ${off} (declared ${s.stepsOffset})`, spacing: { kind: s.kind, stepsOffset: off } });
  }
  return out;
}

/** Network-time conventions near the resolved one (index off by one, other presets). */
export function networkTimeVariants(time: NetworkTime, T: number): { label: string; time: NetworkTime }[] {
  if (time.kind === 'flow') {
    return [1, 1000, T].filter((s) => s !== time.scale).map((scale) => ({ label: `network time ${scale}·t (declared ${time.scale}·t)`, time: { kind: 'flow', scale } }));
  }
  const out: { label: string; time: NetworkTime }[] = [];
  if (time.kind === 'index') {
    out.push({ label: 'network time index − 1', time: { ...time, offset: time.offset - time.scale } });
    out.push({ label: 'network time index + 1', time: { ...time, offset: time.offset + time.scale } });
  }
  const presets: [string, NetworkTime][] = [
    ['training index', { kind: 'index', scale: 1, offset: 0 }],
    ['index·1000/T', { kind: 'index', scale: 1000 / T, offset: 0 }],
    ['t = index/T', { kind: 'index', scale: 1 / T, offset: 0 }],
    ['σ', { kind: 'sigma' }],
    ['¼ ln σ', { kind: 'c_noise' }],
  ];
  for (const [label, t] of presets) {
    const same = t.kind === time.kind && (t.kind !== 'index' || (time.kind === 'index' && t.scale === time.scale && t.offset === time.offset));
    if (!same) out.push({ label: `network time ${label}`, time: t });
  }
  return out;
}

export function declarationVariants(spec: SamplerSpec): DeclarationVariant[] {
  const out: DeclarationVariant[] = [];
  const add = (label: string, s: SamplerSpec) => out.push({ label, spec: s });
  if (spec.parameterization && VP_OUTPUTS.includes(spec.parameterization)) {
    for (const p of VP_OUTPUTS) if (p !== spec.parameterization) add(`output read as ${p} (declared ${spec.parameterization})`, { ...spec, parameterization: p });
  }
  switch (spec.family) {
    case 'ddpm':
      for (const v of ['beta', 'beta_tilde', 'learned_range'] as const) if (v !== spec.variance) add(`variance ${v} (declared ${spec.variance})`, { ...spec, variance: v });
      for (const s of spacingVariants(spec.spacing)) add(s.label, { ...spec, spacing: s.spacing });
      break;
    case 'ddim':
      add(`final_alpha_cumprod ${spec.finalAlphaCumprod === 'one' ? 'first' : 'one'} (declared ${spec.finalAlphaCumprod})`, { ...spec, finalAlphaCumprod: spec.finalAlphaCumprod === 'one' ? 'first' : 'one' });
      if (typeof spec.eta === 'number') add(`eta ${spec.eta === 0 ? 1 : 0} (declared ${spec.eta})`, { ...spec, eta: spec.eta === 0 ? 1 : 0 });
      if (spec.clip) add(`eps_from_clipped ${!spec.clip.epsFromClipped}`, { ...spec, clip: { ...spec.clip, epsFromClipped: !spec.clip.epsFromClipped } });
      for (const s of spacingVariants(spec.spacing)) add(s.label, { ...spec, spacing: s.spacing });
      break;
    case 'ddim_inversion':
      add(`initial_alpha_cumprod ${spec.initialAlphaCumprod === 'one' ? 'first' : 'one'} (declared ${spec.initialAlphaCumprod})`, { ...spec, initialAlphaCumprod: spec.initialAlphaCumprod === 'one' ? 'first' : 'one' });
      for (const s of spacingVariants(spec.spacing)) add(s.label, { ...spec, spacing: s.spacing });
      break;
    case 'euler':
    case 'heun':
    case 'dpmpp_2m':
      if (spec.family !== 'dpmpp_2m') {
        add(`init_noise ${spec.initNoise === 'sigma_max' ? 'sigma_max_sq_plus_one' : 'sigma_max'} (declared ${spec.initNoise})`, { ...spec, initNoise: spec.initNoise === 'sigma_max' ? 'sigma_max_sq_plus_one' : 'sigma_max' });
        add(`family ${spec.family === 'euler' ? 'heun' : 'euler'} (declared ${spec.family})`, { ...spec, family: spec.family === 'euler' ? 'heun' : 'euler' });
      } else {
        add(`state ${spec.state === 'vp' ? 've' : 'vp'} (declared ${spec.state})`, { ...spec, state: spec.state === 'vp' ? 've' : 'vp' });
        add(`final_sigma ${spec.finalSigma === 'zero' ? 'sigma_min' : 'zero'} (declared ${spec.finalSigma})`, { ...spec, finalSigma: spec.finalSigma === 'zero' ? 'sigma_min' : 'zero' });
        // With σ_n = 0 the last step is first order either way.
        if (spec.finalSigma === 'sigma_min') add(`lower_order_final ${!spec.lowerOrderFinal} (declared ${spec.lowerOrderFinal})`, { ...spec, lowerOrderFinal: !spec.lowerOrderFinal });
      }
      if (spec.sigmas.kind === 'table') for (const s of spacingVariants(spec.sigmas.spacing)) add(s.label, { ...spec, sigmas: { kind: 'table', spacing: s.spacing } });
      else {
        add(`tau_rounding ${spec.tauRounding === 'none' ? 'round' : 'none'} (declared ${spec.tauRounding})`, { ...spec, tauRounding: spec.tauRounding === 'none' ? 'round' : 'none' });
        add(`Karras rho ${spec.sigmas.rho === 7 ? 5 : 7} (declared ${spec.sigmas.rho})`, { ...spec, sigmas: { ...spec.sigmas, rho: spec.sigmas.rho === 7 ? 5 : 7 } });
      }
      break;
    case 'flow_euler':
    case 'flow_heun':
      add(`grid ${spec.grid === 'diffusers' ? 'uniform' : 'diffusers'} (declared ${spec.grid})`, { ...spec, grid: spec.grid === 'diffusers' ? 'uniform' : 'diffusers' });
      add(`shift ${spec.shift === 1 ? 3 : 1} (declared ${spec.shift})`, { ...spec, shift: spec.shift === 1 ? 3 : 1 });
      add(`family ${spec.family === 'flow_euler' ? 'flow_heun' : 'flow_euler'} (declared ${spec.family})`, { ...spec, family: spec.family === 'flow_euler' ? 'flow_heun' : 'flow_euler' });
      break;
  }
  return out;
}
