import fc from 'fast-check';
import { mcSeed } from '../../arbitraries/seed.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { diag } from '../../linalg/index.ts';
import { estimateFromSamples } from '../../mc/estimate.ts';
import { createRng } from '../../mc/rng.ts';
import { criticalZ } from '../../mc/tolerance.ts';
import { affineEsm, levelAt, lossWeight, parameterizationGain } from '../oracle.ts';
import type { Parameterization } from '../../diffusion/parameterization.ts';
import type { AffineModel, DeclaredOps } from '../protocol.ts';
import { MAX_CASE_DIM, affineModel, caseCoordinates, cut, cutModel, simpleVector, timestep } from './caseArbitraries.ts';
import type { CheckDefinition } from './checkDefinition.ts';
import { requestLoss } from './lossDsmCheck.ts';

/** Samples per case (one batch per loss request). */
export const GRADIENT_SAMPLES = 256;

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
 * (MATH.md §2 Thm 1: ∇_θ DSM = ∇_θ ESM). A z-test with the sample variance of D.
 */
export const lossGradientCheck: CheckDefinition<LossGradientCase> = {
  id: 'loss.esm_gradient',
  op: 'loss',
  title: 'θ-gradient of the mean loss matches λ_t·∇ESM (directional, Monte Carlo)',
  kind: 'statistical',
  assertionsPerRun: 1,
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
      .filter((c) => c.direction.b.some((v) => v !== 0) || c.direction.W.some((r) => r.some((v) => v !== 0))),
  async run(ctx, c) {
    const decl = ctx.hello.ops.loss as NonNullable<DeclaredOps['loss']>;
    const p = ctx.hello.parameterization as Parameterization;
    const level = levelAt(ctx.schedule.schedule, c.t);
    const data = new Gaussian(c.mean, diag(c.variances), 'data');
    const rng = createRng(c.seed);
    const n = GRADIENT_SAMPLES;
    const samples = Array.from({ length: n }, () => ({ x0: data.sample(rng, 1), noise: rng.fillNormal(new Float64Array(c.d)), t: c.t }));
    const plus = await requestLoss(ctx.subject, ctx.schedule, shift(c.model, c.direction, 1), samples);
    const minus = await requestLoss(ctx.subject, ctx.schedule, shift(c.model, c.direction, -1), samples);
    const D = plus.loss.map((v, i) => (v - minus.loss[i]) / 2);
    const est = estimateFromSamples(D);
    const factor = (lossWeight(decl.weighting, level.a * level.a) * parameterizationGain(p, level)) / (decl.reduction === 'mean' ? c.d : 1);
    const esmPlus = affineEsm(p, shift(c.model, c.direction, 1), data, level);
    const esmMinus = affineEsm(p, shift(c.model, c.direction, -1), data, level);
    const expected = (factor * (esmPlus - esmMinus)) / 2;
    const zc = criticalZ(ctx.falseAlarm);
    // Rounding in ESM and in the subject's sums: far below the statistical tolerance but kept explicit.
    const fp = ctx.rtol * (Math.abs(factor * esmPlus) + Math.abs(factor * esmMinus) + Math.abs(est.mean));
    const z = est.stderr > 0 ? (est.mean - expected) / est.stderr : est.mean === expected ? 0 : Infinity;
    const ok = Math.abs(est.mean - expected) <= zc * est.stderr + fp;
    return {
      ok,
      requestId: plus.id,
      op: 'loss',
      inputs: { data: { mean: c.mean, variances: c.variances }, t: ctx.schedule.toSubject(c.t), model: c.model, direction: c.direction, samples: n, seed: c.seed },
      expected: { directionalDerivative: expected, esmPlus, esmMinus, weightTimesGain: factor },
      got: { directionalDerivative: est.mean, stderr: est.stderr },
      z,
      zCritical: zc,
      maxError: Math.abs(est.mean - expected),
      tolerance: zc * est.stderr + fp,
      note: ok ? undefined : `∂_u of the mean loss is ${est.mean} ± ${est.stderr}, λ_t κ² ∂_u ESM = ${expected} (z = ${z.toFixed(2)})`,
    };
  },
  size: (c) => ({ d: c.d, batch: GRADIENT_SAMPLES }),
};
