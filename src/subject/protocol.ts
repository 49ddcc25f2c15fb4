/**
 * The scorecheck subject protocol, version 1 (docs/protocol.md is the normative text).
 * Every payload is plain JSON: a batch of vectors is an array of B arrays of length d
 * (row-major), a matrix is an array of rows. Timesteps are in the subject's own
 * indexing: subject timestep k is scorecheck's t = k − t_base + 1, with ᾱ_t = alpha_bar[t − 1].
 */
export const PROTOCOL_VERSION = 1;

// ---- protocol version 2: sampling loops (docs/protocol.md §7; samplerProtocol.ts) ----
/** The newest version scorecheck speaks; the hello request offers it, version-1 subjects answer 1. */
export const MAX_PROTOCOL_VERSION = 2;
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [1, 2];
/** Operations that need a version-2 hello. */
export const V2_OP_NAMES: readonly OpName[] = ['sample'];
// ---- end version 2 ----

import type { Parameterization } from '../diffusion/parameterization.ts';
import type { Precision } from '../numerics/roundingArithmetic.ts';
import type { SamplerHello } from './samplerProtocol.ts';
/** The network outputs a subject may declare (src/diffusion/parameterization.ts). */
export const SUBJECT_PARAMETERIZATIONS: readonly Parameterization[] = ['eps', 'x0', 'v', 'score'];

/** λ_t multiplying ‖model output − target‖² in the subject's parameterization (src/diffusion/lossWeighting.ts). */
export type { Weighting } from '../diffusion/lossWeighting.ts';
import type { Weighting } from '../diffusion/lossWeighting.ts';

/** Reverse-step variance σ_t²: β_t, or the posterior variance β̃_t = (1−ᾱ_{t−1})β_t/(1−ᾱ_t). */
export type StepVariance = 'beta' | 'beta_tilde';

export type OpName = 'schedule' | 'add_noise' | 'q_sample' | 'posterior' | 'loss' | 'step' | 'zero_shot_step' | TrainingOpName
  // version 2 (samplers)
  | 'sample'
  // flow matching (issue 19)
  | FlowOpName;
export const OP_NAMES: readonly OpName[] = ['schedule', 'add_noise', 'q_sample', 'posterior', 'loss', 'step', 'zero_shot_step', ...TRAINING_OP_NAMES,
  // version 2 (samplers)
  'sample',
  // flow matching (issue 19)
  ...FLOW_OP_NAMES];

/** Per-operation declarations in the hello; an op absent here is not implemented. */
export interface DeclaredOps extends TrainingDeclaredOps, FlowDeclaredOps {
  readonly schedule?: ScheduleDeclaration;
  readonly add_noise?: Record<string, never>;
  readonly q_sample?: Record<string, never>;
  readonly posterior?: Record<string, never>;
  readonly loss?: { readonly weighting: Weighting; readonly reduction: 'mean' | 'sum' };
  readonly step?: { readonly variance: StepVariance };
  readonly zero_shot_step?: { readonly variant: 'ddnm' | 'bo_ddnm'; readonly variance: StepVariance };
  // version 2 (samplers): the declarations are in Hello.sampler
  readonly sample?: Record<string, never>;
}

export interface Hello {
  readonly protocol_version: number;
  readonly name: string;
  /** Required when loss, step or zero_shot_step is declared. */
  readonly parameterization?: Parameterization;
  /** 'float64' (default) or 'float32': sets the relative tolerance of exact comparisons. */
  readonly precision?: 'float64' | 'float32';
  /** Precision of the schedule coefficients (default: `precision`); see the training section below. */
  readonly coefficient_precision?: Precision;
  readonly ops: DeclaredOps;
  /** Version 2: the sampler section (sample shape, network time, declared samplers) when `sample` is declared. */
  readonly sampler?: SamplerHello;
  /** Flow matching (issue 19): the path of the flow ops; present when a flow op is declared. */
  readonly flow?: FlowHello;
}

/** An affine network in the subject's parameterization: output = W x_t + b (same for every t). */
export interface AffineModel {
  readonly W: number[][];
  readonly b: number[];
}

export interface ScheduleResult { readonly alpha_bar: number[]; readonly t_base: 0 | 1 }
export interface AddNoiseArgs { readonly x0: number[][]; readonly noise: number[][]; readonly t: number[] }
export interface QSampleArgs { readonly x0: number[][]; readonly t: number[]; readonly seed: number }
export interface PosteriorArgs { readonly x0: number[][]; readonly xt: number[][]; readonly t: number[] }
export interface PosteriorResult { readonly mean: number[][]; readonly variance: number[] }
export interface LossArgs { readonly x0: number[][]; readonly noise: number[][]; readonly t: number[]; readonly model: AffineModel }
export interface LossResult { readonly loss: number[] }
export interface StepArgs { readonly xt: number[][]; readonly t: number[]; readonly z: number[][]; readonly model: AffineModel }
export interface ZeroShotArgs extends StepArgs { readonly H: number[][]; readonly y: number[][]; readonly sigma_y: number }
export interface XtResult { readonly xt: number[][] }
export interface XPrevResult { readonly x_prev: number[][] }

/** Wire messages (one JSON object per line). */
export interface Request { readonly id: number; readonly op: OpName | 'hello'; readonly args: unknown }
export type Response = { readonly id: number; readonly result: unknown } | { readonly id: number; readonly error: string };

// ─── Flow matching (issue 19; docs/protocol.md §9): declarations and payloads in flowProtocol.ts ─
export * from './flowProtocol.ts';
import { FLOW_OP_NAMES, type FlowDeclaredOps, type FlowHello, type FlowOpName } from './flowProtocol.ts';

// ─── Training side (issue 16; docs/protocol.md §7) ───────────────────────────────────────────
// Declarations and payloads of the training ops live in trainingProtocol.ts (one concept per file).
export * from './trainingProtocol.ts';
import { TRAINING_OP_NAMES, type TrainingDeclaredOps, type TrainingOpName, type ScheduleDeclaration } from './trainingProtocol.ts';
