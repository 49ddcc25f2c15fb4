import { DimensionMismatchError, NonFiniteError } from '../../errors.ts';
import type { Vector } from '../../linalg/index.ts';
import type { SamplerProgram } from './samplerProgram.ts';
import { type StepNoises, perturbedOps, valueOps } from './samplerOps.ts';
import type { SamplerNetwork } from './samplerNetwork.ts';

/** The exact answer of a sampling loop for one x_init, with the sensitivity of each coordinate to rounding. */
export interface SamplerOutcome {
  readonly xFinal: Vector;
  /**
   * How far each coordinate moves per unit of relative rounding at every operation (the larger
   * of two seeded perturbed runs at u = 2⁻³⁰ — one for samples of ≥ 64 values, whose rms floor in
   * loopTolerance already guards against an accidental zero — divided by u): a loop rounding at
   * level u differs from the exact answer by about u·spread (MATH.md §5.3).
   */
  readonly spread: Vector;
  /** τ of each network call made. */
  readonly taus: readonly number[];
}

/** The relative level of the perturbed runs (small enough to stay in the linear regime). */
const PROBE_U = 2 ** -30;

/**
 * Runs `program` on one initial state with the supplied network and per-step noises (noises[i] for
 * step i; steps the program does not draw noise on may be absent). Throws on a non-finite result.
 */
export function runSampler(program: SamplerProgram, network: SamplerNetwork, xInit: ArrayLike<number>, noises: readonly (ArrayLike<number> | undefined)[] = []): SamplerOutcome {
  const size = network.shape.size;
  if (xInit.length !== size) throw new DimensionMismatchError('x_init', size, xInit.length);
  const step: StepNoises = (i) => {
    const z = noises[i];
    if (z === undefined) return undefined;
    if (z.length !== size) throw new DimensionMismatchError(`noises[${i}]`, size, z.length);
    return z instanceof Float64Array ? z : Float64Array.from(z);
  };
  const x = Float64Array.from(xInit);
  const ops = valueOps(network, step);
  const xFinal = program.run(ops, x);
  for (let i = 0; i < xFinal.length; i++) if (!Number.isFinite(xFinal[i])) throw new NonFiniteError(`${program.family}.x_final[${i}]`, xFinal[i]);
  const spread = new Float64Array(xFinal.length);
  for (const seed of x.length >= 64 ? [1] : [1, 2]) {
    const y = program.run(perturbedOps(network, step, PROBE_U, seed), x);
    for (let i = 0; i < y.length; i++) spread[i] = Math.max(spread[i], Math.abs(y[i] - xFinal[i]) / PROBE_U);
  }
  return { xFinal, spread, taus: ops.taus };
}

/**
 * Tolerance of coordinate i of an answer: rtol·(4·max(spread_i, spread_rms/10) + 10⁻³|x_i|) — a
 * loop that rounds at relative level rtol at every operation (rtol = 1e−9 for float64 subjects,
 * 1e−4 for float32, far above their unit roundoff) stays inside it; the floor keeps a coordinate
 * whose spread happens to vanish from demanding bit-exactness (MATH.md §5.3).
 */
export function loopTolerance(o: Pick<SamplerOutcome, 'xFinal' | 'spread'>, i: number, rtol: number): number {
  let ss = 0;
  for (let k = 0; k < o.spread.length; k++) ss += o.spread[k] * o.spread[k];
  const rms = Math.sqrt(ss / Math.max(1, o.spread.length));
  return rtol * (4 * Math.max(o.spread[i], rms / 10) + 1e-3 * Math.abs(o.xFinal[i]));
}

/** The exact answer only (no rounding spread): for oracle-side laws that need no tolerance. */
export function runSamplerValue(program: SamplerProgram, network: SamplerNetwork, xInit: ArrayLike<number>, noises: readonly (ArrayLike<number> | undefined)[] = []): Vector {
  return program.run(valueOps(network, (i) => (noises[i] ? Float64Array.from(noises[i] as ArrayLike<number>) : undefined)), Float64Array.from(xInit));
}
