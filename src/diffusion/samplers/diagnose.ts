import type { Vector } from '../../linalg/index.ts';
import { declarationVariants, networkTimeVariants } from './declarationVariants.ts';
import { type NetworkTime, networkTimeAt, resolveNetworkTime } from './networkTime.ts';
import { planSampler } from './planSampler.ts';
import type { SamplerContext, SamplerProgram, SamplerRequest } from './samplerProgram.ts';
import type { SamplerNetwork } from './samplerNetwork.ts';
import type { SamplerSpec } from './samplerSpec.ts';
import { type SamplerOutcome, runSampler } from './runSampler.ts';
import { valueOps } from './samplerOps.ts';

function valueOnly(program: SamplerProgram, network: SamplerNetwork, xInit: ArrayLike<number>, noises: readonly (ArrayLike<number> | undefined)[]): Vector {
  return program.run(valueOps(network, (i) => (noises[i] ? Float64Array.from(noises[i] as ArrayLike<number>) : undefined)), Float64Array.from(xInit));
}

/**
 * Names the convention a disagreeing subject follows (MATH.md §5.6): the declarations one option
 * away whose τ list, or whose answer, reproduces the subject's. Pure: the check supplies what the
 * subject returned.
 */
interface Candidate {
  readonly label: string;
  readonly program: SamplerProgram;
}

function candidates(spec: SamplerSpec, ctx: SamplerContext, req: SamplerRequest): Candidate[] {
  const T = ctx.table?.T ?? (spec.family === 'flow_euler' || spec.family === 'flow_heun' ? spec.numTrainTimesteps : 1);
  const time = resolveNetworkTime(spec.networkTime ?? ctx.networkTime, T, ctx.table?.tBase ?? 0);
  const full: SamplerSpec = { ...spec, parameterization: spec.parameterization ?? ctx.parameterization, networkTime: time };
  const list = [
    ...declarationVariants(full),
    ...networkTimeVariants(time, T).map((v) => ({ label: v.label, spec: { ...full, networkTime: v.time } as SamplerSpec })),
  ];
  const out: Candidate[] = [];
  for (const v of list) {
    try {
      out.push({ label: v.label, program: planSampler(v.spec, ctx, req) });
    } catch {
      // a variant the request cannot run is no explanation
    }
  }
  return out;
}

const sameTaus = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((t, i) => Math.abs(t - b[i]) <= 1e-6 * Math.max(1, Math.abs(b[i])));

/**
 * Labels of the variants whose τ list equals the reported one, plus "the network is told the
 * position in the respaced list" (τ of index n−1−i) for table-based samplers.
 */
export function conventionsMatchingTaus(spec: SamplerSpec, ctx: SamplerContext, req: SamplerRequest, reported: readonly number[]): string[] {
  const declared = planSampler(spec, ctx, req).taus;
  if (sameTaus(declared, reported)) return [];
  // Variants with the declared τ list cannot explain a different one.
  const found = candidates(spec, ctx, req).filter((c) => !sameTaus(c.program.taus, declared) && sameTaus(c.program.taus, reported)).map((c) => c.label);
  if (ctx.table && reported.length === declared.length && reported.length > 1 && (spec.family === 'ddpm' || spec.family === 'ddim' || spec.family === 'ddim_inversion')) {
    const time: NetworkTime = resolveNetworkTime(spec.networkTime ?? ctx.networkTime, ctx.table.T, ctx.table.tBase);
    const n = reported.length;
    const positions = Array.from({ length: n }, (_, i) => (spec.family === 'ddim_inversion' ? i : n - 1 - i));
    try {
      const taus = positions.map((j) => networkTimeAt(time, { index: j, sigma: ctx.table!.sigma[j] }, ctx.table));
      if (sameTaus(taus, reported)) found.push('the network is told the position in the respaced list, not the training timestep');
    } catch {
      // positions beyond the table cannot be told
    }
  }
  return found;
}

/**
 * Labels of the variants whose exact answer is within `tolerance(declared, i)` of the subject's,
 * for every coordinate — among those whose answer differs from the declared sampler's on this input
 * (one value run per variant; the declared answer's rounding spread sets the tolerance).
 */
export function variantsMatchingOutput(
  spec: SamplerSpec, ctx: SamplerContext, req: SamplerRequest, network: SamplerNetwork,
  xInit: ArrayLike<number>, noises: readonly (ArrayLike<number> | undefined)[], got: ArrayLike<number>, tolerance: (o: SamplerOutcome, i: number) => number,
): string[] {
  const out: string[] = [];
  const zs = (program: SamplerProgram) => program.noiseSteps.map((used, i) => (used ? (noises[i] ?? new Float64Array(xInit.length)) : undefined));
  const declared = runSampler(planSampler(spec, ctx, req), network, xInit, zs(planSampler(spec, ctx, req)));
  const within = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= tolerance(declared, i))) return false;
    return true;
  };
  if (within(got, declared.xFinal)) return [];
  for (const c of candidates(spec, ctx, req)) {
    try {
      const r = valueOnly(c.program, network, xInit, zs(c.program));
      if (!within(declared.xFinal, r) && within(got, r)) out.push(c.label);
    } catch {
      // a variant that cannot run this input explains nothing
    }
  }
  return out;
}
