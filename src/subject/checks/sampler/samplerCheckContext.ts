import { InvalidArgumentError } from '../../../errors.ts';
import { type SamplerContext, type SamplerProgram, type SamplerRequest, type SamplerSpec, type TrainingTable, planSampler, spacedTimesteps, trainingTable } from '../../../diffusion/samplers/index.ts';
import type { Hello } from '../../protocol.ts';
import type { SamplerHello } from '../../samplerProtocol.ts';
import { samplerContextFor } from '../../samplerHello.ts';
import type { Subject } from '../../subject.ts';
import { InvalidResponseError, SubjectReplyError } from '../../subjectError.ts';
import { encodeSampleArgs } from '../../samplerProtocol.ts';
import { sampleShape } from '../../../diffusion/samplers/index.ts';

/**
 * Everything the sampler checks need about one subject (docs/protocol.md §8): its declared
 * samplers, its own ᾱ table (a zero-terminal-SNR last entry allowed), the step counts each
 * sampler can run, and the comparison precision.
 */
export interface SamplerCheckContext {
  readonly subject: Subject;
  readonly hello: Hello;
  readonly sampler: SamplerHello;
  readonly table?: TrainingTable;
  /** Relative tolerance of exact comparisons (float64 1e−9, float32 1e−4). */
  readonly rtol: number;
  readonly precision: 'float64' | 'float32';
  /** Whether the subject reports the τ of its network calls (one probe request per sampler at the start). */
  readonly reportsTau: Readonly<Record<string, boolean>>;
}

/** Step counts a sampler can be asked for, ascending; the largest is capped at `cap`. */
export function validStepCounts(spec: SamplerSpec, ctx: SamplerContext, cap = 1000): number[] {
  // Planning every n is O(T) each; the answer depends only on (spec, ctx, cap): computed once per run.
  let bySpec = VALID_STEPS.get(spec);
  if (!bySpec) VALID_STEPS.set(spec, (bySpec = new WeakMap()));
  let byCap = bySpec.get(ctx);
  if (!byCap) bySpec.set(ctx, (byCap = new Map()));
  const hit = byCap.get(cap);
  if (hit) return [...hit];
  const out = computeValidStepCounts(spec, ctx, cap);
  byCap.set(cap, out);
  return [...out];
}

const VALID_STEPS = new WeakMap<SamplerSpec, WeakMap<SamplerContext, Map<number, number[]>>>();

function computeValidStepCounts(spec: SamplerSpec, ctx: SamplerContext, cap: number): number[] {
  const continuous = spec.family === 'flow_euler' || spec.family === 'flow_heun' || ('sigmas' in spec && spec.sigmas.kind === 'karras');
  const max = continuous ? cap : Math.min(cap, ctx.table?.T ?? cap);
  const out: number[] = [];
  for (let n = 1; n <= max; n++) {
    // Karras and flow grids exist for every n; plan the ends only (σ → t interpolation is O(T) per level).
    if (continuous && n > 1 && n < max) {
      out.push(n);
      continue;
    }
    try {
      planSampler(spec, ctx, requestFor(spec, ctx.table, n, 0));
      out.push(n);
    } catch {
      // not a request this declaration can run (e.g. "ddimN" with no integer stride, σ on a zero-SNR table)
    }
  }
  return out;
}

/**
 * Step counts where the declared spacing's floating-point list differs from the same formula in
 * exact arithmetic — NumPy's linspace / arange put an exact .5 a hair below or above, and round
 * half to even decides — so an implementation that evaluates the formula any other way visits
 * another timestep at exactly these n (the rounding boundaries of the spacing; MATH.md §5.1).
 */
export function roundingCriticalSteps(spec: SamplerSpec, table: TrainingTable | undefined, valid: readonly number[]): number[] {
  const spacing = 'spacing' in spec ? spec.spacing : 'sigmas' in spec && spec.sigmas.kind === 'table' ? spec.sigmas.spacing : undefined;
  if (!table || !spacing || (spacing.kind !== 'linspace' && spacing.kind !== 'trailing')) return [];
  const multistep = spec.family === 'dpmpp_2m';
  const T = table.T;
  const exactRound = (num: number, den: number) => {
    const q = Math.floor(num / den), r = num - q * den;
    return 2 * r > den ? q + 1 : 2 * r < den ? q : q % 2 === 0 ? q : q + 1;
  };
  return valid.filter((n) => {
    let fp: Float64Array;
    try {
      fp = spacedTimesteps({ kind: spacing.kind as 'linspace' | 'trailing', T, n, stepsOffset: 0, variant: multistep ? 'multistep' : 'ddim' });
    } catch {
      return false;
    }
    const m = multistep && spacing.kind === 'linspace' ? n + 1 : n;
    for (let i = 0; i < n; i++) {
      const exact = spacing.kind === 'linspace' ? (m === 1 ? 0 : exactRound((T - 1) * (m - 1 - i), m - 1)) : exactRound(T * (n - i), n) - 1;
      if (exact !== fp[i]) return true;
    }
    return false;
  });
}

