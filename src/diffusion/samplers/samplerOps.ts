import { InvalidArgumentError } from '../../errors.ts';
import type { Vector } from '../../linalg/index.ts';
import type { Denoiser } from './denoiser.ts';
import { type NetworkEval, type SamplerNetwork, evaluateNetwork } from './samplerNetwork.ts';

/**
 * The vector operations a sampling loop is written in (MATH.md §5.3). Every family's loop is
 * written once against this interface and run in two modes:
 * - `valueOps`: the numbers a correct implementation computes (records each network τ);
 * - `magnitudeOps`: the same loop on magnitudes (Σ|c_k||v_k|, |W||x| + |b|, |z|), a bound on the
 *   size of the terms every output coordinate is summed from — the scale of its rounding error.
 */
export interface SamplerOps {
  /** Σ_k c_k v_k. */
  lin(terms: ReadonlyArray<readonly [number, Vector]>): Vector;
  /** The network at input `u` (already scaled) and time τ. */
  net(u: Vector, tau: number): NetworkEval;
  /** The supplied noise of step i. */
  noise(step: number): Vector;
  /** clamp(v, −r, r). */
  clip(v: Vector, range: number): Vector;
  /** exp(½(f·log βmax + (1−f)·log βmin)) ⊙ z with f = (v + 1)/2 (learned-range variance). */
  learnedRangeNoise(v: Vector, logMin: number, logMax: number, z: Vector): Vector;
}

/** x̂₀ and ε̂ of one network call: f = net(inScale·x, τ). */
export function denoise(ops: SamplerOps, x: Vector, tau: number, d: Denoiser): { x0: Vector; eps: Vector; f: NetworkEval } {
  const f = ops.net(d.inScale === 1 ? x : ops.lin([[d.inScale, x]]), tau);
  return { x0: ops.lin([[d.cx, x], [d.co, f.out]]), eps: ops.lin([[d.ex, x], [d.eo, f.out]]), f };
}

/** x̂₀ only (σ-space and flow solvers never need ε̂). */
export function denoiseX0(ops: SamplerOps, x: Vector, tau: number, d: Denoiser): Vector {
  const f = ops.net(d.inScale === 1 ? x : ops.lin([[d.inScale, x]]), tau);
  return ops.lin([[d.cx, x], [d.co, f.out]]);
}

function combine(terms: ReadonlyArray<readonly [number, Vector]>, abs: boolean): Vector {
  const n = terms[0][1].length;
  const out = new Float64Array(n);
  for (const [c, v] of terms) {
    if (c === 0) continue;
    if (!Number.isFinite(c)) throw new InvalidArgumentError('sampler coefficient', c, 'must be finite');
    const k = abs ? Math.abs(c) : c;
    for (let i = 0; i < n; i++) out[i] += k * v[i];
  }
  return out;
}

function stdOf(v: number, logMin: number, logMax: number): number {
  const f = (v + 1) / 2;
  return Math.exp(0.5 * (f * logMax + (1 - f) * logMin));
}

export interface ValueOps extends SamplerOps {
  /** τ of every network call so far, in call order. */
  readonly taus: number[];
}

/** Noises per step (null: the loop must not draw any). */
export type StepNoises = (step: number) => Vector | undefined;

export function valueOps(network: SamplerNetwork, noises: StepNoises): ValueOps {
  const taus: number[] = [];
  return {
    taus,
    lin: (terms) => combine(terms, false),
    net(u, tau) {
      taus.push(tau);
      return evaluateNetwork(network, u, tau);
    },
    noise(step) {
      const z = noises(step);
      if (!z) throw new InvalidArgumentError('noises', step, `step ${step} needs a supplied noise`);
      return z;
    },
    clip: (v, r) => v.map((x) => Math.min(r, Math.max(-r, x))),
    learnedRangeNoise: (v, lo, hi, z) => z.map((zi, i) => stdOf(v[i], lo, hi) * zi),
  };
}

export function magnitudeOps(network: SamplerNetwork, noises: StepNoises): SamplerOps {
  return {
    lin: (terms) => combine(terms, true),
    net: (u, tau) => evaluateNetwork(network, u, tau, true),
    noise(step) {
      const z = noises(step);
      if (!z) throw new InvalidArgumentError('noises', step, `step ${step} needs a supplied noise`);
      return z.map(Math.abs);
    },
    clip: (v, r) => v.map((x) => Math.min(r, x)),
    learnedRangeNoise: (v, lo, hi, z) => z.map((zi, i) => stdOf(v[i], lo, hi) * Math.abs(zi)),
  };
}
