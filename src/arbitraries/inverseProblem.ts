import fc from 'fast-check';
import { Gaussian } from '../gaussian/gaussian.ts';
import type { GaussianMixture } from '../gaussian/mixture.ts';
import { type Matrix, matvec, zeros } from '../linalg/index.ts';
import { type LinearInverseProblem, linearInverseProblem, measurementRange, splitByRange } from '../models/linearInverseProblem.ts';
import { InvalidArgumentError } from '../errors.ts';
import { simpleDouble } from './boundedDouble.ts';
import { gaussianOfDim } from './gaussian.ts';
import { mixtureOfDim } from './mixture.ts';
import { rotation } from './rotation.ts';
import type { SpdMatrixConstraints } from './spdMatrix.ts';

/** An inpainting mask: p distinct rows of I_d (the observed coordinates); shrinks to the first p. */
export function inpaintingMask(d: number, p: number): fc.Arbitrary<Matrix> {
  return fc.shuffledSubarray(Array.from({ length: d }, (_, i) => i), { minLength: p, maxLength: p }).map((idx) => {
    const sorted = [...idx].sort((a, b) => a - b);
    const h = zeros(p, d);
    sorted.forEach((j, i) => (h.data[i * d + j] = 1));
    return h;
  });
}

/** H = U diag(s) V_pᵀ, p × d of full row rank p ≤ d, singular values 10^[−½, ½]; shrinks to [I_p 0]. */
export function fullRowRankMatrix(d: number, p: number, singularLog10: readonly [number, number] = [-0.5, 0.5]): fc.Arbitrary<Matrix> {
  return rankDeficientMatrix(d, p, p, singularLog10);
}

/**
 * H = A B of rank exactly r ≤ min(p, d): A = U_{:,1..r} diag(s) (p × r), B = V_{:,1..r}ᵀ (r × d),
 * U, V rotations, singular values s ∈ 10^singularLog10 (default 10^[−½, ½], so H† is well conditioned on
 * range(H)); r = 0 gives H = 0. Shrinks to [I_r 0; 0 0] (when 0 lies in the range of exponents).
 */
export function rankDeficientMatrix(d: number, p: number, r: number, singularLog10: readonly [number, number] = [-0.5, 0.5]): fc.Arbitrary<Matrix> {
  if (!(Number.isInteger(r) && r >= 0 && r <= Math.min(p, d))) throw new InvalidArgumentError('rankDeficientMatrix.r', r, `need 0 ≤ r ≤ min(p, d) = ${Math.min(p, d)}`);
  return fc
    .tuple(rotation(p), rotation(d), fc.array(simpleDouble(singularLog10[0], singularLog10[1], 2), { minLength: r, maxLength: r }))
    .map(([u, v, ls]) => {
      const h = zeros(p, d);
      // H_ij = Σ_{k<r} U_ik s_k V_jk
      for (let i = 0; i < p; i++) for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < r; k++) s += u.data[i * p + k] * 10 ** ls[k] * v.data[j * d + k];
        h.data[i * d + j] = s;
      }
      return h;
    });
}

/**
 * A sampling mask with repeats and misses: each of the p rows is a row of I_d (coordinate j, possibly
 * observed several times) or, with probability 1/5, a zero row (a dead sensor). Any p ≥ 1; rank = number
 * of distinct coordinates observed. Each row shrinks to e_1 (a zero row too, when the failure allows: cross-shrink).
 */
export function repeatedMask(d: number, p: number): fc.Arbitrary<Matrix> {
  const row = fc.oneof({ withCrossShrink: true }, { arbitrary: fc.integer({ min: 0, max: d - 1 }), weight: 4 }, { arbitrary: fc.constant(d), weight: 1 });
  return fc.array(row, { minLength: p, maxLength: p }).map((idx) => {
    const h = zeros(p, d);
    idx.forEach((j, i) => {
      if (j < d) h.data[i * d + j] = 1;
    });
    return h;
  });
}

/** 'full': rank p ≤ d (masks and generic full-row-rank H). 'any' (default): any rank r ≤ min(p, d), any p ≥ 1. */
export type MeasurementRank = 'full' | 'any';

/**
 * Measurement matrix with p rows (generic ones with singular values in 10^opts.singularLog10, default 10^[−½, ½]). 'full' (needs p ≤ d): an inpainting mask or a generic full-row-rank
 * matrix. 'any': also masks with repeated/zero rows and generic H of every rank r = min(p, d) − k,
 * k ≥ 0 (k shrinks to 0: full rank); with p > d only the last two. Every branch shrinks, for d = p = 1, to H = [1].
 */
