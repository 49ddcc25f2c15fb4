import { scaledLinearSchedule } from '../../diffusion/schedule.ts';
import type { AffineGuidance } from '../../diffusion/reverseSampler.ts';
import type { ReverseVarianceKind } from '../../diffusion/reverseVariance.ts';
import type { Gaussian } from '../../gaussian/gaussian.ts';
import { toRows } from '../../linalg/index.ts';
import type { InverseProblemCase } from '../../arbitraries/inverseProblem.ts';
import { gaussianPosterior, inverseProblemGeometry } from '../../theory/inverseProblem.ts';
import { measurementRange } from '../../models/linearInverseProblem.ts';
import type { GaussianMoments } from '../../theory/gaussianPropagation.ts';
import { type MismatchDecomposition, matchedGaussianGuidance, mismatchDecomposition } from '../../theory/mismatch.ts';
import { type ZeroShotKind, zeroShotAffineGuidance } from '../../theory/zeroShot.ts';

/** The T grid of every "as T grows" sweep: scaled-linear β (total noise fixed, MATH.md §4). */
export const T_GRID: readonly number[] = [25, 50, 100, 200, 400];

/**
 * log10 window of data eigenvalues a T-sweep resolves and forgets (MATH.md §4.4): λ ≥ 10·β₁(T_from)
 * (the coarsest schedule's first step is a decade below the smallest data scale) and
 * ᾱ_{T}(T_to)·λ ≤ 10⁻² (the forward process of the finest schedule forgets the data: the start
 * term is negligible). Scaled-linear β.
 */
export function resolvedWindowLog10(Tfrom: number, Tto: number): [number, number] {
  const fine = scaledLinearSchedule(Tto);
  return [Math.log10(10 * scaledLinearSchedule(Tfrom).beta(1)), Math.log10(1e-2 / fine.alphaBar(Tto))];
}

/** Least-squares slope of log y against log x. */
export function logLogSlope(xs: readonly number[], ys: readonly number[]): number {
  const lx = xs.map(Math.log), ly = ys.map(Math.log);
  const n = xs.length;
  const mx = lx.reduce((a, b) => a + b, 0) / n, my = ly.reduce((a, b) => a + b, 0) / n;
  let num = 0, den = 0;
  for (let i = 0; i < n; i++) {
    num += (lx[i] - mx) * (ly[i] - my);
    den += (lx[i] - mx) ** 2;
  }
  return num / den;
}

export function matchedSweep(target: GaussianMoments, variance: ReverseVarianceKind = 'seed', grid: readonly number[] = T_GRID): MismatchDecomposition[] {
  return grid.map((T) => {
    const s = scaledLinearSchedule(T);
    return mismatchDecomposition(s, target, matchedGaussianGuidance(target, s), variance);
  });
}

/** Exact decomposition of one zero-shot sampler on a Gaussian-prior inverse problem at one T. */
export function zeroShotDecomposition(c: InverseProblemCase<Gaussian>, T: number, kind: ZeroShotKind, variance: ReverseVarianceKind = 'seed'): MismatchDecomposition {
  const geom = inverseProblemGeometry(c.problem);
  const post = gaussianPosterior(c.prior, c.problem);
  const s = scaledLinearSchedule(T);
  return mismatchDecomposition(s, post, memoized(zeroShotAffineGuidance(geom, c.prior, post, s, kind)), variance);
}

/** The guidance map of each t computed once (the decomposition and the propagation both ask for it). */
function memoized(g: AffineGuidance): AffineGuidance {
  const cache = new Map<number, ReturnType<AffineGuidance>>();
  return (t) => {
    let m = cache.get(t);
    if (!m) cache.set(t, (m = g(t)));
    return m;
  };
}

export function describeMoments(m: GaussianMoments): unknown {
  return { mean: Array.from(m.mean), cov: toRows(m.cov) };
}

export function describeInverseProblem(c: InverseProblemCase): unknown {
  const prior = 'components' in c.prior
    ? { kind: 'mixture', weights: Array.from(c.prior.weights), components: c.prior.components.map((g) => ({ mean: Array.from(g.mean), cov: toRows(g.cov) })) }
    : { kind: 'gaussian', mean: Array.from(c.prior.mean), cov: toRows(c.prior.cov) };
  return { d: c.problem.H.cols, p: c.problem.H.rows, r: measurementRange(c.problem.H).rank, prior, H: toRows(c.problem.H), sigmaY: c.problem.sigmaY, y: Array.from(c.problem.y) };
}
