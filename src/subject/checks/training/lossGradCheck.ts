import { hasVarianceHead } from '../../../diffusion/learnedVariance.ts';
import type { Parameterization } from '../../../diffusion/parameterization.ts';
import { readBatch, readVector } from '../../responseShape.ts';
import { subjectPrecision } from '../../roundingTolerance.ts';
import { expectedLossGrad } from '../../trainingOracle.ts';
import type { LossGradDeclaration } from '../../trainingProtocol.ts';
import type { SubjectCheck } from '../checkDefinition.ts';
import { compareExpected } from './compareExpected.ts';
import { type HeadedBatchCase, headedBatchCase } from './trainingCaseArbitraries.ts';

export type LossGradCase = HeadedBatchCase<'noise'>;

/**
 * loss_grad returns the per-sample losses and its autograd's ∂(batch mean or sum)/∂(W, b); both must
 * equal the declared objective's closed form exactly (MATH.md §7.4): the simple loss in the declared
 * parameterization and weighting, plus for the hybrid objective the bound's term with the mean
 * detached (improved DDPM's frozen_out). On failure the gradient is compared with the usual mistakes
 * (no stop-gradient, the other batch reduction, an unweighted loss) and the one it matches is named.
 */
export const lossGradCheck: SubjectCheck<LossGradCase> = {
  id: 'loss_grad.exact',
  op: 'loss_grad',
  title: '∂loss/∂(W, b) from the subject’s autograd = the declared objective’s exact gradient (stop-gradient included)',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  cases: (ctx) => headedBatchCase(ctx.schedule.schedule.T, hasVarianceHead((ctx.hello.ops.loss_grad as LossGradDeclaration).variance), 'noise'),
  async run(ctx, c) {
    const decl = ctx.hello.ops.loss_grad as LossGradDeclaration;
    const p = ctx.hello.parameterization as Parameterization;
    const { schedule, toSubject } = ctx.schedule;
    const args = { x0: c.samples.map((s) => s.x0), noise: c.samples.map((s) => s.noise), t: c.samples.map((s) => toSubject(s.t)), model: c.model };
    const { id, result } = await ctx.subject.call('loss_grad', args);
    const ref = { op: 'loss_grad', requestId: id };
    const rows = c.model.W.length, B = c.samples.length;
    const loss = readVector(result, ref, 'loss', B);
    const grad = (result as { grad?: unknown }).grad;
    const gW = readBatch(grad, { ...ref, op: 'loss_grad' }, 'W', rows, c.d);
    const gb = readVector(grad, ref, 'b', rows);
    const prec = subjectPrecision(ctx.hello);
    const exp = expectedLossGrad(schedule, decl, p, c.model, c.samples, prec);
    const gotFlat = Float64Array.from([...gW.flatMap((r) => Array.from(r)), ...gb]);
    const cmpGrad = compareExpected([gotFlat], [{ value: Float64Array.from([...exp.W.value, ...exp.b.value]), tolerance: Float64Array.from([...exp.W.tolerance, ...exp.b.tolerance]) }]);
    const cmpLoss = compareExpected([loss], [exp.losses]);
    const ok = cmpGrad.ok && cmpLoss.ok;
    const worst = !cmpGrad.ok || cmpGrad.margin > cmpLoss.margin ? cmpGrad : cmpLoss;
    let note: string | undefined;
    if (!ok) {
      const variants: [string, LossGradDeclaration][] = [
        ...(decl.hybrid ? [['the hybrid loss WITHOUT the stop-gradient on the mean (frozen_out dropped)', { ...decl, hybrid: { ...decl.hybrid } }] as [string, LossGradDeclaration]] : []),
        [`the other batch reduction (${decl.batch_reduction === 'mean' ? 'sum' : 'mean'})`, { ...decl, batch_reduction: decl.batch_reduction === 'mean' ? 'sum' : 'mean' }],
        ['the unweighted loss (λ_t = 1)', { ...decl, weighting: { kind: 'unit' } }],
        ...(decl.hybrid ? [['the simple loss alone (no bound term)', { ...decl, hybrid: undefined }] as [string, LossGradDeclaration]] : []),
      ];
      // A diagnosis, not a verdict: the variant whose gradient is closest, if it is within its rounding
      // tolerance or ≥ 1000× closer than the declared objective's.
      const declaredError = maxAbsDiff(gotFlat, [...exp.W.value, ...exp.b.value]);
      const scored = variants.map(([label, alt]) => {
        const e = label.startsWith('the hybrid loss WITHOUT') ? expectedNoStopGradient(ctx, alt, p, c) : expectedLossGrad(schedule, alt, p, c.model, c.samples, prec);
        const value = [...e.W.value, ...e.b.value];
        const within = compareExpected([gotFlat], [{ value: Float64Array.from(value), tolerance: Float64Array.from([...e.W.tolerance, ...e.b.tolerance]) }]).ok;
        return { label, within, error: maxAbsDiff(gotFlat, value) };
      }).sort((x, y) => x.error - y.error);
      const match = scored.find((v) => v.within || v.error * 1000 <= declaredError);
      note = `${cmpGrad.ok ? 'the loss values' : `gradient entry ${cmpGrad.at[1]}`} differ${match ? `; the gradient matches ${match.label}` : ''}`;
    }
    return {
      holds: ok,
      requestId: id,
      op: 'loss_grad',
      inputs: args,
      expected: { loss: Array.from(exp.losses.value), W: Array.from(exp.W.value), b: Array.from(exp.b.value) },
      got: { loss: Array.from(loss), W: gW.map((r) => Array.from(r)), b: Array.from(gb) },
      maxError: worst.maxError,
      tolerance: worst.tolerance,
      margin: Math.max(cmpGrad.margin, cmpLoss.margin),
      note,
    };
  },
  size: (c) => ({ d: c.d, batch: c.samples.length }),
};

import { batchLossGradient } from '../../../theory/trainingLossGradient.ts';
import { objectiveOf } from '../../trainingOracle.ts';
import type { CheckContext } from '../checkDefinition.ts';

/** The gradient of the hybrid loss with the stop-gradient removed (a diagnosis, not a tolerance-bearing oracle). */
function expectedNoStopGradient(ctx: CheckContext, decl: LossGradDeclaration, p: Parameterization, c: LossGradCase) {
  const obj = objectiveOf(decl, p);
  const g = batchLossGradient(ctx.schedule.schedule, { ...obj, vlb: obj.vlb ? { ...obj.vlb, stopGradient: false } : undefined }, c.model, c.samples, decl.batch_reduction);
  const prec = subjectPrecision(ctx.hello);
  const ref = expectedLossGrad(ctx.schedule.schedule, decl, p, c.model, c.samples, prec);
  return { W: { value: g.W, tolerance: ref.W.tolerance }, b: { value: g.b, tolerance: ref.b.tolerance } };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
