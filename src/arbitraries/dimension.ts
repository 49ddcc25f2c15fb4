import fc from 'fast-check';

/** Data dimension d ∈ [min, max]; shrinks towards `min` (default 1..8). */
export function dimension(opts: { min?: number; max?: number } = {}): fc.Arbitrary<number> {
  return fc.integer({ min: opts.min ?? 1, max: opts.max ?? 8 });
}
