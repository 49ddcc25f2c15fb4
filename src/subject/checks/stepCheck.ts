import fc from 'fast-check';
import type { Parameterization } from '../../diffusion/parameterization.ts';
import type { DeclaredOps } from '../protocol.ts';
import { expectedStep } from '../oracle.ts';
import { readBatch } from '../responseShape.ts';
import { MAX_CASE_DIM, affineModel, batchOf, caseCoordinates, cut, cutModel, simpleVector, timestep } from './caseArbitraries.ts';
import type { SubjectCheck } from './checkDefinition.ts';
import { compareRounded } from './roundedComparison.ts';
import { stepPosteriorForm } from '../equivalentForms.ts';

export interface StepCase {
  readonly d: number;
  readonly samples: readonly { xt: number[]; z: number[]; t: number }[];
  readonly model: { W: number[][]; b: number[] };
}

/**
 * One reverse step with supplied noise z is the kernel N(μ_t(x_t), σ_t² I):
 * x_{t−1} = (x_t + β_t ŝ(x_t))/√α_t + σ_t z, ŝ the supplied network read as a score
 * (MATH.md §4), σ_t² = β_t or β̃_t as declared; t ≥ 2. Every sample is also sent with
 * z = 0 so the report shows the implied mean and the implied σ_t separately.
 */
export const stepCheck: SubjectCheck<StepCase> = {
  id: 'step.kernel',
  op: 'step',
  title: 'reverse step = N((x_t + β_t ŝ)/√α_t, σ_t² I) with supplied noise',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  unavailable: (ctx) => (ctx.schedule.schedule.T < 2 ? 'schedule has T = 1: no t ≥ 2' : undefined),
  cases: (ctx) =>
    fc
      .record({
        coords: caseCoordinates(),
        samples: batchOf(fc.record({ xt: simpleVector(MAX_CASE_DIM), z: simpleVector(MAX_CASE_DIM), t: timestep(ctx.schedule.schedule.T, 2) })),
        model: affineModel(MAX_CASE_DIM),
      })
      .map(({ coords, samples, model }) => ({ d: coords.length, samples: samples.map((s) => ({ xt: cut(s.xt, coords), z: cut(s.z, coords), t: s.t })), model: cutModel(model, coords) })),
  async run(ctx, c) {
    const decl = ctx.hello.ops.step as NonNullable<DeclaredOps['step']>;
    const p = ctx.hello.parameterization as Parameterization;
    const { schedule, toSubject } = ctx.schedule;
    const B = c.samples.length;
    const zeros = c.samples.map(() => new Array<number>(c.d).fill(0));
    const args = {
      xt: [...c.samples.map((s) => s.xt), ...c.samples.map((s) => s.xt)],
      t: [...c.samples.map((s) => toSubject(s.t)), ...c.samples.map((s) => toSubject(s.t))],
      z: [...c.samples.map((s) => s.z), ...zeros],
      model: c.model,
    };
    const { id, result } = await ctx.subject.call('step', args);
    const got = readBatch(result, { op: 'step', requestId: id }, 'x_prev', 2 * B, c.d);
    const exp = c.samples.map((s) => expectedStep(schedule, s.t, decl.variance, p, c.model, s.xt, s.z));
    const expected = [...exp.map((e) => e.xPrev), ...exp.map((e) => e.mean)];
    const scale = [...exp.map((e) => e.scale), ...exp.map((e) => e.scale)];
    // Tolerances from the rounding model (MATH.md §7.1); the step's spread over both forms real code uses.
    const rowsOf = (half: 'xPrev' | 'mean') =>
      c.samples.map((s, n) => ({
        got: got[half === 'xPrev' ? n : B + n], expected: expected[half === 'xPrev' ? n : B + n], scale: scale[n], t: s.t,
        recompute: [
          (sch: typeof schedule) => expectedStep(sch, s.t, decl.variance, p, c.model, s.xt, s.z)[half],
          (sch: typeof schedule) => stepPosteriorForm(sch, s.t, decl.variance, p, c.model, s.xt, s.z)[half],
        ],
      }));
    const cmp = compareRounded([...rowsOf('xPrev'), ...rowsOf('mean')], schedule, ctx.hello, c.d);
    const i = cmp.at[0] % B;
    const impliedMean = Array.from(got[B + i]);
    const zi = c.samples[i].z;
    const j = zi.findIndex((v) => v !== 0);
    const impliedStd = j >= 0 ? (got[i][j] - got[B + i][j]) / zi[j] : undefined;
    return {
      holds: cmp.ok,
      float32Multiple: cmp.float32Multiple,
      requestId: id,
      op: 'step',
      inputs: { xt: c.samples[i].xt, z: c.samples[i].z, t: toSubject(c.samples[i].t), model: c.model, batch_t: c.samples.map((s) => toSubject(s.t)) },
      expected: { x_prev: Array.from(exp[i].xPrev), mean: Array.from(exp[i].mean), std: exp[i].std },
      got: { x_prev: Array.from(got[i]), impliedMean, impliedStd },
      maxError: cmp.maxError,
      tolerance: cmp.tolerance,
      margin: cmp.margin,
      note: cmp.ok
        ? undefined
        : `sample ${i}${cmp.at[0] >= B ? ' sent with z = 0 (the mean)' : ''}, coordinate ${cmp.at[1]}; declared variance ${decl.variance}, parameterization ${p}${cmp.roundingNote ? `: ${cmp.roundingNote}` : ''}`,
    };
  },
  size: (c) => ({ d: c.d, batch: c.samples.length }),
};
