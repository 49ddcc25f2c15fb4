import fc from 'fast-check';
import { simpleDouble } from '../../arbitraries/boundedDouble.ts';
import { dimension } from '../../arbitraries/dimension.ts';
import { flowPath, flowTime } from '../../arbitraries/flowPath.ts';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import { mixtureOfDim } from '../../arbitraries/mixture.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import type { GaussianMixture } from '../../gaussian/mixture.ts';
import { withinTolerance } from '../../engine/outcome.ts';
import { type ContinuityResidual, continuityResidual } from '../../theory/flowContinuity.ts';
import { type FlowPathSpec, flowCoefficients } from '../../theory/flowPath.ts';
import { mixtureMarginalVelocity } from '../../theory/flowMatchingMixture.ts';
import type { CheckOutcome, Claim } from '../claim.ts';
import { describeGaussian } from '../xu2025/shared.ts';
import { describePath } from './cfm.ts';

/*
 * Lipman et al. 2023, Theorem 1: the marginal vector field generates the marginal probability path
 * (continuity equation), MATH.md §19.3.
 */
export interface ContinuityCase {
  readonly data: Gaussian | GaussianMixture;
  readonly path: FlowPathSpec;
  readonly t: number;
  /** The point, in marginal standard deviations from q_t's mean, per coordinate. */
  readonly offset: readonly number[];
}

export const continuityCases = (maxDim = 3): fc.Arbitrary<ContinuityCase> =>
  dimension({ max: maxDim }).chain((d) =>
    fc.record({
      data: fc.oneof(gaussianOfDim(d, { maxConditionNumber: 100 }) as fc.Arbitrary<Gaussian | GaussianMixture>, mixtureOfDim(d, { maxConditionNumber: 100 }) as fc.Arbitrary<Gaussian | GaussianMixture>),
      path: flowPath(),
      t: flowTime(),
      offset: fc.array(simpleDouble(-3, 3, 2), { minLength: d, maxLength: d }),
    }),
  );

/** The point x = E q_t + offset ⊙ √diag Cov(q_t). */
export function continuityPoint(c: ContinuityCase): Float64Array {
  const q = mixtureMarginalVelocity(c.data, flowCoefficients(c.path, c.t)).marginal;
  const d = q.dim;
  const mean = new Float64Array(d), second = new Float64Array(d);
  q.components.forEach((g, k) => {
    for (let i = 0; i < d; i++) {
      mean[i] += q.weights[k] * g.mean[i];
      second[i] += q.weights[k] * (g.cov.data[i * d + i] + g.mean[i] ** 2);
    }
  });
  return Float64Array.from(mean, (m, i) => m + c.offset[i] * Math.sqrt(Math.max(second[i] - m * m, 0)));
}

export type ContinuityEvaluator = (data: Gaussian | GaussianMixture, path: FlowPathSpec, t: number, x: ArrayLike<number>) => ContinuityResidual;

/** |ρ(x, t)| ≤ truncation estimate + rounding + 1e-12·magnitude. */
export function checkContinuity(c: ContinuityCase, evaluate: ContinuityEvaluator = continuityResidual): CheckOutcome {
  const x = continuityPoint(c);
  const r = evaluate(c.data, c.path, c.t, x);
  const tol = r.truncation + r.rounding + 1e-12 * r.magnitude;
  return withinTolerance(Math.abs(r.residual), tol, {
    metric: '|∂_t log q_t + ∇·v*_t + v*_t·∇log q_t|',
    quantities: { x: Array.from(x), '∂_t log q_t': r.terms.dtLogDensity, '∇·v*_t': r.terms.divergence, 'v*_t·∇log q_t': r.terms.transport, 'truncation estimate': r.truncation },
  });
}

export const marginalFieldGeneratesPath: Claim<ContinuityCase> = {
  id: 'lipman2023.marginalField.generates-path',
  source: 'lipman2023',
  section: 'Theorem 1',
  statement:
    '"Given vector fields u_t(x|x₁) that generate conditional probability paths p_t(x|x₁), for any distribution q(x₁), the marginal vector field u_t (in equation 8) generates the marginal probability path p_t (in equation 6), i.e., u_t and p_t satisfy the continuity equation." (Theorem 1)',
  assumptions: [
    'q(x₁) Gaussian or a Gaussian mixture (≤ 3 components), d ≤ 3, cond ≤ 100',
    'rectified, OT and I-CFM conditional paths; t on [0, 1] with its ends; x within ±3 marginal standard deviations of q_t\'s mean',
    'residual ∂_t log q_t + ∇·v*_t + v*_t·∇log q_t (the equation divided by q_t > 0): ∂_t and ∇· by central differences at h = 1e-3 and h/2 with Richardson extrapolation, ∇log q_t exact',
    'tolerance: the truncation estimate |ρ(h/2) − ρ(h)| + rounding 64ε(|log q| + d(max|v*| + 1))/h + 1e-12 of the terms',
  ],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => continuityCases(),
  check: (c) => checkContinuity(c),
  describeCase: (c) => ({
    data: c.data instanceof Gaussian ? describeGaussian(c.data) : { weights: Array.from(c.data.weights), components: c.data.components.map(describeGaussian) },
    path: describePath(c.path), t: c.t, offset: c.offset,
  }),
};

export const marginalFieldClaims: readonly Claim[] = [marginalFieldGeneratesPath];
