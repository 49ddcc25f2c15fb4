import fc from 'fast-check';
import { affineScoreModel } from '../../arbitraries/affineScoreModel.ts';
import { dimension } from '../../arbitraries/dimension.ts';
import { flowPath, flowTime } from '../../arbitraries/flowPath.ts';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import type { Gaussian } from '../../gaussian/gaussian.ts';
import { addScaledIdentity, cholesky, choleskyInverse, scale } from '../../linalg/index.ts';
import type { AffineScoreModel } from '../../models/affineScoreModel.ts';
import { dsmAffine, esmAffine } from '../../objectives/affineClosedForm.ts';
import { type FlowPathSpec, flowCoefficients } from '../../theory/flowPath.ts';
import { cfmAffine, fmAffine, gaussianMarginalVelocity } from '../../theory/flowMatchingGaussian.ts';
import { pathNoiseLevel, velocityFromScoreModel, velocityScoreCoefficients } from '../../theory/flowScoreLink.ts';
import type { CheckOutcome, Claim } from '../claim.ts';
import { RELATIVE_TOLERANCE, describeGaussian, rows } from '../xu2025/shared.ts';
import { describePath } from './cfm.ts';

/*
 * The velocity–score link (MATH.md §19.4): v*_t = α_t x + β_t ∇log q_t, and per sample
 * ‖(αx + βs) − u‖² = β²‖s − ∇log q(x_t|x₀)‖² on Gaussian conditional paths — so every per-time DSM
 * statement (Xu 2025 Theorems 1–2, the Corollary) is a CFM statement with the factor β_t².
 */
export interface LinkCase {
  readonly data: Gaussian;
  readonly path: FlowPathSpec;
  readonly t: number;
  readonly score: AffineScoreModel;
}

/** t in (0, 1): the link needs a_t > 0 and σ̃_t > 0 (corners 0.001 and 0.999). */
export const linkCases = (paths: fc.Arbitrary<FlowPathSpec>, maxDim = 5): fc.Arbitrary<LinkCase> =>
  dimension({ max: maxDim }).chain((d) =>
    fc.record({ data: gaussianOfDim(d, { maxConditionNumber: 1e3 }), path: paths, t: flowTime(0.001, 0.999), score: affineScoreModel(d) }),
  );

/**
 * CFM_t(αx + βs_θ) = β_t² DSM_t(s_θ) and FM_t(αx + βs_θ) = β_t² ESM_t(s_θ) (closed forms of
 * flowMatchingGaussian.ts against those of objectives/affineClosedForm.ts at the level (a, σ̃)), and
 * v*_t = αI − βΣ_t⁻¹ applied to (x − aμ) plus ȧμ.
 */
export function checkLink(c: LinkCase): CheckOutcome {
  const co = flowCoefficients(c.path, c.t);
  const { alpha, beta } = velocityScoreCoefficients(co);
  const level = pathNoiseLevel(co);
  const v = velocityFromScoreModel(c.score, co);
  const cfm = cfmAffine(v, c.data, co).mean, fm = fmAffine(v, c.data, co).mean;
  const dsm = beta * beta * dsmAffine(c.score, c.data, level).mean, esm = beta * beta * esmAffine(c.score, c.data, level).mean;
  const e1 = Math.abs(cfm - dsm) / Math.max(Math.abs(cfm), Math.abs(dsm), Number.MIN_VALUE);
  const e2 = Math.abs(fm - esm) / Math.max(Math.abs(fm), Math.abs(esm), Number.MIN_VALUE);
  // The field: A = αI − βP, P = (a²Σ + σ̃²I)⁻¹, against gaussianMarginalVelocity's K S⁻¹.
  const P = choleskyInverse(cholesky(addScaledIdentity(scale(c.data.cov, level.a * level.a), level.s * level.s)));
  const f = gaussianMarginalVelocity(c.data, co);
  const d = c.data.dim;
  let e3 = 0, mag = 0;
  for (let i = 0; i < d * d; i++) {
    const want = (Math.floor(i / d) === i % d ? alpha : 0) - beta * P.data[i];
    mag = Math.max(mag, Math.abs(want), Math.abs(alpha));
    e3 = Math.max(e3, Math.abs(f.A.data[i] - want));
  }
  e3 /= Math.max(mag, Number.MIN_VALUE);
  const worst = Math.max(e1, e2, e3);
  return {
    holds: worst <= RELATIVE_TOLERANCE, maxError: worst, tolerance: RELATIVE_TOLERANCE,
    quantities: { 'CFM_t(αx + βs)': cfm, 'β²·DSM_t(s)': dsm, 'FM_t(αx + βs)': fm, 'β²·ESM_t(s)': esm, α: alpha, β: beta },
  };
}

const describeLink = (c: LinkCase) => ({ data: describeGaussian(c.data), path: describePath(c.path), t: c.t, score: { A: rows(c.score.A), b: Array.from(c.score.b) } });

export const linkCfmIsWeightedDsm: Claim<LinkCase> = {
  id: 'lipman2023.link.cfm-is-weighted-dsm',
  source: 'lipman2023',
  section: '§4.1 (Gaussian conditional paths; the diffusion special case)',
  statement:
    'On a Gaussian conditional path p_t(x|x₁) = N(a_t x₁, σ_t²I), the marginal velocity is v*_t = α_t x + β_t ∇log p_t (α = ȧ/a, β = ȧσ²/a − σ̇σ), and for v = αx + βs_θ: L_CFM,t = β_t²·DSM_t(s_θ), L_FM,t = β_t²·ESM_t(s_θ) — every per-time DSM result has its flow-matching counterpart with the factor β_t² (MATH.md §19.4).',
  assumptions: ['x₀ ~ N(μ, Σ), d ≤ 5, cond(Σ) ≤ 1e3', 'rectified flow and Lipman OT (σ_min ∈ [0, 0.1]) paths; t ∈ [0.001, 0.999] (a_t, σ_t > 0)', 'affine score models s_θ(x) = Ax + b; CFM/FM and DSM/ESM from separate closed forms', `relative tolerance ${RELATIVE_TOLERANCE}`],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => linkCases(flowPath({ icfm: false })),
  check: checkLink,
  describeCase: describeLink,
};

export const linkClaims: readonly Claim[] = [linkCfmIsWeightedDsm];
