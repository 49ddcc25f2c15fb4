import { InvalidArgumentError } from '../../errors.ts';
import type { Vector } from '../../linalg/index.ts';
import type { Denoiser } from './denoiser.ts';
import { type NetworkEval, type SamplerNetwork, evaluateNetwork } from './samplerNetwork.ts';

/**
 * The vector operations a sampling loop is written in (MATH.md §5.3). Every family's loop is
 * written once against this interface and run in two modes:
 * - `valueOps`: the numbers a correct implementation computes (records each network τ);
 * - `perturbedOps`: the same with every operation's result multiplied entrywise by (1 + u·ξ),
 *   ξ uniform on [−1, 1] and seeded — rounding at relative level u, propagated through the loop's
 *   own dynamics (with its cancellations), which is what separates two correct implementations.
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

function combine(terms: ReadonlyArray<readonly [number, Vector]>): Vector {
  const n = terms[0][1].length;
  const out = new Float64Array(n);
  for (const [c, v] of terms) {
    if (c === 0) continue;
    if (!Number.isFinite(c)) throw new InvalidArgumentError('sampler coefficient', c, 'must be finite');
    for (let i = 0; i < n; i++) out[i] += c * v[i];
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
    lin: (terms) => combine(terms),
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

/** Values with each operation's result perturbed at relative level u (seeded; see the header). */
export function perturbedOps(network: SamplerNetwork, noises: StepNoises, u: number, seed: number): SamplerOps {
  const exact = valueOps(network, noises);
  let state = (seed >>> 0) || 0x9e3779b9;
  const xi = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 4294967296) * 2 - 1;
  };
  const jiggle = (v: Vector) => {
    for (let i = 0; i < v.length; i++) v[i] *= 1 + u * xi();
    return v;
  };
  return {
    lin: (terms) => jiggle(exact.lin(terms)),
    net: (x, tau) => {
      const f = exact.net(x, tau);
      jiggle(f.out); // a fresh array from evaluateNetwork
      return f;
    },
    noise: exact.noise,
    clip: exact.clip,
    learnedRangeNoise: (v, lo, hi, z) => jiggle(exact.learnedRangeNoise(v, lo, hi, z)),
  };
}
