/*
 * The scorecheck subject protocol, flow-matching training side (issue 19; docs/protocol.md §9).
 * Re-exported by protocol.ts; every op is optional and additive to protocol version 1. Flow ops
 * need no ᾱ table: the path is declared in the hello's `flow` section (default rectified flow,
 * x_t = (1 − t)x₀ + tε), and times are the path's t ∈ [0, 1] (the noise level σ = t for rectified flow).
 */
import type { FlowPathSpec } from '../theory/flowPath.ts';
import type { FlowTimeLaw } from '../theory/flowTimeLaw.ts';
import type { FlowLossWeighting, FlowQuantity } from '../theory/flowTrainingLoss.ts';

export type FlowOpName = 'flow_interpolate' | 'flow_loss' | 'flow_loss_grad' | 'flow_timestep_sampler';
export const FLOW_OP_NAMES: readonly FlowOpName[] = ['flow_interpolate', 'flow_loss', 'flow_loss_grad', 'flow_timestep_sampler'];

/** hello.flow: the conditional path every flow op uses. */
export interface FlowHello {
  readonly path: FlowPathSpec;
}

/** `ops.flow_loss` / `ops.flow_loss_grad`: the training loss as the subject computes it. */
export interface FlowLossDeclaration {
  /** What the network outputs. */
  readonly prediction: FlowQuantity;
  /** What the loss regresses (the output converted through x_t; SD3's precondition_outputs: velocity → x0). */
  readonly target: FlowQuantity;
  readonly weighting: FlowLossWeighting;
  /** Reduction over coordinates of one sample. */
  readonly reduction: 'mean' | 'sum';
  /** The network sees τ = scale·t (SD3: 1000); declared: the supplied network is time-aware. */
  readonly network_time?: { readonly scale: number };
  /** flow_loss_grad: loss.mean() or loss.sum() before backward(). */
  readonly batch_reduction?: 'mean' | 'sum';
}

export interface FlowDeclaredOps {
  readonly flow_interpolate?: Record<string, never>;
  readonly flow_loss?: FlowLossDeclaration;
  readonly flow_loss_grad?: FlowLossDeclaration & { readonly batch_reduction: 'mean' | 'sum' };
  readonly flow_timestep_sampler?: FlowTimeLaw;
}

/** F = (W + τW_time)x + b + τb_time (W_time, b_time present when network_time is declared). */
export interface FlowModel {
  readonly W: number[][];
  readonly b: number[];
  readonly W_time?: number[][];
  readonly b_time?: number[];
}

export interface FlowInterpolateArgs { readonly x0: number[][]; readonly noise: number[][]; readonly t: number[]; readonly extra_noise?: number[][] }
export interface FlowInterpolateResult { readonly xt: number[][] }
export interface FlowLossArgs extends FlowInterpolateArgs { readonly model: FlowModel }
export interface FlowLossResult { readonly loss: number[] }
export interface FlowLossGradResult { readonly loss: number[]; readonly grad: { readonly W: number[][]; readonly b: number[]; readonly W_time?: number[][]; readonly b_time?: number[] } }
export interface FlowTimestepSamplerArgs { readonly n: number; readonly seed: number }
export interface FlowTimestepSamplerResult { readonly t: number[] }
