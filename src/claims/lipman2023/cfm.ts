import fc from 'fast-check';
import { affineScoreModel } from '../../arbitraries/affineScoreModel.ts';
import { simpleDouble } from '../../arbitraries/boundedDouble.ts';
import { dimension } from '../../arbitraries/dimension.ts';
import { flowPath, flowTime } from '../../arbitraries/flowPath.ts';
import { gaussianOfDim } from '../../arbitraries/gaussian.ts';
import { mixtureOfDim } from '../../arbitraries/mixture.ts';
import { mlpScoreModel } from '../../arbitraries/mlpScoreModel.ts';
import { mcSeed } from '../../arbitraries/seed.ts';
import { meanTestOutcome } from '../../engine/outcome.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import type { GaussianMixture } from '../../gaussian/mixture.ts';
import { type Estimate, type Rng, assertMeanEqual, createRng, minNumSamplesMean } from '../../mc/index.ts';
import type { AffineScoreModel } from '../../models/affineScoreModel.ts';
import type { MlpScoreModel } from '../../models/mlpScoreModel.ts';
import type { ScoreModel } from '../../models/scoreModel.ts';
import { type FlowCoefficients, type FlowPathSpec, flowCoefficients } from '../../theory/flowPath.ts';
import { type FlowTimeLaw, flowTimeAtoms } from '../../theory/flowTimeLaw.ts';
import { cfmAffine, cfmAffineGradient, flowConstant, fmAffine, fmAffineGradient } from '../../theory/flowMatchingGaussian.ts';
import { type FlowMarginalField, mixtureMarginalVelocity } from '../../theory/flowMatchingMixture.ts';
import { type FlowDifferenceEstimates, cfmMinusFmMonteCarlo } from '../../theory/flowMatchingMonteCarlo.ts';
import type { CheckOutcome, Claim } from '../claim.ts';
import { RELATIVE_TOLERANCE, closeRelative, describeGaussian, gapsAgainstConstant, rows } from '../xu2025/shared.ts';
import { flowConstantFigure } from './figures.ts';

/*
 * Lipman et al. 2023, Theorem 2 (and Tong et al. 2023, Theorem 3.2 for their I-CFM): CFM and FM differ
 * by a constant independent of θ (MATH.md §19.2–§19.3).
 */
export const LIPMAN_THEOREM_2 =
  '"Assuming that p_t(x) > 0 for all x ∈ ℝ^d and t ∈ [0, 1], then, up to a constant independent of θ, L_CFM and L_FM are equal. Hence, ∇_θ L_FM(θ) = ∇_θ L_CFM(θ)." (Theorem 2)';

const SPD = { maxConditionNumber: 1e3 } as const;

export const describePath = (p: FlowPathSpec) => (p.kind === 'rectified' ? 'rectified' : p.kind === 'ot' ? `ot(σ_min = ${p.sigmaMin})` : `icfm(σ = ${p.sigma})`);
const describeModel = (m: AffineScoreModel) => ({ W: rows(m.A), b: Array.from(m.b) });

/** The constant the checks compare with; properties swap in wrong ones (negative controls). */
export type FlowConstantFormula = (data: Gaussian, co: FlowCoefficients) => number;

// ── per time, closed form ─────────────────────────────────────────────────────
export interface FlowIdentityCase {
  readonly data: Gaussian;
  readonly path: FlowPathSpec;
  readonly t: number;
  readonly models: readonly [AffineScoreModel, AffineScoreModel];
}

export const flowIdentityCases = (paths: fc.Arbitrary<FlowPathSpec> = flowPath(), maxDim = 6): fc.Arbitrary<FlowIdentityCase> =>
  dimension({ max: maxDim }).chain((d) =>
    fc.record({ data: gaussianOfDim(d, SPD), path: paths, t: flowTime(), models: fc.tuple(affineScoreModel(d), affineScoreModel(d)) }),
  );

