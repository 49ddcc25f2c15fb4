import { readBatch, readVector } from '../../responseShape.ts';
import { expectedFlowLossGradient } from '../../flowOracle.ts';
import type { FlowLossDeclaration } from '../../flowProtocol.ts';
import type { SubjectCheck } from '../checkDefinition.ts';
import { compareExpected } from '../training/compareExpected.ts';
import type { FlowCheckContext } from './flowCheckContext.ts';
import { type FlowModelCase, definedTimeRange, flowModelCase } from './flowCaseArbitraries.ts';
import { explainingVariant, float32Explains, lossVariants } from './flowDiagnosis.ts';
import { flowArgs } from './flowInterpolateCheck.ts';
import { applyVariant, declaredFlowObjective } from './flowLossCheck.ts';

/**
 * flow_loss_grad returns the per-sample losses and its autograd's ∂(batch mean or sum)/∂(W, b[, W_time,
 * b_time]); both must equal the declared objective's closed form (MATH.md §19.5) exactly. On failure the
 * gradient is compared with the usual mistakes and the one it matches is named.
 */
export const flowLossGradCheck: SubjectCheck<FlowModelCase, FlowCheckContext> = {
  id: 'flow_loss_grad.exact',
  op: 'flow_loss_grad',
  title: '∂ flow-matching loss/∂(W, b[, W_time, b_time]) from the subject’s autograd = the declared objective’s exact gradient',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  cases: (ctx) => flowModelCase(definedTimeRange(declaredFlowObjective(ctx, 'flow_loss_grad')), (ctx.hello.ops.flow_loss_grad as FlowLossDeclaration).network_time?.scale),
  async run(ctx, c) {
    const decl = ctx.hello.ops.flow_loss_grad as FlowLossDeclaration & { batch_reduction: 'mean' | 'sum' };
    const obj = declaredFlowObjective(ctx, 'flow_loss_grad');
    const args = { ...flowArgs(ctx, c), model: c.model };
    const { id, result } = await ctx.subject.call('flow_loss_grad', args);
    const ref = { op: 'flow_loss_grad', requestId: id };
    const d = c.d, B = c.samples.length;
    const loss = readVector(result, ref, 'loss', B);
    const grad = (result as { grad?: unknown }).grad;
    const parts = [...readBatch(grad, ref, 'W', d, d), readVector(grad, ref, 'b', d)];
    if (c.model.W_time) parts.push(...readBatch(grad, ref, 'W_time', d, d), readVector(grad, ref, 'b_time', d));
    const gotGrad = Float64Array.from(parts.flatMap((r) => Array.from(r)));
    const exp = expectedFlowLossGradient(obj, c.model, c.samples, decl.batch_reduction, ctx.precision);
    const cmp = compareExpected([loss, gotGrad], [exp.losses, exp.gradient]);
    let note: string | undefined;
    if (!cmp.ok) {
      const rounding = float32Explains(ctx.precision, [loss, gotGrad], (p) => {
        const e = expectedFlowLossGradient(obj, c.model, c.samples, decl.batch_reduction, p);
        return [e.losses, e.gradient];
      });
      const match = rounding ? undefined : explainingVariant(lossVariants(obj, decl.batch_reduction), [loss, gotGrad], [exp.losses, exp.gradient], (v) => {
        const a = applyVariant(obj, c.model, c.samples, v);
        const e = expectedFlowLossGradient(a.obj, a.net, a.samples, v.batchReduction ?? decl.batch_reduction, ctx.precision);
        // With the output negated, the gradient in the subject's parameters is minus the variant's.
        return [e.losses, v.negateOutput ? { ...e.gradient, value: e.gradient.value.map((x) => -x) } : e.gradient];
      });
      note = `${cmp.at[0] === 0 ? `loss of sample ${cmp.at[1]}` : `gradient entry ${cmp.at[1]}`} differs${rounding ? `; ${rounding}` : match ? `; it matches ${match}` : ''}`;
    }
    return {
      holds: cmp.ok, requestId: id, op: 'flow_loss_grad', inputs: args,
      expected: { loss: Array.from(exp.losses.value), grad: Array.from(exp.gradient.value) },
      got: { loss: Array.from(loss), grad: Array.from(gotGrad) },
      maxError: cmp.maxError, tolerance: cmp.tolerance, margin: cmp.margin, note,
    };
  },
  size: (c) => ({ d: c.d, batch: c.samples.length }),
};
