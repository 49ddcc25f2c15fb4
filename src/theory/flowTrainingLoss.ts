import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { requireFiniteArray } from '../validate.ts';
import { type FlowCoefficients, type FlowPathSpec, flowCoefficients } from './flowPath.ts';

/*
 * A flow-matching training loss as real code writes it, and its exact gradient with respect to an
 * affine (optionally time-aware) network (MATH.md §19.5). Per sample, with x_t = a x₀ + s ε + r ξ:
 *  - the network outputs F = (W + τW_τ)x_t + b + τb_τ, τ = timeScale·t the time the network sees
 *    (SD3 passes timesteps = 1000·σ);
 *  - `prediction` says what F is (velocity, x₀ or ε); `target` what the loss regresses. The output is
 *    converted through x_t: with rows v = [ȧ, ṡ], x₀ = [1, 0], ε = [0, 1] of the pair (x₀, ε),
 *    Q̂ = κF + ρx_t, κ = (a q₁ − s q₀)/det, ρ = (q₀p₁ − q₁p₀)/det, det = a p₁ − s p₀
 *    (p, q the rows of prediction and target) — e.g. SD3's `precondition_outputs`: a velocity network
 *    read as x̂₀ = x_t − σF (κ = −t, ρ = 1 on the rectified path);
 *  - the loss is ℓ = w(s)/d′ ‖Q̂ − Q‖², d′ = d ('mean') or 1 ('sum'), with SD3's weightings
 *    w = 1 ('none'), σ⁻² ('sigma_sqrt'), 2/(π(1 − 2σ + 2σ²)) ('cosmap'), σ = s the path's noise coefficient.
 * Gradient: g = ∂ℓ/∂F = 2wκ(Q̂ − Q)/d′; ∂/∂W = g x_tᵀ, ∂/∂b = g, ∂/∂W_τ = τ g x_tᵀ, ∂/∂b_τ = τ g.
 */
export type FlowQuantity = 'velocity' | 'x0' | 'eps';
export const FLOW_QUANTITIES: readonly FlowQuantity[] = ['velocity', 'x0', 'eps'];

export type FlowLossWeighting = { readonly kind: 'none' } | { readonly kind: 'sigma_sqrt' } | { readonly kind: 'cosmap' };
export const FLOW_LOSS_WEIGHTINGS = ['none', 'sigma_sqrt', 'cosmap'] as const;

export interface FlowObjective {
  readonly path: FlowPathSpec;
  readonly prediction: FlowQuantity;
  readonly target: FlowQuantity;
  readonly weighting: FlowLossWeighting;
  readonly reduction: 'mean' | 'sum';
  /** τ = timeScale·t; used only by time-aware networks. */
  readonly timeScale: number;
}

/** F = (W + τW_τ)x + b + τb_τ; W_τ, b_τ absent: a network that ignores time. */
export interface FlowNetwork {
  readonly W: readonly (readonly number[])[];
  readonly b: readonly number[];
  readonly W_time?: readonly (readonly number[])[];
  readonly b_time?: readonly number[];
}

export interface FlowSample {
  readonly x0: ArrayLike<number>;
  readonly noise: ArrayLike<number>;
  readonly t: number;
  /** ξ of paths with r ≠ 0 (Tong's I-CFM). */
  readonly extraNoise?: ArrayLike<number>;
}

/** w(σ) of the declared weighting. */
export function flowLossWeight(w: FlowLossWeighting, sigma: number): number {
  switch (w.kind) {
    case 'none':
      return 1;
    case 'sigma_sqrt':
      return 1 / (sigma * sigma);
    case 'cosmap':
      return 2 / (Math.PI * (1 - 2 * sigma + 2 * sigma * sigma));
  }
}

function row(q: FlowQuantity, co: FlowCoefficients): [number, number] {
  return q === 'velocity' ? [co.da, co.ds] : q === 'x0' ? [1, 0] : [0, 1];
}

/** Q̂ = κF + ρx_t: the target-kind quantity implied by the network output (undefined where det = 0). */
export function outputConversion(prediction: FlowQuantity, target: FlowQuantity, co: FlowCoefficients): { kappa: number; rho: number } {
  if (prediction === target) return { kappa: 1, rho: 0 };
  if (co.r !== 0 || co.dr !== 0) throw new InvalidArgumentError('prediction', prediction, 'a path with extra noise (r ≠ 0) determines no x̂₀/ε̂ from x_t and one output: use velocity for both prediction and target');
  const p = row(prediction, co), q = row(target, co);
  const det = co.a * p[1] - co.s * p[0];
  if (det === 0) throw new InvalidArgumentError('t', co.t, `a ${prediction} output does not determine the ${target} at t = ${co.t} (x_t and the output are collinear)`);
  return { kappa: (co.a * q[1] - co.s * q[0]) / det, rho: (q[0] * p[1] - q[1] * p[0]) / det };
}

/** Why the objective is undefined at t (a conversion through a zero determinant, an infinite weight), or undefined. */
export function flowObjectiveUndefinedAt(obj: FlowObjective, t: number): string | undefined {
  const co = flowCoefficients(obj.path, t);
  try {
    outputConversion(obj.prediction, obj.target, co);
  } catch (e) {
    return (e as Error).message;
  }
  const w = flowLossWeight(obj.weighting, co.s);
  if (!Number.isFinite(w)) return `the ${obj.weighting.kind} weight is infinite at σ = ${co.s}`;
  return undefined;
}

