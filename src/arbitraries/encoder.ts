import fc from 'fast-check';
import type { LinearEncoder } from '../models/linearEncoder.ts';
import { simpleDouble } from './boundedDouble.ts';

/**
 * A noisy linear encoder c = B x_0 + b + τξ (B k×d, entries in [−2, 2]; τ = 10^u,
 * u ∈ [−1, 0.5]). k ∈ [1, maxK] (default 3). Shrinks to k = 1, B = 0, b = 0, τ = 1.
 */
export function linearEncoder(d: number, opts: { k?: number; maxK?: number } = {}): fc.Arbitrary<LinearEncoder> {
  const kArb = opts.k !== undefined ? fc.constant(opts.k) : fc.integer({ min: 1, max: opts.maxK ?? 3 });
  return kArb.chain((k) =>
    fc
      .tuple(
        fc.array(simpleDouble(-2, 2, 2), { minLength: k * d, maxLength: k * d }),
        fc.array(simpleDouble(-1, 1, 2), { minLength: k, maxLength: k }),
        simpleDouble(-1, 0.5, 2),
      )
      .map(([B, b, u]) => ({ B: { rows: k, cols: d, data: Float64Array.from(B) }, b: Float64Array.from(b), tau: 10 ** u })),
  );
}
