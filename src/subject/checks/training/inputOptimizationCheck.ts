import fc from 'fast-check';
import { mcSeed } from '../../../arbitraries/seed.ts';
import type { Parameterization } from '../../../diffusion/parameterization.ts';
import { meanTestOutcome } from '../../../engine/outcome.ts';
import { measureInputOptimization, type InputOptimizationCase } from '../../inputOptimizationMeasurement.ts';
import type { LossInputGradDeclaration } from '../../trainingProtocol.ts';
import { MAX_CASE_DIM, caseCoordinates, cut, simpleVector } from '../caseArbitraries.ts';
import type { SubjectCheck } from '../checkDefinition.ts';
import { MAX_COND_DIM } from './lossInputGradCheck.ts';
import { cornerTimestep, varianceVector } from './trainingCaseArbitraries.ts';

/**
 * Input optimization through the user's loss (Xu 2025 Theorem 2; MATH.md §7.6): the mean of the
 * subject's ∂ℓ/∂c chained into an encoder c = B x_0 + b + τξ is the predicted E∇_φ DSM (a Monte Carlo
 * test of E[D − C] = 0 with the declared loss's own per-draw gradient C as control variate; 10 % of
 * max(‖∇DSM‖, ‖bias‖) along the test direction detectable at power 0.99). The outcome's quantities report, in the user's units, the predicted ∇DSM, ∇ESM and the bias
 * towards a higher score norm beside the measured gradient and the measured bias.
 */
export const inputOptimizationCheck: SubjectCheck<InputOptimizationCase & { d: number }> = {
  id: 'loss_input_grad.bias',
  op: 'loss_input_grad',
  title: 'encoder gradient through the user’s loss = predicted E∇DSM (and its bias towards a higher score norm, reported)',
  kind: 'statistical',
  assertionsPerCase: 1,
  defaultRuns: 3,
  cases: (ctx) =>
    fc
      .record({
        coords: caseCoordinates(),
        k: fc.integer({ min: 1, max: MAX_COND_DIM }),
        mean: simpleVector(MAX_CASE_DIM, 1),
        variances: varianceVector(),
        B: fc.array(simpleVector(MAX_CASE_DIM, 2), { minLength: MAX_COND_DIM, maxLength: MAX_COND_DIM }),
        b: simpleVector(MAX_COND_DIM, 1),
        tau: fc.constantFrom(0.25, 0.5, 1, 2),
        W: fc.array(simpleVector(MAX_CASE_DIM, 1), { minLength: MAX_CASE_DIM, maxLength: MAX_CASE_DIM }),
        U: fc.array(simpleVector(MAX_COND_DIM, 1), { minLength: MAX_CASE_DIM, maxLength: MAX_CASE_DIM }),
        nb: simpleVector(MAX_CASE_DIM, 1),
        t: cornerTimestep(ctx.schedule.schedule.T),
        seed: mcSeed(),
      })
      .map(({ coords, k, mean, variances, B, b, tau, W, U, nb, t, seed }) => ({
        d: coords.length, mean: cut(mean, coords), variances: cut(variances, coords),
        B: B.slice(0, k).map((row) => cut(row, coords)), b: b.slice(0, k), tau,
        network: { W: coords.map((i) => cut(W[i], coords)), U: coords.map((i) => U[i].slice(0, k)), b: cut(nb, coords) },
        t, seed,
      })),
  async run(ctx, c, env) {
    const decl = ctx.hello.ops.loss_input_grad as LossInputGradDeclaration;
    const p = ctx.hello.parameterization as Parameterization;
    const m = await measureInputOptimization(ctx.subject, ctx.schedule, p, decl, { ...c, seed: c.seed + 1_000_003 * env.replicate }, env.falseAlarm);
    const pct = (x: number) => `${(100 * x).toPrecision(3)} %`;
    return {
      ...meanTestOutcome(m.test, {
        scale: m.scale, samples: m.samples, metric: '|mean ⟨∂ℓ/∂(B,b), dir⟩ − predicted|',
        quantities: {
          t: m.t, measured: m.measured, predictedDsm: m.predictedDsm, predictedEsm: m.predictedEsm, predictedBias: m.predictedBias,
          normDsm: m.norms.dsm, normEsm: m.norms.esm, normBias: m.norms.bias, normMeasuredBias: m.norms.measuredBias, scoreNorm: m.scoreNorm,
        },
        note:
          `at subject t = ${m.t}: the encoder gradient through your loss is ‖∇DSM‖ = ${m.norms.dsm.toPrecision(4)}; an unbiased (ESM) optimization would follow ‖∇ESM‖ = ${m.norms.esm.toPrecision(4)}; ` +
          `the difference, ‖bias‖ = ${m.norms.bias.toPrecision(4)} predicted (${pct(m.norms.bias / Math.max(m.norms.esm, Number.MIN_VALUE))} of ∇ESM), ${m.norms.measuredBias.toPrecision(4)} measured, ` +
          `pushes the encoder to raise E‖∇log q(x_t|c)‖² = ${m.scoreNorm.toPrecision(4)} (Xu 2025 Thm 2)` + (m.test.holds ? '' : `; your mean gradient along the test direction is ${m.measured} ± ${m.stderr}, predicted ${m.predictedDsm}`),
      }),
      requestId: m.requestId,
      op: 'loss_input_grad',
      inputs: { encoder: { B: c.B, b: c.b, tau: c.tau }, data: { mean: c.mean, variances: c.variances }, model: c.network, t: m.t, samples: m.samples },
      expected: { directional: m.predictedDsm },
      got: { directional: m.measured, stderr: m.stderr },
    };
  },
  size: (c) => ({ d: c.d, batch: c.b.length }),
};
