import fc from 'fast-check';
import type { FlowPathSpec } from '../theory/flowPath.ts';

/**
 * A flow-matching conditional path (src/theory/flowPath.ts): rectified flow first (what shrinking
 * moves to), Lipman's OT path with σ_min ∈ [0, 0.1], Tong's I-CFM with σ ∈ [0, 1] (σ = 0 its corner).
 * `icfm: false` keeps the Gaussian conditional paths only (r = 0).
 */
export function flowPath(opts: { readonly icfm?: boolean; readonly ot?: boolean } = {}): fc.Arbitrary<FlowPathSpec> {
  const options: fc.Arbitrary<FlowPathSpec>[] = [fc.constant<FlowPathSpec>({ kind: 'rectified' })];
  if (opts.ot !== false) options.push(fc.integer({ min: 0, max: 100 }).map((k): FlowPathSpec => ({ kind: 'ot', sigmaMin: k / 1000 })));
  if (opts.icfm !== false) options.push(icfmPath());
  return fc.oneof(...options);
}

/** Tong et al.'s I-CFM path with σ ∈ [0, 1] on a grid of 1/100 (σ = 0 and 1 are corners). */
export function icfmPath(minSigma = 0): fc.Arbitrary<FlowPathSpec> {
  return fc.integer({ min: Math.round(minSigma * 100), max: 100 }).map((k): FlowPathSpec => ({ kind: 'icfm', sigma: k / 100 }));
}

/**
 * A time t in [lo, hi] on a grid of 1/1000, drawn as an offset k/1000 from the middle of the range: the
 * integer choice's extremes are the ends (its corners: both ends and their neighbours), and its simplest
 * value 0 — what shrinking moves to — is the middle (a counterexample that needs no extreme time is shown
 * at an ordinary one).
 */
export function flowTime(lo = 0, hi = 1): fc.Arbitrary<number> {
  const a = Math.round(lo * 1000), b = Math.round(hi * 1000), mid = Math.round((a + b) / 2);
  return fc.integer({ min: a - mid, max: b - mid }).map((k) => (mid + k) / 1000);
}