function requireNetwork(net: FlowNetwork, d: number): void {
  if (net.W.length !== d || net.W.some((r) => r.length !== d)) throw new DimensionMismatchError('model.W', `${d}×${d}`, `${net.W.length}×${net.W[0]?.length}`);
  if (net.b.length !== d) throw new DimensionMismatchError('model.b', d, net.b.length);
  if ((net.W_time === undefined) !== (net.b_time === undefined)) throw new InvalidArgumentError('model.W_time', net.W_time, 'W_time and b_time come together');
  if (net.W_time && (net.W_time.length !== d || net.W_time.some((r) => r.length !== d))) throw new DimensionMismatchError('model.W_time', `${d}×${d}`, `${net.W_time.length}×${net.W_time[0]?.length}`);
  if (net.b_time && net.b_time.length !== d) throw new DimensionMismatchError('model.b_time', d, net.b_time.length);
}

/** x_t of one sample. */
export function flowInterpolate(path: FlowPathSpec, s: FlowSample): Float64Array {
  const co = flowCoefficients(path, s.t);
  return Float64Array.from(s.x0, (x, i) => co.a * x + co.s * s.noise[i] + (co.r !== 0 ? co.r * (s.extraNoise?.[i] ?? 0) : 0));
}

/** The regression target Q of kind `target` for one sample. */
function trueTarget(target: FlowQuantity, co: FlowCoefficients, s: FlowSample, i: number): number {
  if (target === 'x0') return s.x0[i];
  if (target === 'eps') return s.noise[i];
  return co.da * s.x0[i] + co.ds * s.noise[i] + (co.dr !== 0 ? co.dr * (s.extraNoise?.[i] ?? 0) : 0);
}

export interface FlowSampleLoss {
  readonly loss: number;
  readonly xt: Float64Array;
  readonly tau: number;
  readonly output: Float64Array;
  /** ∂ℓ/∂F. */
  readonly dOutput: Float64Array;
}

export function flowSampleLoss(obj: FlowObjective, net: FlowNetwork, s: FlowSample): FlowSampleLoss {
  const d = s.x0.length;
  if (s.noise.length !== d) throw new DimensionMismatchError('noise', d, s.noise.length);
  requireFiniteArray('x0', s.x0);
  requireFiniteArray('noise', s.noise);
  requireNetwork(net, d);
  const co = flowCoefficients(obj.path, s.t);
  if (co.r !== 0 && (!s.extraNoise || s.extraNoise.length !== d)) throw new DimensionMismatchError('extra_noise', d, s.extraNoise?.length ?? 0);
  const { kappa, rho } = outputConversion(obj.prediction, obj.target, co);
  const w = flowLossWeight(obj.weighting, co.s) / (obj.reduction === 'mean' ? d : 1);
  const xt = flowInterpolate(obj.path, s);
  const tau = obj.timeScale * s.t;
  const output = new Float64Array(d), dOutput = new Float64Array(d);
  let loss = 0;
  for (let i = 0; i < d; i++) {
    let f = net.b[i] + (net.b_time ? tau * net.b_time[i] : 0);
    for (let j = 0; j < d; j++) f += (net.W[i][j] + (net.W_time ? tau * net.W_time[i][j] : 0)) * xt[j];
    output[i] = f;
    const res = kappa * f + rho * xt[i] - trueTarget(obj.target, co, s, i);
    loss += w * res * res;
    dOutput[i] = 2 * w * kappa * res;
  }
  return { loss, xt, tau, output, dOutput };
}

/** The gradient of one sample's loss, flattened as [W row-major, b, W_τ row-major, b_τ] (time parts when the network has them). */
export function flowSampleGradient(net: FlowNetwork, l: FlowSampleLoss): Float64Array {
  const d = l.xt.length;
  const timed = net.W_time !== undefined;
  const out = new Float64Array((timed ? 2 : 1) * (d * d + d));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) out[i * d + j] = l.dOutput[i] * l.xt[j];
    out[d * d + i] = l.dOutput[i];
    if (timed) {
      const o = d * d + d;
      for (let j = 0; j < d; j++) out[o + i * d + j] = l.tau * l.dOutput[i] * l.xt[j];
      out[o + d * d + i] = l.tau * l.dOutput[i];
    }
  }
  return out;
}

/** Per-sample losses and the gradient of their batch mean (or sum). */
export function flowBatchLossGradient(obj: FlowObjective, net: FlowNetwork, samples: readonly FlowSample[], batchReduction: 'mean' | 'sum'): { losses: Float64Array; gradient: Float64Array } {
  if (samples.length < 1) throw new InvalidArgumentError('samples', samples.length, 'need at least one sample');
  const per = samples.map((s) => flowSampleLoss(obj, net, s));
  const k = batchReduction === 'mean' ? 1 / samples.length : 1;
  const gradient = new Float64Array(flowSampleGradient(net, per[0]).length);
  for (const l of per) {
    const g = flowSampleGradient(net, l);
    for (let i = 0; i < g.length; i++) gradient[i] += k * g[i];
  }
  return { losses: Float64Array.from(per, (l) => l.loss), gradient };
}
