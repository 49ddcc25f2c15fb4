import fc from 'fast-check';

/**
 * An exponent on a log10 grid: the integer k ∈ [lo·steps, hi·steps] ↦ k/steps (default a
 * quarter-decade grid). One integer choice, so its corners (the range ends, one grid step
 * inside them) are what the runner tries first, and the targeted search moves it a grid step
 * at a time. Shrinks towards 0 (clamped into the range).
 */
export function log10Exponent(lo: number, hi: number, steps = 4): fc.Arbitrary<number> {
  if (!(lo <= hi)) throw new RangeError(`log10Exponent: need lo ≤ hi (got ${lo}, ${hi})`);
  return fc.integer({ min: Math.ceil(lo * steps), max: Math.floor(hi * steps) }).map((k) => k / steps);
}

/** 10^u on the grid of log10Exponent: scales over many decades with their extremes as corners. */
export function logScale(lo: number, hi: number, steps = 4): fc.Arbitrary<number> {
  return log10Exponent(lo, hi, steps).map((u) => 10 ** u);
}