/** CFM − FM (two independent closed forms) against C_t = Σ_i Var_λᵢ(u | x_t), for two models. */
export function checkFlowIdentity(c: FlowIdentityCase, constant: FlowConstantFormula = flowConstant): CheckOutcome {
  const co = flowCoefficients(c.path, c.t);
  const C = constant(c.data, co);
  const { holds, worst, gaps } = gapsAgainstConstant(c.models, (m) => cfmAffine(m, c.data, co).mean, (m) => fmAffine(m, c.data, co).mean, C);
  return { holds, maxError: worst, tolerance: RELATIVE_TOLERANCE, quantities: { 'CFM − FM (θ₁)': gaps[0], 'CFM − FM (θ₂)': gaps[1], C_t: C, t: c.t } };
}

const describeIdentity = (c: FlowIdentityCase) => ({ data: describeGaussian(c.data), path: describePath(c.path), t: c.t, models: c.models.map(describeModel) });

export const cfmPerTime: Claim<FlowIdentityCase> = {
  id: 'lipman2023.cfm.per-time',
  source: 'lipman2023',
  section: 'Theorem 2',
  statement: `${LIPMAN_THEOREM_2} At each t: CFM_t(θ) − FM_t(θ) = C_t = E tr Cov(u_t | x_t) for every θ.`,
  assumptions: [
    'x₀ ~ N(μ, Σ), d ≤ 6, cond(Σ) ≤ 1e3 (p_t > 0 everywhere)',
    'paths: rectified flow (x_t = (1 − t)x₀ + tε), Lipman OT (σ_min ∈ [0, 0.1]), Tong I-CFM (σ ∈ [0, 1]); t = k/1000 on [0, 1], both ends included',
    'two affine velocity models v(x) = Wx + b per case (entries in [−2, 2]); CFM and FM in closed form by independent routes (the joint law of (x₀, ε, ξ), and the marginal law of x_t with v*_t)',
    `relative tolerance ${RELATIVE_TOLERANCE} of max(|CFM|, |FM|, C_t)`,
  ],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => flowIdentityCases(),
  check: (c) => checkFlowIdentity(c),
  describeCase: describeIdentity,
  figures: () => [flowConstantFigure()],
};

// ── weighted over a training time law ────────────────────────────────────────
export interface FlowWeightedCase {
  readonly data: Gaussian;
  readonly path: FlowPathSpec;
  /** A training time law on a table of N values (its atoms and probabilities), per-atom loss weights. */
  readonly law: FlowTimeLaw;
  readonly weights: readonly number[];
  /** Model used at odd / even atoms. */
  readonly models: readonly [AffineScoreModel, AffineScoreModel];
}

export const flowWeightedCases = (maxDim = 4, maxN = 20): fc.Arbitrary<FlowWeightedCase> =>
  fc.tuple(dimension({ max: maxDim }), fc.integer({ min: 1, max: maxN })).chain(([d, N]) =>
    fc.record({
      data: gaussianOfDim(d, SPD),
      path: flowPath(),
      law: fc.record({
        base: fc.oneof(
          fc.constant<FlowTimeLaw['base']>({ kind: 'uniform' }),
          fc.record({ loc: simpleDouble(-2, 2, 1), scale: simpleDouble(0.2, 3, 1) }).map((b): FlowTimeLaw['base'] => ({ kind: 'logit_normal', ...b })),
          simpleDouble(-1, 1.7, 1).map((scale): FlowTimeLaw['base'] => ({ kind: 'mode', scale })),
          fc.constant<FlowTimeLaw['base']>({ kind: 'cosmap' }),
        ),
        shift: simpleDouble(0.5, 6, 1),
        table: fc.constantFrom<'descending' | 'ascending'>('descending', 'ascending'),
      }).map((l): FlowTimeLaw => ({ base: l.base, shift: l.shift, discretization: { numTrainTimesteps: N, table: l.table } })),
      weights: fc.array(simpleDouble(0, 2, 2), { minLength: N, maxLength: N }),
      models: fc.tuple(affineScoreModel(d), affineScoreModel(d)),
    }),
  );

