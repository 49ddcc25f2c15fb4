import fc from 'fast-check';
import { affineConditionalScoreModel } from '../../arbitraries/affineScoreModel.ts';
import { dimension } from '../../arbitraries/dimension.ts';
import { linearEncoder } from '../../arbitraries/encoder.ts';
import { flowPath, flowTime } from '../../arbitraries/flowPath.ts';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import type { Gaussian } from '../../gaussian/gaussian.ts';
import type { AffineConditionalScoreModel } from '../../models/affineConditionalScoreModel.ts';
import type { LinearEncoder } from '../../models/linearEncoder.ts';
import { conditionedByEncoder } from '../../objectives/conditionedData.ts';
import { type FlowCoefficients, type FlowPathSpec, flowCoefficients } from '../../theory/flowPath.ts';
import { conditionalCfmAffine, conditionalFmAffine, conditionalTargetVarianceSlope, flowInputBiasGap } from '../../theory/flowInputBias.ts';
import { encoderPosteriorCovariance } from '../../theory/inputBias.ts';
import { symmetricEigen } from '../../linalg/index.ts';
import { withinTolerance } from '../../engine/outcome.ts';
import { posteriorCovarianceAgreement } from '../xu2025/posteriorCovarianceAgreement.ts';
import type { CheckOutcome, Claim } from '../claim.ts';
import { RELATIVE_TOLERANCE, closeRelative, describeGaussian, rows } from '../xu2025/shared.ts';
import { describePath } from './cfm.ts';
import { flowInputBiasFigure } from './figures.ts';

/*
 * Xu 2025's Theorem 2 for flow matching (MATH.md §19.7): when the conditioning input is optimized
 * through the conditional loss, CFM − FM = E tr Cov(u_t | x_t, c) depends on how c is produced.
 * Derived here from Lipman et al.'s Theorem 2 applied to the conditional model; not a statement of the papers.
 */
const SPD = { maxConditionNumber: 100 } as const;
const describeEncoder = (e: LinearEncoder) => ({ B: rows(e.B), b: Array.from(e.b), tau: e.tau });
const describeModel = (m: AffineConditionalScoreModel) => ({ W: rows(m.A), U: rows(m.B), b: Array.from(m.b) });

export type FlowGapFormula = (data: Gaussian, encoder: LinearEncoder, co: FlowCoefficients) => number;

/** η‖Σ_{x|c}‖_F·Σ_j |dVar/dμ_j|: how far the gap can move between the two computation paths of Σ_{x|c}. */
export function flowGapPathAllowance(data: Gaussian, encoder: LinearEncoder, co: FlowCoefficients): number {
  const post = encoderPosteriorCovariance(data.cov, encoder.B, encoder.tau);
  let frob = 0;
  for (const v of post.data) frob += v * v;
  const slope = symmetricEigen(post).values.reduce((acc, mu) => acc + Math.abs(conditionalTargetVarianceSlope(co, Math.max(mu, 0))), 0);
  return posteriorCovarianceAgreement(data, encoder).bound * Math.sqrt(frob) * slope;
}

// ── the formula ───────────────────────────────────────────────────────────────
export interface FlowInputBiasCase {
  readonly data: Gaussian;
  readonly encoder: LinearEncoder;
  readonly model: AffineConditionalScoreModel;
  readonly path: FlowPathSpec;
  readonly t: number;
}

export const flowInputBiasCases = (maxDim = 4): fc.Arbitrary<FlowInputBiasCase> =>
  fc.tuple(dimension({ max: maxDim }), fc.integer({ min: 1, max: 3 })).chain(([d, k]) =>
    fc.record({ data: gaussianOfDim(d, SPD), encoder: linearEncoder(d, { k }), model: affineConditionalScoreModel(d, k), path: flowPath(), t: flowTime() }),
  );

/** Conditional CFM − FM (closed forms over (x₀, c, ε, ξ) and over (x_t, c)) against Σ_j Var_μⱼ(u | x_t, c). */
export function checkFlowInputBiasFormula(c: FlowInputBiasCase, formula: FlowGapFormula = flowInputBiasGap): CheckOutcome {
  const co = flowCoefficients(c.path, c.t);
  const cd = conditionedByEncoder(c.data, c.encoder);
  const cfm = conditionalCfmAffine(c.model, cd, co).mean, fm = conditionalFmAffine(c.model, cd, co).mean;
  const G = formula(c.data, c.encoder, co);
  const mag = Math.max(Math.abs(cfm), Math.abs(fm), Math.abs(G));
  // FM's closed form conditions through the Schur complement of the joint (x₀, c), the gap through the
  // precision form of Σ_{x|c}: the two paths of Σ_{x|c} differ by ≤ η‖Σ_{x|c}‖_F (posteriorCovarianceAgreement),
  // which moves each eigenvalue μ_j by at most that (Weyl), so G by ≤ η‖Σ_{x|c}‖_F·Σ_j |dVar/dμ_j| (first order).
  const allowance = flowGapPathAllowance(c.data, c.encoder, co);
  const err = Math.abs(cfm - fm - G);
  const tol = RELATIVE_TOLERANCE * mag + allowance;
  return withinTolerance(err / mag, tol / mag, { quantities: { 'CFM − FM': cfm - fm, 'predicted gap Σ_j Var(u | x_t, c)': G, CFM: cfm, FM: fm, 'Σ_{x|c} path allowance': allowance } });
}

