import fc from 'fast-check';
import { FLOAT32_UNIT } from '../../engine/outcome.ts';
import type { Parameterization } from '../../diffusion/parameterization.ts';
import type { AffineModel, DeclaredOps } from '../protocol.ts';
import { expectedLoss, levelAt } from '../oracle.ts';
import { readVector } from '../responseShape.ts';
import type { Subject } from '../subject.ts';
import type { SubjectSchedule } from '../subjectSchedule.ts';
import { MAX_CASE_DIM, affineModel, batchOf, caseCoordinates, cut, cutModel, simpleVector, spreadTimestep } from './caseArbitraries.ts';
import type { SubjectCheck } from './checkDefinition.ts';
import { type SubjectPrecision, arithmeticDepth, coefficientSpread, effectiveUnitRoundoff, explainingCoefficientPrecision, roundingNote, subjectPrecision } from '../roundingTolerance.ts';

/** Models per case: the loss is compared at θ_1..θ_K relative to θ_0. */
export const LOSS_MODELS = 3;

export interface LossCase {
  readonly d: number;
  readonly samples: readonly { x0: number[]; noise: number[]; t: number }[];
  readonly models: readonly AffineModel[];
}

/** Sends one loss request; returns its id and the per-sample losses. */
export async function requestLoss(
  subject: Subject, sched: SubjectSchedule, model: AffineModel, samples: readonly { x0: ArrayLike<number>; noise: ArrayLike<number>; t: number }[],
): Promise<{ id: number; loss: Float64Array; args: unknown }> {
  const args = {
    x0: samples.map((s) => Array.from(s.x0)),
    noise: samples.map((s) => Array.from(s.noise)),
    t: samples.map((s) => sched.toSubject(s.t)),
    model,
  };
  const { id, result } = await subject.call('loss', args);
  return { id, loss: readVector(result, { op: 'loss', requestId: id }, 'loss', samples.length), args };
}

/**
 * The per-sample loss, as a function of θ, equals the declared weighting times DSM in the
 * declared parameterization up to a θ-independent constant (Vincent; MATH.md §2 Thm 1):
 * ℓ_i(θ_k) − ℓ_i(θ_0) = λ_{t_i}(‖f_{θ_k}(x_t) − target‖² − ‖f_{θ_0}(x_t) − target‖²) (÷ d for 'mean').
 * Several samples with different t in one batch also pin the weighting to the right t; t is drawn uniform or
 * log-uniform (spreadTimestep) so that batches mix both regimes of a clipped weighting.
 */
export const lossDsmCheck: SubjectCheck<LossCase> = {
  id: 'loss.dsm',
  op: 'loss',
  title: 'loss = λ_t·DSM in the declared parameterization + θ-independent constant',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  cases: (ctx) =>
    fc
      .record({
        coords: caseCoordinates(),
        samples: batchOf(fc.record({ x0: simpleVector(MAX_CASE_DIM), noise: simpleVector(MAX_CASE_DIM), t: spreadTimestep(ctx.schedule.schedule.T) })),
        models: fc.array(affineModel(MAX_CASE_DIM), { minLength: LOSS_MODELS, maxLength: LOSS_MODELS }),
      })
      .map(({ coords, samples, models }) => ({
        d: coords.length,
        samples: samples.map((s) => ({ x0: cut(s.x0, coords), noise: cut(s.noise, coords), t: s.t })),
        models: models.map((m) => cutModel(m, coords)),
      })),
  async run(ctx, c) {
    const decl = ctx.hello.ops.loss as NonNullable<DeclaredOps['loss']>;
    const p = ctx.hello.parameterization as Parameterization;
    const { schedule } = ctx.schedule;
    const replies: Awaited<ReturnType<typeof requestLoss>>[] = [];
    for (const m of c.models) replies.push(await requestLoss(ctx.subject, ctx.schedule, m, c.samples));
    const exp = c.models.map((m) => c.samples.map((s) => expectedLoss(p, decl.weighting, decl.reduction, m, levelAt(schedule, s.t), s.x0, s.noise)));
    // Tolerance from the rounding model (MATH.md §7.1): the spread of λ_t·(DSM_k − DSM_0) over the
    // subject's possible schedule primitives, plus depth·u·(the magnitudes of both losses' terms).
    const difference = (k: number, i: number, sch: typeof schedule) => {
      const s = c.samples[i];
      const lv = levelAt(sch, s.t);
      return [expectedLoss(p, decl.weighting, decl.reduction, c.models[k], lv, s.x0, s.noise).loss - expectedLoss(p, decl.weighting, decl.reduction, c.models[0], lv, s.x0, s.noise).loss];
    };
    const magnitude = (k: number, i: number) => exp[k][i].scale + exp[0][i].scale + Math.abs(replies[k].loss[i]) + Math.abs(replies[0].loss[i]);
    const tolerance = (prec: SubjectPrecision, k: number, i: number) =>
      coefficientSpread(schedule, c.samples[i].t, prec.coefficients, (sch) => difference(k, i, sch))[0] + arithmeticDepth(c.d) * effectiveUnitRoundoff(prec) * magnitude(k, i);
    const error = (k: number, i: number) => Math.abs(replies[k].loss[i] - replies[0].loss[i] - (exp[k][i].loss - exp[0][i].loss));
    const allWithin = (prec: SubjectPrecision) => c.models.every((_, k) => k === 0 || c.samples.every((_, i) => error(k, i) <= tolerance(prec, k, i)));
    const declared = subjectPrecision(ctx.hello);
    let worst = { ratio: -Infinity, err: 0, tol: 0, scale: 1, k: 1, i: 0 };
    let ok = true;
    for (let k = 1; k < c.models.length; k++) {
      for (let i = 0; i < c.samples.length; i++) {
        const tol = tolerance(declared, k, i);
        const err = error(k, i);
        if (!(err <= tol)) ok = false;
        const ratio = Number.isNaN(err) ? Infinity : err / tol;
        if (ratio > worst.ratio) worst = { ratio, err, tol, scale: magnitude(k, i), k, i };
      }
    }
    const explainedBy = ok ? undefined : explainingCoefficientPrecision(declared, allWithin);
    const { k, i } = worst;
    const implied = (replies[k].loss[i] - replies[0].loss[i]) / (exp[k][i].loss - exp[0][i].loss);
    return {
      holds: ok,
      float32Multiple: worst.err / (FLOAT32_UNIT * worst.scale),
      requestId: replies[k].id,
      op: 'loss',
      inputs: { sample: { x0: c.samples[i].x0, noise: c.samples[i].noise, t: ctx.schedule.toSubject(c.samples[i].t) }, batch_t: c.samples.map((s) => ctx.schedule.toSubject(s.t)), model_0: c.models[0], model_k: c.models[k] },
      expected: { loss_k_minus_loss_0: exp[k][i].loss - exp[0][i].loss, loss_0: exp[0][i].loss, loss_k: exp[k][i].loss },
      got: { loss_k_minus_loss_0: replies[k].loss[i] - replies[0].loss[i], loss_0: replies[0].loss[i], loss_k: replies[k].loss[i] },
      maxError: worst.err,
      tolerance: worst.tol,
      note: ok
        ? undefined
        : explainedBy
          ? `sample ${i}: ${roundingNote(explainedBy, declared)}`
          : `sample ${i}: the θ-dependence of the loss is not λ_t·DSM (${p}, ${JSON.stringify(decl.weighting)}, reduction ${decl.reduction}); ratio got/expected of the loss change = ${implied}`,
    };
  },
  size: (c) => ({ d: c.d, batch: c.samples.length }),
};
