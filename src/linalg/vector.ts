import { DimensionMismatchError } from '../errors.ts';
import type { Vector } from './matrix.ts';

export function vec(xs: ArrayLike<number>): Vector {
  return Float64Array.from(xs as ArrayLike<number>);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new DimensionMismatchError('dot', a.length, b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function squaredNorm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/** αa + βb */
export function axpby(alpha: number, a: ArrayLike<number>, beta: number, b: ArrayLike<number>): Vector {
  if (a.length !== b.length) throw new DimensionMismatchError('axpby', a.length, b.length);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = alpha * a[i] + beta * b[i];
  return out;
}

export function scaleVec(a: ArrayLike<number>, c: number): Vector {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = c * a[i];
  return out;
}

export function subVec(a: ArrayLike<number>, b: ArrayLike<number>): Vector {
  return axpby(1, a, -1, b);
}

export function addVec(a: ArrayLike<number>, b: ArrayLike<number>): Vector {
  return axpby(1, a, 1, b);
}

/** ‖a‖_∞ = max_i |a_i| (0 for an empty vector). */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
