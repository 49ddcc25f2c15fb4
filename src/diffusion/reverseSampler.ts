import { DimensionMismatchError, InvalidArgumentError, NonFiniteError } from '../errors.ts';
import { type Matrix, type Vector, matvec } from '../linalg/index.ts';
import type { Rng } from '../mc/rng.ts';
import { requireIntegerInRange } from '../validate.ts';
import { type ReverseVarianceKind, reverseVariance } from './reverseVariance.ts';
import type { VPSchedule } from './schedule.ts';

/**
 * A guidance g_t(x) that drives the DDPM sampler in place of the score: the matched
 * score ∇log q_t, a mismatched score, or a zero-shot conditional guidance (MATH.md §4).
 */
export type Guidance = (x: Vector, t: number) => Vector;

/** g(x) = A x + b. */
export interface AffineMap {
  readonly A: Matrix;
  readonly b: Vector;
}

/** An affine guidance, one map per timestep t = 1..T. */
export type AffineGuidance = (t: number) => AffineMap;

export function applyAffine(map: AffineMap, x: ArrayLike<number>): Vector {
  const out = matvec(map.A, x);
  for (let i = 0; i < out.length; i++) out[i] += map.b[i];
  return out;
}

/** The guidance function of an affine guidance. */
export function affineGuidanceFn(g: AffineGuidance): Guidance {
  return (x, t) => applyAffine(g(t), x);
}

/** μ_t(x) = (x + (1−α_t) g_t(x)) / √α_t (MATH.md §4). */
export function reverseMean(schedule: VPSchedule, t: number, x: Vector, g: Vector, out: Vector = new Float64Array(x.length)): Vector {
  if (g.length !== x.length) throw new DimensionMismatchError('reverseMean.g', x.length, g.length);
  const alpha = schedule.alpha(t);
  const c = 1 - alpha, k = 1 / Math.sqrt(alpha);
  for (let i = 0; i < x.length; i++) out[i] = k * (x[i] + c * g[i]);
  return out;
}

export interface ReverseSamplerOptions {
  readonly variance: ReverseVarianceKind;
  readonly dim: number;
  readonly samples: number;
  readonly rng: Rng;
}

/**
 * n draws from P̂_0: x_T ~ N(0, I), then x_{t−1} = μ_t(x_t) + σ_t z for t = T..1.
 * Returns row-major n × d. Non-finite iterates raise NonFiniteError naming t.
 */
export function sampleReverse(schedule: VPSchedule, guidance: Guidance, opts: ReverseSamplerOptions): Float64Array {
  const d = requireIntegerInRange('sampleReverse.dim', opts.dim, 1, 1e4);
  const n = requireIntegerInRange('sampleReverse.samples', opts.samples, 1, 1e8);
  const out = new Float64Array(n * d);
  const x = new Float64Array(d);
  const z = new Float64Array(d);
  const sigmas = new Float64Array(schedule.T + 1);
  for (let t = 1; t <= schedule.T; t++) sigmas[t] = Math.sqrt(reverseVariance(schedule, t, opts.variance));
  for (let s = 0; s < n; s++) {
    opts.rng.fillNormal(x);
    for (let t = schedule.T; t >= 1; t--) {
      const g = guidance(x, t);
      reverseMean(schedule, t, x, g, x);
      opts.rng.fillNormal(z);
      const sg = sigmas[t];
      for (let i = 0; i < d; i++) x[i] += sg * z[i];
    }
    for (let i = 0; i < d; i++) if (!Number.isFinite(x[i])) throw new NonFiniteError(`sampleReverse.x0[${s}][${i}]`, x[i]);
    out.set(x, s * d);
  }
  return out;
}

export function requireAffineDims(map: AffineMap, d: number, field: string): void {
  if (map.A.rows !== d || map.A.cols !== d) throw new DimensionMismatchError(`${field}.A`, `${d}x${d}`, `${map.A.rows}x${map.A.cols}`);
  if (map.b.length !== d) throw new DimensionMismatchError(`${field}.b`, d, map.b.length);
  for (let i = 0; i < map.A.data.length; i++) if (!Number.isFinite(map.A.data[i])) throw new InvalidArgumentError(`${field}.A`, map.A.data[i], 'entries must be finite');
}
