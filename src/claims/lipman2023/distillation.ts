import fc from 'fast-check';
import { simpleDouble } from '../../arbitraries/boundedDouble.ts';
import { dimension } from '../../arbitraries/dimension.ts';
import { flowPath, flowTime } from '../../arbitraries/flowPath.ts';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { scale } from '../../linalg/index.ts';
import { type FlowCoefficients, type FlowPathSpec, flowCoefficients } from '../../theory/flowPath.ts';
import { distillationCfm, distillationFm, rayMinimizer } from '../../theory/flowDistillation.ts';
import type { CheckOutcome, Claim } from '../claim.ts';
import { RELATIVE_TOLERANCE, describeGaussian } from '../xu2025/shared.ts';
import { describePath } from './cfm.ts';
import { flowDistillationFigure } from './figures.ts';

/*
 * Xu 2025's Corollary (DreamFusion/SDS) for flow matching (MATH.md §19.8): optimizing the data
 * distribution p_φ through the loss of a frozen velocity model. Derived here; not a statement of the papers.
 */
export interface DistillationCase {
  readonly target: Gaussian;
  readonly path: FlowPathSpec;
  readonly t: number;
  /** A competitor N(μ* + δ, ρΣ*). */
  readonly shift: readonly number[];
  readonly ratio: number;
}

export const distillationCases = (maxDim = 4): fc.Arbitrary<DistillationCase> =>
  dimension({ max: maxDim }).chain((d) =>
    fc.record({
      target: gaussianOfDim(d, { maxConditionNumber: 100 }),
      path: flowPath(),
      t: flowTime(),
      shift: fc.array(simpleDouble(-1, 1, 2), { minLength: d, maxLength: d }),
      ratio: simpleDouble(0.05, 3, 2),
    }),
  );

export type DistillationObjective = (target: Gaussian, input: Gaussian, co: FlowCoefficients) => number;

/**
 * "The target minimizes the objective": its value is no larger than the random competitor's and than
 * the minimum along the variance ray ρ ∈ [0.001, 3] (Brent), to 1e-9 of the values compared.
 */
export function checkDistillationMinimizer(c: DistillationCase, objective: DistillationObjective): CheckOutcome {
  const co = flowCoefficients(c.path, c.t);
  const atTarget = objective(c.target, c.target, co);
  const comp = objective(c.target, new Gaussian(c.target.mean.map((m, i) => m + c.shift[i]), scale(c.target.cov, c.ratio), 'competitor'), co);
  const ray = rayMinimizer(c.target, co, objective);
  const best = Math.min(comp, ray.value);
  const mag = Math.max(Math.abs(atTarget), Math.abs(comp), Math.abs(ray.value), Number.MIN_VALUE);
  const excess = (atTarget - best) / mag;
  return {
    // Signed: negative while the target wins (the margin is then the relative excess, continuous for the search).
    holds: excess <= RELATIVE_TOLERANCE, maxError: excess, tolerance: RELATIVE_TOLERANCE, metric: '(objective at target − best competitor)/scale',
    quantities: { 'objective at target': atTarget, 'objective at competitor': comp, 'ray minimizer ρ': ray.rho, 'objective at ray minimizer': ray.value, t: c.t },
  };
}

const describeDistillation = (c: DistillationCase) => ({ target: describeGaussian(c.target), path: describePath(c.path), t: c.t, shift: c.shift, ratio: c.ratio });

export const distillationCfmMinimizerIsTarget: Claim<DistillationCase> = {
  id: 'lipman2023.distillation.cfm-minimizer-is-target',
  source: 'lipman2023',
  section: 'the CFM objective read for the data distribution (derived, MATH.md §19.8)',
  statement: 'Optimizing the data distribution p_φ = N(μ, Σ) through L_CFM against a frozen exact velocity field recovers the target — refuted as Xu 2025\'s Corollary refutes it for DSM (DreamFusion/SDS): CFM − FM = E_φ tr Cov(u_t | x_t) shrinks with the input variance.',
  assumptions: ['target N(μ*, Σ*), d ≤ 4, cond ≤ 100; frozen v = the target\'s exact marginal velocity at t', 'rectified, OT and I-CFM paths, t on [0, 1]; competitors N(μ* + δ, ρΣ*) and the minimum along ρ ∈ [0.001, 3]', `"minimizer" read to relative ${RELATIVE_TOLERANCE}`],
  expected: 'refuted',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => distillationCases(),
  check: (c) => checkDistillationMinimizer(c, distillationCfm),
  describeCase: describeDistillation,
  figures: () => [flowDistillationFigure()],
};

export const distillationFmMinimizerIsTarget: Claim<DistillationCase> = {
  id: 'lipman2023.distillation.fm-minimizer-is-target',
  source: 'lipman2023',
  section: 'L_FM read for the data distribution (derived, MATH.md §19.8)',
  statement: 'L_FM(φ) — the regression of the frozen exact velocity onto the input\'s own marginal velocity — is minimized at the target p_φ = N(μ*, Σ*).',
  assumptions: ['target N(μ*, Σ*), d ≤ 4, cond ≤ 100; frozen v = the target\'s exact marginal velocity at t', 'rectified, OT and I-CFM paths, t on [0, 1]; competitors N(μ* + δ, ρΣ*) and the minimum along ρ ∈ [0.001, 3]', `relative tolerance ${RELATIVE_TOLERANCE}`],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => distillationCases(),
  check: (c) => checkDistillationMinimizer(c, distillationFm),
  describeCase: describeDistillation,
};

export const distillationClaims: readonly Claim[] = [distillationCfmMinimizerIsTarget, distillationFmMinimizerIsTarget];