export const flowInputBiasFormula: Claim<FlowInputBiasCase> = {
  id: 'lipman2023.inputBias.formula',
  source: 'lipman2023',
  section: 'Theorem 2 applied to a conditional model (derived, MATH.md §19.7)',
  statement:
    'For a conditional velocity model v(x_t, c), CFM − FM = E_c E_{x_t|c} tr Cov(u_t | x_t, c); for c = Bx₀ + b + τξ it is Σ_j [μ_j(ȧs − ṡa)² + μ_j(ȧr − ṙa)² + (ṡr − ṙs)²]/(a²μ_j + s² + r²) over the eigenvalues μ_j of Σ_{x|c} = (Σ⁻¹ + BᵀB/τ²)⁻¹ — Xu 2025 Theorem 2 for flow matching.',
  assumptions: ['x₀ ~ N(μ, Σ), d ≤ 4, cond(Σ) ≤ 100; encoder k ≤ 3, B entries in [−2, 2], τ ∈ [0.1, 3.2]', 'rectified, OT and I-CFM paths, t on [0, 1] with its ends', 'affine conditional velocity v(x_t, c) = Wx_t + Uc + b; CFM and FM in closed form', `tolerance ${RELATIVE_TOLERANCE} of max(|CFM|, |FM|, gap) plus the first-order bound on how far the two computation paths of Σ_{x|c} (Schur complement, precision form) move the gap`],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => flowInputBiasCases(),
  check: (c) => checkFlowInputBiasFormula(c),
  describeCase: (c) => ({ data: describeGaussian(c.data), encoder: describeEncoder(c.encoder), model: describeModel(c.model), path: describePath(c.path), t: c.t }),
  figures: () => [flowInputBiasFigure()],
};

// ── "constant" when the encoder is optimized ─────────────────────────────────
export interface FlowEncoderPairCase {
  readonly data: Gaussian;
  readonly model: AffineConditionalScoreModel;
  readonly encoders: readonly [LinearEncoder, LinearEncoder];
  readonly path: FlowPathSpec;
  readonly t: number;
}

export const flowEncoderPairCases = (maxDim = 4): fc.Arbitrary<FlowEncoderPairCase> =>
  fc.tuple(dimension({ max: maxDim }), fc.integer({ min: 1, max: 3 })).chain(([d, k]) =>
    fc.record({ data: gaussianOfDim(d, SPD), model: affineConditionalScoreModel(d, k), encoders: fc.tuple(linearEncoder(d, { k }), linearEncoder(d, { k })), path: flowPath(), t: flowTime() }),
  );

/** Read literally: the same CFM − FM (closed form, same model) for two encoders. */
export function checkFlowConstantAcrossEncoders(c: FlowEncoderPairCase): CheckOutcome {
  const co = flowCoefficients(c.path, c.t);
  const gaps = c.encoders.map((enc) => {
    const cd = conditionedByEncoder(c.data, enc);
    const cfm = conditionalCfmAffine(c.model, cd, co).mean, fm = conditionalFmAffine(c.model, cd, co).mean;
    return { gap: cfm - fm, mag: Math.max(Math.abs(cfm), Math.abs(fm)), predicted: flowInputBiasGap(c.data, enc, co) };
  });
  const r = closeRelative(gaps[0].gap, gaps[1].gap, Math.max(gaps[0].mag, gaps[1].mag));
  return {
    holds: r.ok, maxError: r.err, tolerance: RELATIVE_TOLERANCE,
    quantities: { 'CFM − FM (encoder 1)': gaps[0].gap, 'CFM − FM (encoder 2)': gaps[1].gap, 'predicted gap 1': gaps[0].predicted, 'predicted gap 2': gaps[1].predicted, t: c.t },
    note: 'the gap depends on Σ_{x|c}: a more informative encoder has a smaller gap, so CFM rewards it beyond FM (a larger conditional velocity norm)',
  };
}

export const flowConstantUnderEncoderOptimization: Claim<FlowEncoderPairCase> = {
  id: 'lipman2023.inputBias.constant-under-encoder-optimization',
  source: 'lipman2023',
  section: 'Theorem 2 read for the conditioning input',
  statement: '"Up to a constant independent of θ, L_CFM and L_FM are equal" read for the conditioning input: CFM = FM + constant also when the encoder producing c is optimized through the loss — refuted as Xu 2025 refutes it for DSM.',
  assumptions: ['x₀ ~ N(μ, Σ), d ≤ 4; two noisy linear encoders of the same k ≤ 3', 'one affine conditional velocity model, closed-form CFM and FM; rectified, OT and I-CFM paths, t on [0, 1]', `"constant" read as: equal CFM − FM for both encoders to relative ${RELATIVE_TOLERANCE}`],
  expected: 'refuted',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => flowEncoderPairCases(),
  check: checkFlowConstantAcrossEncoders,
  describeCase: (c) => ({ data: describeGaussian(c.data), model: describeModel(c.model), encoders: c.encoders.map(describeEncoder), path: describePath(c.path), t: c.t }),
};

export const inputBiasClaims: readonly Claim[] = [flowInputBiasFormula, flowConstantUnderEncoderOptimization];