/** E_t[w_t(CFM_t − FM_t)] against E_t[w_t C_t] over the law's atoms, two models alternating per atom. */
export function checkFlowWeighted(c: FlowWeightedCase, constant: FlowConstantFormula = flowConstant): CheckOutcome {
  const { values, probabilities } = flowTimeAtoms(c.law);
  let diff = 0, total = 0, mag = 0;
  values.forEach((t, k) => {
    const q = probabilities[k] * c.weights[k];
    if (q === 0) return;
    const co = flowCoefficients(c.path, t);
    const m = c.models[k % 2];
    const cfm = cfmAffine(m, c.data, co).mean, fm = fmAffine(m, c.data, co).mean, C = constant(c.data, co);
    diff += q * (cfm - fm);
    total += q * C;
    mag += q * Math.max(Math.abs(cfm), Math.abs(fm), Math.abs(C));
  });
  const r = closeRelative(diff, total, mag);
  return { holds: r.ok, maxError: r.err, tolerance: RELATIVE_TOLERANCE, quantities: { 'E_t w_t (CFM_t − FM_t)': diff, 'E_t w_t C_t': total } };
}

export const cfmWeightedOverTime: Claim<FlowWeightedCase> = {
  id: 'lipman2023.cfm.weighted-over-time',
  source: 'lipman2023',
  section: 'Theorem 2 (L_CFM and L_FM as expectations over t ~ U[0, 1], read for any training time law)',
  statement: 'For the training objective E_{t~p}[w_t·L_t] — any time law p (here on a table of N ≤ 20 values), any weights w_t ≥ 0, any per-time models — E_t w_t(CFM_t − FM_t) = E_t w_t C_t, independent of θ.',
  assumptions: ['x₀ ~ N(μ, Σ), d ≤ 4, cond(Σ) ≤ 1e3', 'laws: uniform, logit-normal, mode, cosmap with an SD3 shift ∈ [0.5, 6], on a descending or ascending table of N ≤ 20 values; weights in [0, 2]', 'two affine velocity models alternating with the atom', `relative tolerance ${RELATIVE_TOLERANCE}`],
  expected: 'holds',
  defaultRuns: 60,
  assertionsPerCase: 0,
  cases: () => flowWeightedCases(),
  check: (c) => checkFlowWeighted(c),
  describeCase: (c) => ({ data: describeGaussian(c.data), path: describePath(c.path), law: c.law, weights: c.weights, models: c.models.map(describeModel) }),
};

// ── gradient equality ─────────────────────────────────────────────────────────
export interface FlowGradientCase {
  readonly data: Gaussian;
  readonly path: FlowPathSpec;
  readonly t: number;
  readonly model: AffineScoreModel;
}

export const flowGradientCases = (maxDim = 5): fc.Arbitrary<FlowGradientCase> =>
  dimension({ max: maxDim }).chain((d) => fc.record({ data: gaussianOfDim(d, SPD), path: flowPath(), t: flowTime(), model: affineScoreModel(d) }));

/** The Cauchy–Schwarz bound 2√(CFM · E‖(x_t, 1)‖²) on every gradient entry (rounding is relative to it). */
function flowGradientScale(c: FlowGradientCase, co: FlowCoefficients, cfm: number): number {
  let m2 = 1;
  for (let i = 0; i < c.data.dim; i++) m2 += co.a * co.a * (c.data.cov.data[i * c.data.dim + i] + c.data.mean[i] ** 2) + co.s * co.s + co.r * co.r;
  return 2 * Math.sqrt(cfm * m2);
}

export interface FlowGradientImpl {
  cfmGradient(model: AffineScoreModel, data: Gaussian, co: FlowCoefficients): Float64Array;
  fmGradient(model: AffineScoreModel, data: Gaussian, co: FlowCoefficients): Float64Array;
}

export const referenceFlowGradientImpl: FlowGradientImpl = { cfmGradient: cfmAffineGradient, fmGradient: fmAffineGradient };

/**
 * ∇_θ CFM = ∇_θ FM (analytic), and each analytic gradient against central differences of its own
 * closed form (CFM and FM are quadratic in θ: exact up to rounding, |error| ≲ 1e3ε·M/h).
 */