/** The request extras a declaration needs: η when "request", an explicit list when "explicit". */
export function requestFor(spec: SamplerSpec, table: TrainingTable | undefined, n: number, seed: number, eta = 0.5): SamplerRequest {
  const explicit = 'spacing' in spec && spec.spacing.kind === 'explicit';
  return {
    numInferenceSteps: n,
    ...(spec.family === 'ddim' && spec.eta === 'request' ? { eta } : {}),
    ...(explicit && table ? { timesteps: explicitList(table, n, seed) } : {}),
  };
}

/** n distinct training timesteps (subject indexing), descending, always including the last one; seeded. */
export function explicitList(table: TrainingTable, n: number, seed: number): number[] {
  const picks = new Set<number>([table.T - 1]);
  let s = (seed >>> 0) || 1;
  while (picks.size < Math.min(n, table.T)) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    picks.add(s % table.T);
  }
  return [...picks].sort((a, b) => b - a).map((j) => j + table.tBase);
}

export function contextOf(ctx: SamplerCheckContext, spec: SamplerSpec): SamplerContext {
  // One context object per (check context, sampler): validStepCounts caches on it.
  let bySpec = CONTEXTS.get(ctx);
  if (!bySpec) CONTEXTS.set(ctx, (bySpec = new WeakMap()));
  let c = bySpec.get(spec);
  if (!c) bySpec.set(spec, (c = samplerContextFor(ctx.sampler, spec, ctx.table)));
  return c;
}

const CONTEXTS = new WeakMap<SamplerCheckContext, WeakMap<SamplerSpec, SamplerContext>>();

export function programFor(ctx: SamplerCheckContext, spec: SamplerSpec, req: SamplerRequest): SamplerProgram {
  return planSampler(spec, contextOf(ctx, spec), req);
}

/** Builds the context: the subject must have declared `sample`; the table is fetched when declared. */
export async function samplerCheckContext(subject: Subject): Promise<SamplerCheckContext> {
  const { hello } = subject;
  if (!hello.sampler) throw new InvalidArgumentError('ops.sample', undefined, 'the subject declares no samplers (protocol version 2)');
  let table: TrainingTable | undefined;
  if ('schedule' in hello.ops) {
    const { id, result } = await subject.call('schedule', {});
    const r = result as { alpha_bar?: unknown; t_base?: unknown } | null;
    if (!Array.isArray(r?.alpha_bar)) throw new InvalidResponseError({ op: 'schedule', requestId: id }, 'result.alpha_bar', 'must be an array of numbers');
    try {
      table = trainingTable(r.alpha_bar as number[], r.t_base as 0 | 1);
    } catch (e) {
      throw new InvalidResponseError({ op: 'schedule', requestId: id }, 'result.alpha_bar', (e as Error).message);
    }
  }
  const precision = hello.precision ?? 'float64';
  const base = { subject, hello, sampler: hello.sampler, table, precision, rtol: precision === 'float32' ? 1e-4 : 1e-9 };
  const reportsTau: Record<string, boolean> = {};
  for (const [name, spec] of Object.entries(hello.sampler.samplers)) reportsTau[name] = await probeTau({ ...base, reportsTau }, name, spec);
  return { ...base, reportsTau };
}

/** One smallest request (n = the smallest valid count, d = 1, zero network): does the answer carry `tau`? */
async function probeTau(ctx: SamplerCheckContext, name: string, spec: SamplerSpec): Promise<boolean> {
  const sctx = contextOf(ctx, spec);
  let n = 1;
  for (; n <= (ctx.table?.T ?? 1000); n++) {
    try {
      planSampler(spec, sctx, requestFor(spec, ctx.table, n, 0));
      break;
    } catch {
      // try the next count
    }
  }
  const shape = sampleShape(ctx.sampler.fixedShape && ctx.sampler.sampleShape ? ctx.sampler.sampleShape.dims : ctx.sampler.sampleShape ? [1, ...ctx.sampler.sampleShape.dims.slice(1).map(() => 1)] : [1]);
  const zero = new Float64Array(shape.size);
  const lin = { mix: new Float64Array(shape.C * shape.C), diag: null };
  const req = requestFor(spec, ctx.table, n, 0);
  const args = encodeSampleArgs({
    sampler: name, numInferenceSteps: n, timesteps: req.timesteps, eta: req.eta, shape, xInit: [zero],
    noises: Array.from({ length: n }, () => [zero]),
    network: { kind: 'affine_time', shape, g: { omega: 1, phase: 0 }, W0: lin, W1: lin, b0: zero, b1: zero, ...(spec.family === 'ddpm' && spec.variance === 'learned_range' ? { variance: { v0: zero, v1: zero } } : {}) },
  }, ctx.sampler.binaryArrays);
  try {
    const { result } = await ctx.subject.call('sample', args);
    const tau = (result as Record<string, unknown> | null)?.tau;
    return Array.isArray(tau) || (typeof tau === 'object' && tau !== null);
  } catch (e) {
    if (e instanceof SubjectReplyError) return false; // sample.exact will report the failing request
    throw e;
  }
}
