import { InvalidArgumentError, NonFiniteError } from './errors.ts';

/** Throws unless `x` is a finite number. */
export function requireFinite(field: string, x: number): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new InvalidArgumentError(field, x, 'must be a finite number');
  return x;
}

/** Throws unless every entry is finite. */
export function requireFiniteArray(field: string, xs: ArrayLike<number>): void {
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new InvalidArgumentError(`${field}[${i}]`, v, 'must be a finite number');
    }
  }
}

/** Throws unless `x` is a finite number with lo < x < hi (open interval). */
export function requireOpenInterval(field: string, x: number, lo: number, hi: number): number {
  requireFinite(field, x);
  if (!(x > lo && x < hi)) throw new InvalidArgumentError(field, x, `must lie in (${lo}, ${hi})`);
  return x;
}

/** Throws unless `x > 0` and finite. */
export function requirePositive(field: string, x: number): number {
  requireFinite(field, x);
  if (!(x > 0)) throw new InvalidArgumentError(field, x, 'must be > 0');
  return x;
}

/** Throws unless `x` is an integer in [lo, hi]. */
export function requireIntegerInRange(field: string, x: number, lo: number, hi: number): number {
  if (!Number.isInteger(x) || x < lo || x > hi) {
    throw new InvalidArgumentError(field, x, `must be an integer in [${lo}, ${hi}]`);
  }
  return x;
}

/** Guards a computed result: a NaN/Infinity here is a bug, never a result. */
export function checkFiniteResult(field: string, x: number): number {
  if (!Number.isFinite(x)) throw new NonFiniteError(field, x);
  return x;
}
