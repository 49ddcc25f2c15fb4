import { DimensionMismatchError, NonFiniteError } from '../../errors.ts';
import type { Vector } from '../../linalg/index.ts';
import type { SamplerProgram } from './samplerProgram.ts';
import { type StepNoises, magnitudeOps, valueOps } from './samplerOps.ts';
import type { SamplerNetwork } from './samplerNetwork.ts';

/** The exact answer of a sampling loop for one x_init, with the scale of its rounding error. */
export interface SamplerOutcome {
  readonly xFinal: Vector;
  /** Σ of the magnitudes each coordinate is summed from (magnitudeOps) — rounding is relative to this. */
  readonly scale: Vector;
  /** τ of each network call made. */
  readonly taus: readonly number[];
}

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
  const scale = program.run(magnitudeOps(network, step), x.map(Math.abs));
  return { xFinal, scale, taus: ops.taus };
}

/** Unit roundoff of a precision: 2^-53 (float64), 2^-24 (float32). */
export function unitRoundoff(precision: 'float64' | 'float32'): number {
  return precision === 'float32' ? 2 ** -24 : 2 ** -53;
}

/**
 * Tolerance of one output coordinate: scale·max(rtol, 8·calls·u) — the declared relative tolerance,
 * or, for long loops, the accumulated rounding of `calls` network calls of a few operations each
 * at unit roundoff u (MATH.md §5.3).
 */
export function loopTolerance(scale: number, rtol: number, calls: number, precision: 'float64' | 'float32'): number {
  return scale * Math.max(rtol, 8 * calls * unitRoundoff(precision));
}
