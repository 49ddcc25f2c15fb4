import fc from 'fast-check';
import { mcSeed } from '../../arbitraries/seed.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { diag } from '../../linalg/index.ts';
import { estimateFromSamples } from '../../mc/estimate.ts';
import { createRng } from '../../mc/rng.ts';
import { assertMeanEqual, minNumSamplesMean } from '../../mc/meanTest.ts';
import { meanTestOutcome } from '../../engine/outcome.ts';
import { affineEsm, expectedLoss, levelAt, lossWeight, parameterizationGain } from '../oracle.ts';
import type { Parameterization } from '../../diffusion/parameterization.ts';
import type { AffineModel, DeclaredOps } from '../protocol.ts';
import { MAX_CASE_DIM, affineModel, caseCoordinates, cut, cutModel, simpleVector, timestep } from './caseArbitraries.ts';
import type { SubjectCheck } from './checkDefinition.ts';
import { requestLoss } from './lossDsmCheck.ts';

/** Samples of the pilot batch; more are drawn (up to GRADIENT_MAX_SAMPLES) to reach the stated power. */
export const GRADIENT_SAMPLES = 256;
export const GRADIENT_MAX_SAMPLES = 4096;
/** The relative error of the directional derivative each case must detect at power 0.99. */
export const GRADIENT_DETECTABLE = 0.1;

export interface LossGradientCase {
  readonly d: number;
  readonly mean: number[];
  /** Diagonal data covariance, entries in [0.25, 2.25]. */
  readonly variances: number[];
  readonly t: number;
  readonly model: AffineModel;
  readonly direction: AffineModel;
  readonly seed: number;
}

function shift(m: AffineModel, u: AffineModel, h: number): AffineModel {
  return { W: m.W.map((r, i) => r.map((v, j) => v + h * u.W[i][j])), b: m.b.map((v, i) => v + h * u.b[i]) };
}

/**
 * Data x_0 ~ N(μ, diag(v)), one t. The directional derivative of the subject's loss along u,
 * D_i = (ℓ_i(θ+u) − ℓ_i(θ−u))/2 (exact for a loss quadratic in θ), has mean
 * λ_t κ_P² ∂_u ESM(θ) (÷ d for 'mean'), with ESM the closed form for the affine network
 * (MATH.md §2 Thm 1: ∇_θ DSM = ∇_θ ESM). The same difference C_i of the declared objective
 * on the same draws is a control variate with that exact mean, so the test is a t-test of
 * E[D − C] = 0: a correct subject's residuals are rounding, and the sample grows (pilot 256,
 * up to GRADIENT_MAX_SAMPLES) until 10 % of the expected derivative is detectable at power 0.99.
 */