export function checkFlowGradients(c: FlowGradientCase, impl: FlowGradientImpl = referenceFlowGradientImpl): CheckOutcome {
  const co = flowCoefficients(c.path, c.t);
  const gc = impl.cfmGradient(c.model, c.data, co), gf = impl.fmGradient(c.model, c.data, co);
  const cfm = cfmAffine(c.model, c.data, co).mean;
  const scale = flowGradientScale(c, co, cfm);
  let worst = 0;
  for (let i = 0; i < gc.length; i++) worst = Math.max(worst, Math.abs(gc[i] - gf[i]) / scale);
  let fdWorst = 0;
  const theta = c.model.parameters();
  for (const [which, g] of [['cfm', gc], ['fm', gf]] as const) {
    const f = (m: AffineScoreModel) => (which === 'cfm' ? cfmAffine : fmAffine)(m, c.data, co).mean;
    const M = cfm + fmAffine(c.model, c.data, co).mean;
    for (let i = 0; i < theta.length; i++) {
      const h = 1e-3 * Math.max(1, Math.abs(theta[i]));
      const tp = Float64Array.from(theta), tm = Float64Array.from(theta);
      tp[i] += h;
      tm[i] -= h;
      const fd = (f(c.model.withParameters(tp)) - f(c.model.withParameters(tm))) / (2 * h);
      const tol = (1e3 * Number.EPSILON * M) / h + RELATIVE_TOLERANCE * scale;
      fdWorst = Math.max(fdWorst, Math.abs(fd - g[i]) / tol);
    }
  }
  const holds = worst <= RELATIVE_TOLERANCE && fdWorst <= 1;
  return {
    holds, maxError: worst, tolerance: RELATIVE_TOLERANCE,
    margin: Math.max(Math.log10(Math.max(worst, 1e-300) / RELATIVE_TOLERANCE), Math.log10(Math.max(fdWorst, 1e-300))),
    quantities: { '∇CFM': Array.from(gc), '∇FM': Array.from(gf), 'finite differences / allowance (worst)': fdWorst },
  };
}

export const cfmGradientEquality: Claim<FlowGradientCase> = {
  id: 'lipman2023.cfm.gradient-equality',
  source: 'lipman2023',
  section: 'Theorem 2',
  statement: '∇_θ L_FM(θ) = ∇_θ L_CFM(θ): training a velocity model by conditional flow matching follows the gradients of flow matching (Theorem 2).',
  assumptions: ['x₀ ~ N(μ, Σ), d ≤ 5, cond(Σ) ≤ 1e3', 'rectified, OT and I-CFM paths; t on [0, 1] with its ends', 'affine v(x) = Wx + b; analytic gradients of both closed forms, each checked by central differences', `tolerance ${RELATIVE_TOLERANCE} of the Cauchy–Schwarz bound 2√(CFM·E‖(x_t, 1)‖²)`],
  expected: 'holds',
  defaultRuns: 100,
  assertionsPerCase: 0,
  cases: () => flowGradientCases(),
  check: (c) => checkFlowGradients(c),
  describeCase: (c) => ({ data: describeGaussian(c.data), path: describePath(c.path), t: c.t, model: describeModel(c.model) }),
};

// ── Monte Carlo: nonlinear models, mixture data ──────────────────────────────
export interface FlowMcCase {
  readonly data: Gaussian | GaussianMixture;
  readonly path: FlowPathSpec;
  readonly t: number;
  /** The model is v = v*_t + amplitude·√(C_t/d)·m_θ(x)/rms(m_θ): a tanh MLP offset from the marginal velocity. */
  readonly offset: MlpScoreModel;
  readonly amplitude: number;
  readonly seed: number;
}

export const flowMcCases = (maxDim = 3): fc.Arbitrary<FlowMcCase> =>
  dimension({ max: maxDim }).chain((d) =>
    fc.record({
      data: fc.oneof(mixtureOfDim(d, { maxConditionNumber: 100 }) as fc.Arbitrary<Gaussian | GaussianMixture>, gaussianOfDim(d, { maxConditionNumber: 100 }) as fc.Arbitrary<Gaussian | GaussianMixture>),
      path: flowPath(),
      t: flowTime(),
      offset: mlpScoreModel(d),
      amplitude: simpleDouble(0, 1, 2),
      seed: mcSeed(),
    }),
  );

/** Pilot draws (variance of the paired difference, C_t); the main sample is sized from them. */
export const FLOW_MC_PILOT = 2000;
/** Largest main sample: beyond it the case reports the power it has (inconclusive when short of 10 %). */
export const FLOW_MC_MAX_SAMPLES = 400_000;
/** The main sample is sized for this fraction of C_t, so that the 10 % target is met despite the pilot's variance error. */
export const FLOW_MC_SIZING_TARGET = 0.08;

