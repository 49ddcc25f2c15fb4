import type { AffineGuidance, AffineMap, Guidance } from '../diffusion/reverseSampler.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { vpLevel } from '../diffusion/noiseLevel.ts';
import { marginal } from '../diffusion/forward.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import type { DataDistribution } from '../gaussian/mixture.ts';
import { type Matrix, type Vector, add, matmul, matvec, maxAbs, scale, spdInverse } from '../linalg/index.ts';
import {
  type InverseProblemGeometry, type Posterior, forwardCovarianceGivenY, posteriorMarginalAt,
} from './inverseProblem.ts';
import { gaussianScoreMap } from './mismatch.ts';

/**
 * Zero-shot guidance g_{t,y} = (I − H†H)∇log q_t + f_{t,y}, (I − H†H) f ≡ 0 (MATH.md §4).
 * - 'ddnm':    f = (√ᾱ_t H†y − H†H x)/(1 − ᾱ_t)
 * - 'bo-ddnm': f* = Σ_{t|0,y}⁻¹(√ᾱ_t H†y − H†H x)
 * - 'optimal': f = H†H ∇log q̃_t(x), the row-space projection of the true posterior score:
 *   since ‖Δ‖² = ‖(I−P)Δ‖² + ‖PΔ‖² and (I−P)Δ does not depend on f, it is the pointwise
 *   minimizer of ‖Δ_{t,y}(x)‖² over admissible f.
 */
export type ZeroShotKind = 'ddnm' | 'bo-ddnm' | 'optimal';
export const ZERO_SHOT_KINDS: readonly ZeroShotKind[] = ['ddnm', 'bo-ddnm', 'optimal'];

function alphaBarOf(schedule: VPSchedule, t: number): number {
  return schedule.alphaBar(t);
}

/** f_{t,y} of DDNM or BO-DDNM as an affine map f(x) = A x + b (both are affine for every prior). */
export function zeroShotCorrection(geom: InverseProblemGeometry, schedule: VPSchedule, t: number, kind: 'ddnm' | 'bo-ddnm'): AffineMap {
  const ab = alphaBarOf(schedule, t);
  const r = Math.sqrt(ab);
  const K: Matrix = kind === 'ddnm'
    ? scaleIdentityLike(geom.dim, 1 / (1 - ab))
    : spdInverse(forwardCovarianceGivenY(geom, ab), 'Σ_{t|0,y}');
  return { A: scale(matmul(K, geom.rowProjector), -1), b: matvec(K, geom.HpinvY).map((v) => r * v) };
}

function scaleIdentityLike(d: number, c: number): Matrix {
  const m: Matrix = { rows: d, cols: d, data: new Float64Array(d * d) };
  for (let i = 0; i < d; i++) m.data[i * d + i] = c;
  return m;
}

/** The optimal admissible f for a posterior: x ↦ P ∇log q̃_t(x). */
export function optimalCorrection(geom: InverseProblemGeometry, post: Posterior, schedule: VPSchedule, t: number): (x: Vector) => Vector {
  const qt = posteriorMarginalAt(post, schedule, t);
  const score = new Float64Array(geom.dim);
  return (x) => matvec(geom.rowProjector, qt.scoreInto(x, score));
}

/** The row-space correction f_{t,y}(x) of any kind, as a function. */
export function correctionFn(geom: InverseProblemGeometry, post: Posterior, schedule: VPSchedule, kind: ZeroShotKind): (x: Vector, t: number) => Vector {
  if (kind === 'optimal') {
    const cache = new Map<number, (x: Vector) => Vector>();
    return (x, t) => {
      let f = cache.get(t);
      if (!f) cache.set(t, (f = optimalCorrection(geom, post, schedule, t)));
      return f(x);
    };
  }
  const cache = new Map<number, AffineMap>();
  return (x, t) => {
    let m = cache.get(t);
    if (!m) cache.set(t, (m = zeroShotCorrection(geom, schedule, t, kind)));
    const out = matvec(m.A, x);
    for (let i = 0; i < out.length; i++) out[i] += m.b[i];
    return out;
  };
}

/**
 * g_{t,y}(x) = (I − P)∇log q_t(x) + f_{t,y}(x), with q_t the unconditional (prior) marginal.
 * `correction` is any f; admissibility is NOT enforced here (negative controls pass leaky ones).
 */
export function zeroShotGuidance(
  geom: InverseProblemGeometry,
  prior: DataDistribution,
  schedule: VPSchedule,
  correction: (x: Vector, t: number) => Vector,
): Guidance {
  const marginals = new Map<number, DataDistribution>();
  const score = new Float64Array(geom.dim);
  return (x, t) => {
    let qt = marginals.get(t);
    if (!qt) marginals.set(t, (qt = marginal(prior, vpLevel(schedule.alphaBar(t), `alphaBar(t=${t})`))));
    const s = matvec(geom.nullProjector, qt.scoreInto(x, score));
    const f = correction(x, t);
    for (let i = 0; i < s.length; i++) s[i] += f[i];
    return s;
  };
}

/** For a Gaussian prior every zero-shot guidance here is affine: g = (I−P)(−Σ_t⁻¹x + Σ_t⁻¹√ᾱμ) + f. */
export function zeroShotAffineGuidance(
  geom: InverseProblemGeometry,
  prior: Gaussian,
  post: Posterior,
  schedule: VPSchedule,
  kind: ZeroShotKind,
): AffineGuidance {
  return (t) => {
    const qt = marginal(prior, vpLevel(schedule.alphaBar(t), `alphaBar(t=${t})`));
    const s = gaussianScoreMap(qt);
    const null_: AffineMap = { A: matmul(geom.nullProjector, s.A), b: matvec(geom.nullProjector, s.b) };
    let f: AffineMap;
    if (kind === 'optimal') {
      const qty = posteriorMarginalAt(post, schedule, t);
      if (!(qty instanceof Gaussian)) throw new TypeError('zeroShotAffineGuidance: optimal guidance is affine only for a Gaussian posterior');
      const sy = gaussianScoreMap(qty);
      f = { A: matmul(geom.rowProjector, sy.A), b: matvec(geom.rowProjector, sy.b) };
    } else {
      f = zeroShotCorrection(geom, schedule, t, kind);
    }
    return { A: add(null_.A, f.A), b: null_.b.map((v, i) => v + f.b[i]) };
  };
}

/** max(‖(I − P)A‖_max, ‖(I − P)b‖_∞): zero iff an affine f is admissible. */
export function nullSpaceLeak(geom: InverseProblemGeometry, f: AffineMap): number {
  return Math.max(maxAbs(matmul(geom.nullProjector, f.A).data), maxAbs(matvec(geom.nullProjector, f.b)));
}
