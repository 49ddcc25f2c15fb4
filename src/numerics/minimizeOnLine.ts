import { InvalidArgumentError } from '../errors.ts';
import { NoMinimizerError } from './noMinimizerError.ts';
import { requireFinite } from '../validate.ts';
import { minimizeScalar } from './minimize.ts';

export interface LineSearchOptions {
  /** Grid spacing of the outward scan. */
  readonly step?: number;
  /** Grid points on each side of the start scanned first, and added per widening. */
  readonly initialSteps?: number;
  /** The scan stops widening at |x − x0| = maxSteps·step and reports no minimizer there. */
  readonly maxSteps?: number;
  /** Brent's tolerance inside the final bracket. */
  readonly xTol?: number;
  /** Named in the error when f keeps decreasing to the end of the scan. */
  readonly field?: string;
}

/**
 * Minimizer of f over the line, searched outward from x0: f on the grid x0 + k·step for
 * |k| ≤ initialSteps, widened by initialSteps toward a side while the grid's smallest value is at
 * that side's end, up to |k| = maxSteps; then `minimizeScalar` on the two grid cells around the
 * grid's smallest value. The grid's global minimum, not a local descent from x0, picks the bracket,
 * so a second basin wider than a cell is not missed; a minimum still at an end of the widest grid
 * is an infimum the scan does not attain, reported as `NoMinimizerError` instead of that end.
 */
export function minimizeScalarOnLine(f: (x: number) => number, x0: number, opts: LineSearchOptions = {}): number {
  const { step = 0.5, initialSteps = 6, maxSteps = 40, xTol = 1e-12, field = 'minimizeScalarOnLine' } = opts;
  requireFinite(`${field}.x0`, x0);
  if (!(step > 0) || !Number.isFinite(step)) throw new InvalidArgumentError(`${field}.step`, step, 'must be finite and > 0');
  if (!(Number.isInteger(initialSteps) && initialSteps >= 1)) throw new InvalidArgumentError(`${field}.initialSteps`, initialSteps, 'must be an integer ≥ 1');
  if (!(Number.isInteger(maxSteps) && maxSteps >= initialSteps)) throw new InvalidArgumentError(`${field}.maxSteps`, maxSteps, `must be an integer ≥ initialSteps = ${initialSteps}`);
  const values = new Map<number, number>();
  const at = (k: number) => values.get(k) ?? values.set(k, f(x0 + k * step)).get(k)!;
  let lo = -initialSteps, hi = initialSteps;
  const argmin = () => {
    let best = lo;
    for (let k = lo; k <= hi; k++) if (at(k) < at(best)) best = k;
    return best;
  };
  let k = argmin();
  for (;;) {
    if (k === lo && lo > -maxSteps) lo = Math.max(-maxSteps, lo - initialSteps);
    else if (k === hi && hi < maxSteps) hi = Math.min(maxSteps, hi + initialSteps);
    else break;
    k = argmin();
  }
  if (k === lo || k === hi) {
    const direction = k === lo ? 'lower' : 'upper';
    throw new NoMinimizerError(field, direction, `f keeps decreasing toward the ${direction} end of the scan x0 ${k === lo ? '−' : '+'} ${maxSteps * step} = ${x0 + k * step} (f there ${at(k)}, at x0 ${at(0)})`);
  }
  return minimizeScalar(f, x0 + (k - 1) * step, x0 + (k + 1) * step, xTol);
}