/** Two independent samples' estimates pooled (means weighted by n, the within and between sums of squares). */
function pool(a: Estimate, b: Estimate): Estimate {
  const n = a.n + b.n;
  const mean = (a.n * a.mean + b.n * b.mean) / n;
  const variance = ((a.n - 1) * a.variance + (b.n - 1) * b.variance + ((a.n * b.n) / n) * (a.mean - b.mean) ** 2) / (n - 1);
  return { mean, variance, stderr: Math.sqrt(variance / n), n };
}

function pooledDifferences(a: FlowDifferenceEstimates, b: FlowDifferenceEstimates): FlowDifferenceEstimates {
  return { difference: pool(a.difference, b.difference), conditionalTrace: pool(a.conditionalTrace, b.conditionalTrace), paired: pool(a.paired, b.paired), magnitude: Math.max(a.magnitude, b.magnitude) };
}

/** √(E‖m(x_t)‖²/d) over x_t ~ q_t (n draws). */
function offsetRms(m: ScoreModel, data: Gaussian | GaussianMixture, co: FlowCoefficients, rng: Rng, n: number): number {
  const d = data.dim, x0 = new Float64Array(d), xi = new Float64Array(d), e = new Float64Array(d), out = new Float64Array(d), scratch = new Float64Array(d);
  let acc = 0;
  for (let k = 0; k < n; k++) {
    data.sampleInto(rng, x0, scratch);
    rng.fillNormal(e);
    rng.fillNormal(xi);
    for (let i = 0; i < d; i++) x0[i] = co.a * x0[i] + co.s * e[i] + co.r * xi[i];
    m.evaluate(x0, out);
    for (let i = 0; i < d; i++) acc += out[i] * out[i];
  }
  return Math.sqrt(acc / (n * d));
}

/** v = v*_t + k·m_θ(x). */
function offsetModel(field: FlowMarginalField, offset: ScoreModel, k: number): ScoreModel {
  const tmp = new Float64Array(field.dim);
  return {
    dim: field.dim,
    evaluate(x, out) {
      field.evaluate(x, out);
      offset.evaluate(x, tmp);
      for (let i = 0; i < out.length; i++) out[i] += k * tmp[i];
      return out;
    },
  };
}

/**
 * E[D − R] = 0 (MATH.md §19.3): D = ‖v − u‖² − ‖v − v*‖², R = tr Cov(u | x_t). A pilot of 2000 draws
 * estimates C_t and the variance of D − R; the main sample (fresh draws) is sized so that 8 % of C_t
 * is detected with power 0.99 at the run's α (at most 400 000 draws); where the main sample's own
 * variance shows the pilot under-estimated it, a second stage tops the sample up (Stein's two-stage
 * design), then one two-sided mean test on all draws.
 * `field` builds the marginal velocity (a negative control swaps in a wrong one).
 */
