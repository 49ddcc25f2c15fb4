import { InvalidArgumentError } from '../../errors.ts';
import type { Vector } from '../../linalg/index.ts';
import type { SamplerParameterization, StateLevel } from './denoiser.ts';
import { type NetworkTime, type NetworkTimeDecl, type NoisePoint, networkTimeAt, resolveNetworkTime } from './networkTime.ts';
import type { SamplerOps } from './samplerOps.ts';
import type { SamplerFamily } from './samplerSpec.ts';
import type { TrainingTable } from './trainingTable.ts';

/**
 * One declared sampler, planned for one request (MATH.md §5.4): the noise path it walks, the τ
 * of every network call, which steps draw noise, and the loop itself, written once against
 * SamplerOps. The loop is affine in x_init and the noises (the network is affine in x at each τ),
 * so `run` with valueOps is the exact answer and with magnitudeOps the scale of its rounding.
 */
export interface SamplerProgram {
  readonly family: SamplerFamily;
  /** Number of steps n. */
  readonly steps: number;
  /** The subject's timesteps (table-based), or the σ / flow-t grid, for reports. */
  readonly timesteps: readonly number[];
  /** State levels x = a·x₀ + s·ε at the start of each step and after the last (length n + 1). */
  readonly levels: readonly StateLevel[];
  /** τ of each network call, in call order. */
  readonly taus: readonly number[];
  /** The noise level the network's time τ stands for, per call (where the exact network is evaluated). */
  readonly callLevels: readonly StateLevel[];
  /** Steps whose supplied noise the loop uses (length n). */
  readonly noiseSteps: readonly boolean[];
  /** Global order of accuracy the family is built for. */
  readonly order: number;
  /** The loop's initial state is initScale·x_init. */
  readonly initScale: number;
  /** Noise level of the continuous limit: 0 for the probability-flow ODE, η for DDIM(η), 1 for DDPM. */
  readonly eta: number;
  run(ops: SamplerOps, xInit: Vector): Vector;
}

/** What a `sample` request adds to the declaration. */
export interface SamplerRequest {
  readonly numInferenceSteps: number;
  /** Explicit timesteps in the subject's indexing (spacing "explicit"). */
  readonly timesteps?: readonly number[];
  /** DDIM η when the declaration says "request". */
  readonly eta?: number;
}

/** The subject-wide facts a declaration is resolved against. */
export interface SamplerContext {
  readonly table?: TrainingTable;
  readonly parameterization: SamplerParameterization;
  readonly networkTime: NetworkTimeDecl;
}

export function requireTable(ctx: SamplerContext, family: SamplerFamily): TrainingTable {
  if (!ctx.table) throw new InvalidArgumentError('schedule', undefined, `the ${family} sampler needs the subject's ᾱ table (declare the schedule op)`);
  return ctx.table;
}

/** τ for each point under the context's convention. */
export function tausAt(ctx: SamplerContext, points: readonly NoisePoint[], T: number): { time: NetworkTime; taus: number[] } {
  const time = resolveNetworkTime(ctx.networkTime, T, ctx.table?.tBase ?? 0);
  return { time, taus: points.map((p) => networkTimeAt(time, p, ctx.table)) };
}

/** VP level of ᾱ: a = √ᾱ, s = √(1 − ᾱ). */
export function vpState(alphaBar: number): StateLevel {
  return { a: Math.sqrt(alphaBar), s: Math.sqrt(1 - alphaBar) };
}
