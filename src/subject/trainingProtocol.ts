/*
 * The scorecheck subject protocol, training side (issue 16; docs/protocol.md §7): schedules by
 * name, learned variance, the variational bound's terms, loss gradients, the training timestep
 * sampler, and input optimization (conditioning inputs, score distillation). Re-exported by
 * protocol.ts; every op is optional and additive to protocol version 1.
 */
import type { AffineModel, Weighting } from './protocol.ts';
import type { NamedScheduleSpec } from '../diffusion/namedSchedules.ts';
import type { VarianceSpec } from '../diffusion/learnedVariance.ts';
import type { DecoderSpec, VlbUnits } from '../theory/variationalBound.ts';
import type { TimestepSamplerSpec } from '../theory/timestepDistribution.ts';
import type { SdsGradientKind, SdsWeighting } from '../theory/sdsGradient.ts';

export type TrainingOpName = 'loss_grad' | 'vlb_terms' | 'vlb_prior' | 'timestep_sampler' | 'loss_input_grad' | 'sds_grad';
export const TRAINING_OP_NAMES: readonly TrainingOpName[] = ['loss_grad', 'vlb_terms', 'vlb_prior', 'timestep_sampler', 'loss_input_grad', 'sds_grad'];

/** `ops.schedule`: optionally the schedule the table is meant to be (checked by `schedule.named`). */
export interface ScheduleDeclaration {
  readonly named?: NamedScheduleSpec;
}

/** `ops.loss_grad`: the loss whose gradient the subject's autograd returns. */
export interface LossGradDeclaration {
  readonly weighting: Weighting;
  readonly reduction: 'mean' | 'sum';
  /** How the per-sample losses are reduced before backward(): loss.mean() or loss.sum(). */
  readonly batch_reduction: 'mean' | 'sum';
  /** The variance output (default fixed_small); learned kinds make the network 2d × d. */
  readonly variance: VarianceSpec;
  /** Improved DDPM's hybrid objective: L_simple + vlb_weight · L_vlb with the mean detached in L_vlb. */
  readonly hybrid?: { readonly vlb_weight: number; readonly decoder: DecoderSpec; readonly units: VlbUnits };
}

/** `ops.vlb_terms` / `ops.vlb_prior`: the variational bound's terms. */
export interface VlbDeclaration {
  readonly variance: VarianceSpec;
  readonly decoder: DecoderSpec;
  readonly units: VlbUnits;
}

/** `ops.loss_input_grad`: a conditional DSM loss and its gradient with respect to the conditioning input. */
export interface LossInputGradDeclaration {
  readonly weighting: Weighting;
  readonly reduction: 'mean' | 'sum';
}

/** `ops.sds_grad`: the gradient of a score-distillation loss with respect to N(μ, FFᵀ). */
export interface SdsGradDeclaration {
  readonly gradient: SdsGradientKind;
  readonly weighting: SdsWeighting;
  readonly reduction: 'mean' | 'sum';
}

export interface TrainingDeclaredOps {
  readonly loss_grad?: LossGradDeclaration;
  readonly vlb_terms?: VlbDeclaration;
  readonly vlb_prior?: { readonly units: VlbUnits };
  readonly timestep_sampler?: TimestepSamplerSpec;
  readonly loss_input_grad?: LossInputGradDeclaration;
  readonly sds_grad?: SdsGradDeclaration;
}

/** A network with a mean head and, for learned variances, a variance head: W is (d or 2d) × d. */
export interface HeadedModel {
  readonly W: number[][];
  readonly b: number[];
}
export interface LossGradArgs { readonly x0: number[][]; readonly noise: number[][]; readonly t: number[]; readonly model: HeadedModel }
export interface LossGradResult { readonly loss: number[]; readonly grad: { readonly W: number[][]; readonly b: number[] } }
export interface VlbTermsArgs { readonly x0: number[][]; readonly xt: number[][]; readonly t: number[]; readonly model: HeadedModel }
export interface VlbTermsResult { readonly terms: number[] }
export interface VlbPriorArgs { readonly x0: number[][] }
export interface VlbPriorResult { readonly prior: number[] }
export interface TimestepSamplerArgs { readonly n: number; readonly seed: number; readonly history?: { readonly t: number[]; readonly loss: number[] } }
export interface TimestepSamplerResult { readonly t: number[]; readonly weights?: number[]; readonly probabilities?: number[] }
/** f(x_t, c) = W x_t + U c + b. */
export interface ConditionalModel { readonly W: number[][]; readonly U: number[][]; readonly b: number[] }
export interface LossInputGradArgs { readonly x0: number[][]; readonly noise: number[][]; readonly t: number[]; readonly c: number[][]; readonly model: ConditionalModel }
export interface LossInputGradResult { readonly loss: number[]; readonly grad_c: number[][] }
export interface SdsGradArgs { readonly mu: number[]; readonly F: number[][]; readonly t: number[]; readonly xi: number[][]; readonly noise: number[][]; readonly model: AffineModel }
export interface SdsGradResult { readonly grad_mu: number[][]; readonly grad_F: number[][][] }