export const lossGradientCheck: SubjectCheck<LossGradientCase> = {
  id: 'loss.esm_gradient',
  op: 'loss',
  title: 'θ-gradient of the mean loss matches λ_t·∇ESM (directional, Monte Carlo)',
  kind: 'statistical',
  assertionsPerCase: 1,
  defaultRuns: 6,
  cases: (ctx) =>
    fc
      .record({
        coords: caseCoordinates(),
        mean: simpleVector(MAX_CASE_DIM),
        variances: fc.array(fc.integer({ min: 1, max: 9 }).map((k) => k / 4), { minLength: MAX_CASE_DIM, maxLength: MAX_CASE_DIM }),
        t: timestep(ctx.schedule.schedule.T),
        model: affineModel(MAX_CASE_DIM),
        direction: affineModel(MAX_CASE_DIM),
        seed: mcSeed(),
      })
      .map(({ coords, ...c }) => ({ ...c, d: coords.length, mean: cut(c.mean, coords), variances: cut(c.variances, coords), model: cutModel(c.model, coords), direction: cutModel(c.direction, coords) }))
      // A zero direction has no derivative to test: it becomes e_1 on b (no filter, so corners and shrinking never spin).
      .map((c) => (c.direction.b.some((v) => v !== 0) || c.direction.W.some((r) => r.some((v) => v !== 0)) ? c : { ...c, direction: { W: c.direction.W, b: c.direction.b.map((_, i) => (i === 0 ? 1 : 0)) } })),
  async run(ctx, c, env) {
    const decl = ctx.hello.ops.loss as NonNullable<DeclaredOps['loss']>;
    const p = ctx.hello.parameterization as Parameterization;
    const level = levelAt(ctx.schedule.schedule, c.t);
    const data = new Gaussian(c.mean, diag(c.variances), 'data');
    const rng = createRng(`${c.seed}/${env.replicate}`);
    const factor = (lossWeight(decl.weighting, level.a * level.a) * parameterizationGain(p, level)) / (decl.reduction === 'mean' ? c.d : 1);
    const esmPlus = affineEsm(p, shift(c.model, c.direction, 1), data, level);
    const esmMinus = affineEsm(p, shift(c.model, c.direction, -1), data, level);
    const expected = (factor * (esmPlus - esmMinus)) / 2;
    // Per sample, the subject's D_i minus the declared objective's own C_i (control variate:
    // E C = λ κ² ∂_u ESM exactly, Vincent): a correct subject gives D − C at rounding level.
    const D: number[] = [], R: number[] = [], C: number[] = [];
    let firstId = -1;
    const mPlus = shift(c.model, c.direction, 1), mMinus = shift(c.model, c.direction, -1);
    const draw = async (n: number) => {
      const samples = Array.from({ length: n }, () => ({ x0: data.sample(rng, 1), noise: rng.fillNormal(new Float64Array(c.d)), t: c.t }));
      const plus = await requestLoss(ctx.subject, ctx.schedule, mPlus, samples);
      const minus = await requestLoss(ctx.subject, ctx.schedule, mMinus, samples);
      if (firstId < 0) firstId = plus.id;
      for (let i = 0; i < n; i++) {
        const d = (plus.loss[i] - minus.loss[i]) / 2;
        const cv = (expectedLoss(p, decl.weighting, decl.reduction, mPlus, level, samples[i].x0, samples[i].noise).loss - expectedLoss(p, decl.weighting, decl.reduction, mMinus, level, samples[i].x0, samples[i].noise).loss) / 2;
        D.push(d);
        C.push(cv);
        R.push(d - cv);
      }
    };
    // Pilot, then as many draws as detecting 10 % of the expected derivative at power 0.99 needs (capped).
    await draw(GRADIENT_SAMPLES);
    const pilot = estimateFromSamples(R);
    // The size a discrepancy is measured against: the expected derivative, or — where that is
    // (nearly) zero — the spread of one sample's derivative under the declared objective.
    const scale = Math.max(Math.abs(expected), Math.sqrt(estimateFromSamples(C).variance));
    const want = scale > 0 ? minNumSamplesMean(pilot.variance, GRADIENT_DETECTABLE * scale, env.falseAlarm) : GRADIENT_MAX_SAMPLES;
    const more = Math.min(GRADIENT_MAX_SAMPLES, want) - R.length;
    if (more > 0) await draw(more);
    const residual = estimateFromSamples(R);
    const est = estimateFromSamples(D);
    // Rounding in ESM and in the subject's sums: far below the statistical tolerance but kept explicit.
    const fp = ctx.rtol * (Math.abs(factor * esmPlus) + Math.abs(factor * esmMinus) + Math.abs(est.mean));
    // E[D] = E[C] + E[D − C] = λκ²∂_u ESM + E[D − C]: test E[D − C] = 0 with the residual's variance.
    const t = assertMeanEqual({ mean: expected + residual.mean, stderr: residual.stderr, n: residual.n }, expected, { falseAlarm: env.falseAlarm, rounding: fp });
    return {
      ...meanTestOutcome(t, { scale, samples: D.length, target: GRADIENT_DETECTABLE, metric: '|∂_u loss − λκ²∂_u ESM|' }),
      requestId: firstId,
      op: 'loss',
      inputs: { data: { mean: c.mean, variances: c.variances }, t: ctx.schedule.toSubject(c.t), model: c.model, direction: c.direction, samples: D.length, seed: c.seed },
      expected: { directionalDerivative: expected, esmPlus, esmMinus, weightTimesGain: factor },
      got: { directionalDerivative: est.mean, stderr: est.stderr, 'mean of D − C (control variate)': residual.mean, 'its stderr': residual.stderr },
      ...(t.holds ? {} : { note: `∂_u of the mean loss is ${est.mean} ± ${est.stderr}, λ_t κ² ∂_u ESM = ${expected} (z = ${t.z.toFixed(2)})` }),
    };
  },
  size: (c) => ({ d: c.d }),
};
