import fc from 'fast-check';
import type { Parameterization } from '../../../diffusion/parameterization.ts';
import { readBatch } from '../../responseShape.ts';
import { subjectPrecision } from '../../roundingTolerance.ts';
import { expectedSdsGradients } from '../../trainingOracle.ts';
import type { SdsGradDeclaration } from '../../trainingProtocol.ts';
import type { AffineModel } from '../../protocol.ts';
import { MAX_CASE_DIM, affineModel, batchOf, caseCoordinates, cut, cutModel, simpleVector } from '../caseArbitraries.ts';
import type { SubjectCheck } from '../checkDefinition.ts';
import { compareExpected } from './compareExpected.ts';
import { cornerTimestep } from './trainingCaseArbitraries.ts';

export interface SdsCase {
  readonly d: number;
  readonly mu: number[];
  readonly F: number[][];
  readonly draws: readonly { xi: number[]; noise: number[]; t: number }[];
  readonly model: AffineModel;
}

/**
 * sds_grad returns, for each draw (ξ, ε, t), the gradient of the user's score-distillation loss with
 * respect to the input distribution N(μ, FFᵀ) (x_0 = μ + Fξ) through the frozen supplied network:
 * DreamFusion's w_t(ε̂ − ε)∂x_0/∂φ ('sds') or the full autograd of the DSM loss ('full'). Exact (MATH.md §7.7).
 */
export const sdsGradCheck: SubjectCheck<SdsCase> = {
  id: 'sds_grad.exact',
  op: 'sds_grad',
  title: 'score-distillation gradient with respect to (μ, F) of N(μ, FFᵀ), exact per draw',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  cases: (ctx) =>
    fc
      .record({
        coords: caseCoordinates(),
        mu: simpleVector(MAX_CASE_DIM),
        F: fc.array(simpleVector(MAX_CASE_DIM, 1), { minLength: MAX_CASE_DIM, maxLength: MAX_CASE_DIM }),
        draws: batchOf(fc.record({ xi: simpleVector(MAX_CASE_DIM), noise: simpleVector(MAX_CASE_DIM), t: cornerTimestep(ctx.schedule.schedule.T) })),
        model: affineModel(MAX_CASE_DIM),
      })
      .map(({ coords, mu, F, draws, model }) => ({
        d: coords.length, mu: cut(mu, coords), F: coords.map((i) => cut(F[i], coords)),
        draws: draws.map((r) => ({ xi: cut(r.xi, coords), noise: cut(r.noise, coords), t: r.t })), model: cutModel(model, coords),
      })),
  async run(ctx, c) {
    const decl = ctx.hello.ops.sds_grad as SdsGradDeclaration;
    const p = ctx.hello.parameterization as Parameterization;
    const { schedule, toSubject } = ctx.schedule;
    const args = { mu: c.mu, F: c.F, t: c.draws.map((r) => toSubject(r.t)), xi: c.draws.map((r) => r.xi), noise: c.draws.map((r) => r.noise), model: c.model };
    const { id, result } = await ctx.subject.call('sds_grad', args);
    const ref = { op: 'sds_grad', requestId: id };
    const B = c.draws.length;
    const gmu = readBatch(result, ref, 'grad_mu', B, c.d);
    const rawF = (result as { grad_F?: unknown }).grad_F;
    const gF = Array.from({ length: B }, (_, n) => readBatch(rawF, { ...ref }, String(n), c.d, c.d));
    const got = gmu.map((m, n) => Float64Array.from([...m, ...gF[n].flatMap((r) => Array.from(r))]));
    const exp = expectedSdsGradients(schedule, decl, p, c.model, c.mu, c.F, c.draws, subjectPrecision(ctx.hello));
    const cmp = compareExpected(got, exp);
    return {
      holds: cmp.ok, requestId: id, op: 'sds_grad', inputs: args,
      expected: exp.map((e) => Array.from(e.value)), got: got.map((g) => Array.from(g)),
      maxError: cmp.maxError, tolerance: cmp.tolerance, margin: cmp.margin,
      note: cmp.ok ? undefined : `draw ${cmp.at[0]}, ${cmp.at[1] < c.d ? `∂/∂μ_${cmp.at[1]}` : `∂/∂F entry ${cmp.at[1] - c.d}`} (declared gradient "${decl.gradient}", weighting ${JSON.stringify(decl.weighting)})`,
    };
  },
  size: (c) => ({ d: c.d, batch: c.draws.length }),
};
