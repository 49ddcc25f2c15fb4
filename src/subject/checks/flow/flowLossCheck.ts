import type { FlowNetwork, FlowObjective, FlowSample } from '../../../theory/flowTrainingLoss.ts';
import { readVector } from '../../responseShape.ts';
import { expectedFlowLosses, flowObjectiveOf } from '../../flowOracle.ts';
import type { FlowLossDeclaration } from '../../flowProtocol.ts';
import type { SubjectCheck } from '../checkDefinition.ts';
import { compareExpected } from '../training/compareExpected.ts';
import type { FlowCheckContext } from './flowCheckContext.ts';
import { type FlowModelCase, definedTimeRange, flowModelCase } from './flowCaseArbitraries.ts';
import { type FlowVariant, explainingVariant, float32Explains, lossVariants, negated } from './flowDiagnosis.ts';
import { flowArgs } from './flowInterpolateCheck.ts';

/** The objective, network and samples a variant describes. */
export function applyVariant(obj: FlowObjective, net: FlowNetwork, samples: readonly FlowSample[], v: FlowVariant): { obj: FlowObjective; net: FlowNetwork; samples: FlowSample[] } {
  return {
    obj: { ...obj, ...(v.path ? { path: v.path } : {}), ...v.objective },
    net: v.negateOutput ? negated(net) : net,
    samples: samples.map((s) => (v.sample ? v.sample(s) : s)),
  };
}

export function declaredFlowObjective(ctx: FlowCheckContext, op: 'flow_loss' | 'flow_loss_grad'): FlowObjective {
  return flowObjectiveOf(ctx.hello.ops[op] as FlowLossDeclaration, ctx.flow);
}

/**
 * flow_loss returns the per-sample training loss w(σ)/d′‖Q̂ − Q‖² of the declared prediction, target,
 * weighting, reduction and network time (MATH.md §19.5), exactly — compared by value (a flow loss has no
 * θ-independent constant to hide: its target is explicit). On failure the mistake it matches is named.
 */
export const flowLossCheck: SubjectCheck<FlowModelCase, FlowCheckContext> = {
  id: 'flow_loss.exact',
  op: 'flow_loss',
  title: 'per-sample flow-matching loss = w(σ)/d′‖Q̂ − Q‖² of the declared prediction/target/weighting/network time',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  cases: (ctx) => {
    const obj = declaredFlowObjective(ctx, 'flow_loss');
    return flowModelCase(definedTimeRange(obj), (ctx.hello.ops.flow_loss as FlowLossDeclaration).network_time?.scale);
  },
  async run(ctx, c) {
    const obj = declaredFlowObjective(ctx, 'flow_loss');
    const args = { ...flowArgs(ctx, c), model: c.model };
    const { id, result } = await ctx.subject.call('flow_loss', args);
    const got = readVector(result, { op: 'flow_loss', requestId: id }, 'loss', c.samples.length);
    const exp = expectedFlowLosses(obj, c.model, c.samples, ctx.precision);
    const cmp = compareExpected([got], [exp]);
    let note: string | undefined;
    if (!cmp.ok) {
      const rounding = float32Explains(ctx.precision, [got], (p) => [expectedFlowLosses(obj, c.model, c.samples, p)]);
      const match = rounding ? undefined : explainingVariant(lossVariants(obj), [got], [exp], (v) => {
        const a = applyVariant(obj, c.model, c.samples, v);
        return [expectedFlowLosses(a.obj, a.net, a.samples, ctx.precision)];
      });
      note = `sample ${cmp.at[1]} (t = ${c.samples[cmp.at[1]].t}) differs${rounding ? `; ${rounding}` : match ? `; the losses match ${match}` : ''}`;
    }
    return {
      holds: cmp.ok, requestId: id, op: 'flow_loss', inputs: args,
      expected: { loss: Array.from(exp.value) }, got: { loss: Array.from(got) },
      maxError: cmp.maxError, tolerance: cmp.tolerance, margin: cmp.margin, note,
    };
  },
  size: (c) => ({ d: c.d, batch: c.samples.length }),
};
