/**
 * A score model s(x) evaluated into `out` (no allocation in the hot path).
 * `x` and `out` have length `dim` and must not alias.
 */
export interface ScoreModel {
  readonly dim: number;
  evaluate(x: Float64Array, out: Float64Array): Float64Array;
}

/** A conditional score model s(x, c); x, out of length `dim`, c of length `condDim`. */
export interface ConditionalScoreModel {
  readonly dim: number;
  readonly condDim: number;
  evaluate(x: Float64Array, c: Float64Array, out: Float64Array): Float64Array;
}

/** One model for all timesteps, or one per timestep t = 1..T (for t-weighted objectives). */
export type TimestepModels<M> = M | ((t: number) => M);

export function modelAt<M>(models: TimestepModels<M>, t: number): M {
  return typeof models === 'function' ? (models as (t: number) => M)(t) : models;
}