export function checkFlowMonteCarlo(
  c: FlowMcCase, falseAlarm: number, replicate = 0,
  field: (data: Gaussian | GaussianMixture, co: FlowCoefficients) => FlowMarginalField = mixtureMarginalVelocity,
): CheckOutcome {
  const co = flowCoefficients(c.path, c.t);
  const vstar = field(c.data, co);
  const rng = createRng(`lipman2023-cfm-mc/${c.seed}/${replicate}`);
  const d = c.data.dim;
  // The offset's size is set from a 500-draw probe with the exact field (part of the case's model):
  // amplitude·√(C_t/d) per coordinate, m_θ normalized by its root-mean-square over q_t.
  const exact = mixtureMarginalVelocity(c.data, co);
  const probe = cfmMinusFmMonteCarlo(exact, c.data, exact, co, rng.fork('size'), 500);
  const rms = offsetRms(c.offset, c.data, co, rng.fork('rms'), 500);
  const model = offsetModel(exact, c.offset, (c.amplitude * Math.sqrt(Math.max(probe.conditionalTrace.mean, 1e-300) / d)) / Math.max(rms, 1e-300));
  const pilot = cfmMinusFmMonteCarlo(model, c.data, vstar, co, rng.fork('pilot'), FLOW_MC_PILOT);
  const C = pilot.conditionalTrace.mean;
  const want = minNumSamplesMean(Math.max(pilot.paired.variance, 1e-300), FLOW_MC_SIZING_TARGET * Math.max(C, 1e-300), falseAlarm);
  const n = Math.min(FLOW_MC_MAX_SAMPLES, Math.max(FLOW_MC_PILOT, want));
  let main = cfmMinusFmMonteCarlo(model, c.data, vstar, co, rng.fork('main'), n);
  // Second stage (Stein's two-stage design: its size depends on the first stage's variance only): where the
  // pilot under-estimated the variance and 10 % of C_t is not yet detectable, draw up to the size the main
  // sample's own variance asks for.
  const need = minNumSamplesMean(Math.max(main.paired.variance, 1e-300), FLOW_MC_SIZING_TARGET * Math.max(main.conditionalTrace.mean, 1e-300), falseAlarm);
  if (need > n && n < FLOW_MC_MAX_SAMPLES) {
    const more = cfmMinusFmMonteCarlo(model, c.data, vstar, co, rng.fork('second stage'), Math.max(2, Math.min(FLOW_MC_MAX_SAMPLES, need) - n));
    main = pooledDifferences(main, more);
  }
  const drawn = main.paired.n;
  const rounding = 1e3 * Number.EPSILON * main.magnitude;
  const test = assertMeanEqual(main.paired, 0, { falseAlarm, rounding });
  return meanTestOutcome(test, {
    scale: main.conditionalTrace.mean, samples: drawn + FLOW_MC_PILOT + 1000,
    metric: '|mean(D − R)|',
    quantities: {
      'CFM − FM (mean D)': main.difference.mean, 'C_t (mean R)': main.conditionalTrace.mean, 'mean(D − R)': main.paired.mean, stderr: main.paired.stderr,
      'draws (main)': drawn, data: 'components' in c.data ? `mixture of ${c.data.components.length}` : 'gaussian',
    },
  });
}

export const cfmMonteCarlo: Claim<FlowMcCase> = {
  id: 'lipman2023.cfm.monte-carlo',
  source: 'lipman2023',
  section: 'Theorem 2',
  statement: 'CFM_t(v) − FM_t(v) = C_t also for nonlinear velocity models and non-Gaussian (mixture) data, with the marginal velocity v*_t(x) = ∫ u_t(x|x₁) p_t(x|x₁) q(x₁)/p_t(x) dx₁ (eq. 8; Theorem 2).',
  assumptions: [
    'x₀ ~ Gaussian or Gaussian mixture (≤ 3 components), d ≤ 3, cond ≤ 100',
    'velocity models v = v*_t + ρ·√(C_t/d)·m_θ/rms(m_θ), m_θ a seeded random tanh MLP, ρ ∈ [0, 1] (C_t and the rms over q_t from 500-draw probes): offsets up to the spread of the conditional target',
    'v*_t and tr Cov(u_t | x_t) in closed form per mixture component (responsibilities of q_t); per draw D − R, D = ‖v − u‖² − ‖v − v*‖², R = tr Cov(u | x_t); E[D − R] = 0 ⟺ the theorem',
    `draws sized from a ${FLOW_MC_PILOT}-draw pilot for ${FLOW_MC_SIZING_TARGET * 100} % of C_t at power 0.99 (so that 10 % is met; ≤ ${FLOW_MC_MAX_SAMPLES}); Student-t test at the run's α`,
  ],
  expected: 'holds',
  defaultRuns: 20,
  assertionsPerCase: 1,
  cases: () => flowMcCases(),
  check: (c, env) => checkFlowMonteCarlo(c, env.falseAlarm, env.replicate),
  describeCase: (c) => ({
    data: c.data instanceof Gaussian ? describeGaussian(c.data) : { weights: Array.from(c.data.weights), components: c.data.components.map(describeGaussian) },
    path: describePath(c.path), t: c.t, amplitude: c.amplitude, seed: c.seed, hidden: c.offset.weights.hidden,
  }),
};

export const cfmClaims: readonly Claim[] = [cfmPerTime, cfmWeightedOverTime, cfmGradientEquality, cfmMonteCarlo];
