import { DimensionMismatchError, InvalidArgumentError, ScorecheckError } from '../../errors.ts';
import type { Vector } from '../../linalg/index.ts';
import type { SampleShape } from './sampleShape.ts';

/**
 * The networks scorecheck supplies to a sampler under test (MATH.md §5.2). Both are affine in x
 * at each time value τ, so a whole sampling loop is an affine map of x_init and the noises.
 *
 * `affine_time`: f(x, τ) = (W₀ + g(τ)W₁)x + b₀ + g(τ)b₁ with g(τ) = sin(ωτ + φ), where each W is a
 * per-pixel channel mix plus a diagonal: (W x)[c,p] = Σ_c′ mix[c][c′]·x[c′,p] + diag[c,p]·x[c,p].
 * g is not monotone and has slope ω everywhere, so τ off by one grid step changes the output by
 * O(1)·‖W₁x + b₁‖ at the step sizes scorecheck picks ω for. An optional variance head
 * v(τ) = v₀ + g(τ)v₁ (x-independent, |v| ≤ 1) feeds learned-range samplers.
 *
 * `table`: the exact network for Gaussian data with one channel covariance at every pixel,
 * tabulated at the τ values a sampler may use: f(x, τ_m)[·,p] = K_m x[·,p] + B_m μ[·,p]. A call
 * at a τ that is not in the table is an error that names τ and the nearest entry.
 */
export interface StructuredLinear {
  /** C×C row-major channel mix. */
  readonly mix: Float64Array;
  /** Per-entry diagonal (length C·P), or null. */
  readonly diag: Float64Array | null;
}

export interface TimeFunction {
  readonly omega: number;
  readonly phase: number;
}

export interface AffineTimeNetwork {
  readonly kind: 'affine_time';
  readonly shape: SampleShape;
  readonly g: TimeFunction;
  readonly W0: StructuredLinear;
  readonly W1: StructuredLinear;
  readonly b0: Float64Array;
  readonly b1: Float64Array;
  readonly variance?: { readonly v0: Float64Array; readonly v1: Float64Array };
}

export interface TableNetwork {
  readonly kind: 'table';
  readonly shape: SampleShape;
  readonly tau: Float64Array;
  /** K_m and B_m, C×C row-major each. */
  readonly K: readonly Float64Array[];
  readonly B: readonly Float64Array[];
  readonly mu: Float64Array;
  /** Optional variance-head value per entry (broadcast over the sample). */
  readonly v?: Float64Array;
}

export type SamplerNetwork = AffineTimeNetwork | TableNetwork;

export interface NetworkEval {
  readonly out: Vector;
  readonly variance?: Vector;
}

/** g(τ) = sin(ωτ + φ). */
export function timeFunction(g: TimeFunction, tau: number): number {
  return Math.sin(g.omega * tau + g.phase);
}

/** A network was called at a τ the table does not hold. */
export class NetworkTimeError extends ScorecheckError {
  override name = 'NetworkTimeError';
  constructor(
    readonly tau: number,
    readonly nearest: number,
  ) {
    super(`network called at τ = ${tau}, which is not a tabulated time (nearest ${nearest})`);
  }
}

/** Index of the table entry matching τ to relative 1e-6 (float32 time values match too). */
export function tableIndex(net: TableNetwork, tau: number): number {
  let best = -1, bestErr = Infinity;
  for (let m = 0; m < net.tau.length; m++) {
    const err = Math.abs(net.tau[m] - tau);
    if (err < bestErr) {
      bestErr = err;
      best = m;
    }
  }
  if (best < 0 || !(bestErr <= 1e-6 * Math.max(1, Math.abs(tau)))) throw new NetworkTimeError(tau, best < 0 ? NaN : net.tau[best]);
  return best;
}

/**
 * out += s·(mix x) + s·(diag ⊙ x) for one structured map; with `abs` the magnitudes |mix||x| + |diag||x|
 * (x already non-negative) — the bound on the terms a floating-point evaluation sums.
 */
function addStructured(out: Vector, L: StructuredLinear, x: ArrayLike<number>, s: number, shape: SampleShape, abs: boolean): void {
  const { C, P } = shape;
  for (let c = 0; c < C; c++) {
    const o = c * P;
    for (let c2 = 0; c2 < C; c2++) {
      const w = abs ? Math.abs(s * L.mix[c * C + c2]) : s * L.mix[c * C + c2];
      if (w === 0) continue;
      const i2 = c2 * P;
      for (let p = 0; p < P; p++) out[o + p] += w * x[i2 + p];
    }
  }
  if (L.diag) {
    const D = L.diag;
    if (abs) for (let i = 0; i < out.length; i++) out[i] += Math.abs(s * D[i]) * x[i];
    else for (let i = 0; i < out.length; i++) out[i] += s * D[i] * x[i];
  }
}

function addMixed(out: Vector, M: Float64Array, x: ArrayLike<number>, shape: SampleShape, abs: boolean): void {
  addStructured(out, { mix: M, diag: null }, x, 1, shape, abs);
}

/** f(x, τ). With `magnitude` the bound |f|-terms for x ≥ 0 entrywise (x is then |x|). */
export function evaluateNetwork(net: SamplerNetwork, x: ArrayLike<number>, tau: number, magnitude = false): NetworkEval {
  const n = net.shape.size;
  if (x.length !== n) throw new DimensionMismatchError('network input', n, x.length);
  if (!Number.isFinite(tau)) throw new InvalidArgumentError('network τ', tau, 'must be finite');
  const out = new Float64Array(n);
  if (net.kind === 'affine_time') {
    const g = timeFunction(net.g, tau);
    addStructured(out, net.W0, x, 1, net.shape, magnitude);
    addStructured(out, net.W1, x, g, net.shape, magnitude);
    for (let i = 0; i < n; i++) {
      const b = net.b0[i] + g * net.b1[i];
      out[i] += magnitude ? Math.abs(net.b0[i]) + Math.abs(g * net.b1[i]) : b;
    }
    if (!net.variance) return { out };
    const { v0, v1 } = net.variance;
    return { out, variance: Float64Array.from(v0, (v, i) => v + g * v1[i]) };
  }
  const m = tableIndex(net, tau);
  addMixed(out, net.K[m], x, net.shape, magnitude);
  addMixed(out, net.B[m], magnitude ? net.mu.map(Math.abs) : net.mu, net.shape, magnitude);
  return net.v ? { out, variance: new Float64Array(n).fill(net.v[m]) } : { out };
}