export function measurementMatrix(d: number, p: number, rank: MeasurementRank = 'any', opts: { readonly singularLog10?: readonly [number, number] } = {}): fc.Arbitrary<Matrix> {
  if (rank === 'full' && p > d) throw new InvalidArgumentError('measurementMatrix.p', p, `full row rank needs p ≤ d = ${d}`);
  const sv = opts.singularLog10 ?? [-0.5, 0.5];
  const full = p <= d ? [inpaintingMask(d, p), fullRowRankMatrix(d, p, sv)] : [];
  if (rank === 'full') return fc.oneof(...full);
  const m = Math.min(p, d);
  const deficient = fc.integer({ min: 0, max: m }).chain((k) => rankDeficientMatrix(d, p, m - k, sv));
  // Weights: full-rank H stay the common case (p ≤ d); each extra branch is ≈ 1/6 (p ≤ d) or 1/2 (p > d).
  // withCrossShrink: a counterexample from any branch may shrink to the first (a plain mask) if that still fails.
  return fc.oneof({ withCrossShrink: true }, ...full.map((arbitrary) => ({ arbitrary, weight: 2 })), { arbitrary: repeatedMask(d, p), weight: 1 }, { arbitrary: deficient, weight: 1 });
}

/** σ_y ≥ 0: exactly 0 (noiseless) or 10^u, u ∈ [−2, 0.5]. Shrinks to 0. */
export function measurementNoise(opts: { allowZero?: boolean; positive?: boolean } = {}): fc.Arbitrary<number> {
  const pos = simpleDouble(-2, 0.5, 2).map((u) => 10 ** u);
  if (opts.positive) return pos;
  return opts.allowZero === false ? pos : fc.oneof(fc.constant(0), pos);
}

export interface InverseProblemCase<Prior extends Gaussian | GaussianMixture = Gaussian | GaussianMixture> {
  readonly prior: Prior;
  readonly problem: LinearInverseProblem;
}

export interface InverseProblemConstraints extends SpdMatrixConstraints {
  /** 'any' (default): H of any rank, p ∈ [1, d + 1] rows; 'full': rank p ≤ d. */
  readonly rank?: MeasurementRank;
  readonly minDim?: number;
  readonly maxDim?: number;
  readonly priorKind?: 'gaussian' | 'mixture' | 'either';
  readonly maxComponents?: number;
  /** Fixed σ_y, or generated by `measurementNoise`. */
  readonly sigmaY?: number;
  readonly noise?: { allowZero?: boolean; positive?: boolean };
  readonly meanBound?: number;
}

/**
 * A prior (Gaussian or Gaussian mixture), H (p × d, any rank r ≤ min(p, d) unless rank: 'full'; mask,
 * mask with repeated/zero rows, or generic), σ_y ≥ 0 and y = Hμ̄ + δ with μ̄ the prior mean and
 * δ ∈ [−3, 3]^p (shrinks to δ = 0). If σ_y = 0 and r < p, δ is projected onto range(H), y = Hμ̄ + HH†δ,
 * so that the observation is possible. Shrinks to d = p = 1, H = [1], δ = 0.
 */
export function inverseProblemCase(c: InverseProblemConstraints = {}): fc.Arbitrary<InverseProblemCase> {
  const spd = { maxConditionNumber: c.maxConditionNumber ?? 100, centreRange: c.centreRange ?? 0.5, meanBound: c.meanBound ?? 2 };
  const rank = c.rank ?? 'any';
  return fc.integer({ min: c.minDim ?? 1, max: c.maxDim ?? 4 }).chain((d) =>
    fc.integer({ min: 1, max: rank === 'full' ? d : d + 1 }).chain((p) => {
      const kind = c.priorKind ?? 'either';
      const gaussPrior = gaussianOfDim(d, spd);
      const mixPrior = mixtureOfDim(d, { ...spd, maxComponents: c.maxComponents ?? 3 });
      const prior: fc.Arbitrary<Gaussian | GaussianMixture> = kind === 'gaussian' ? gaussPrior : kind === 'mixture' ? mixPrior : fc.oneof(gaussPrior, mixPrior);
      return fc
        .tuple(prior, measurementMatrix(d, p, rank), c.sigmaY !== undefined ? fc.constant(c.sigmaY) : measurementNoise(c.noise), fc.array(simpleDouble(-3, 3, 2), { minLength: p, maxLength: p }))
        .map(([pr, H, sigmaY, delta]) => {
          const mean = pr instanceof Gaussian ? pr.mean : pr.components.reduce((acc, comp, k) => acc.map((v, i) => v + pr.weights[k] * comp.mean[i]), new Float64Array(d));
          const offset = sigmaY === 0 ? consistentOffset(H, delta) : Float64Array.from(delta);
          const y = matvec(H, mean).map((v, i) => v + offset[i]);
          return { prior: pr, problem: linearInverseProblem(H, sigmaY, y) };
        });
    }),
  );
}

/** HH†δ, the part of δ in range(H) (δ itself when rank H = p, to keep counterexamples readable). */
function consistentOffset(H: Matrix, delta: readonly number[]): Float64Array {
  const range = measurementRange(H);
  if (range.rank === H.rows) return Float64Array.from(delta);
  const { orthogonal } = splitByRange(range, delta);
  return Float64Array.from(delta, (v, i) => v - orthogonal[i]);
}
