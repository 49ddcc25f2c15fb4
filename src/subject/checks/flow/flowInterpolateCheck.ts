import { readBatch } from '../../responseShape.ts';
import { expectedFlowInterpolation } from '../../flowOracle.ts';
import type { SubjectCheck } from '../checkDefinition.ts';
import { compareExpected } from '../training/compareExpected.ts';
import type { FlowCheckContext } from './flowCheckContext.ts';
import { type FlowBatchCase, flowBatchCase } from './flowCaseArbitraries.ts';
import { explainingVariant, float32Explains, interpolationVariants } from './flowDiagnosis.ts';

/** The request's samples in the protocol's form (extra_noise only for paths with r ≠ 0). */
export function flowArgs(ctx: FlowCheckContext, c: FlowBatchCase): Record<string, unknown> {
  return {
    x0: c.samples.map((s) => s.x0),
    noise: c.samples.map((s) => s.noise),
    t: c.samples.map((s) => s.t),
    ...(ctx.flow.path.kind === 'icfm' ? { extra_noise: c.samples.map((s) => s.extraNoise) } : {}),
  };
}

/**
 * flow_interpolate(x0, noise, t[, extra_noise]) = x_t = a_t x₀ + s_t ε + r_t ξ of the declared path
 * (rectified: (1 − t)x₀ + tε), exactly (MATH.md §19.1, §19.5); on failure the convention it matches is named.
 */
export const flowInterpolateCheck: SubjectCheck<FlowBatchCase, FlowCheckContext> = {
  id: 'flow_interpolate.exact',
  op: 'flow_interpolate',
  title: 'x_t = a_t x₀ + s_t ε (+ r_t ξ) on the declared flow path (rectified: (1 − t)x₀ + tε)',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  cases: () => flowBatchCase(),
  async run(ctx, c) {
    const args = flowArgs(ctx, c);
    const { id, result } = await ctx.subject.call('flow_interpolate', args);
    const got = readBatch(result, { op: 'flow_interpolate', requestId: id }, 'xt', c.samples.length, c.d);
    const exp = expectedFlowInterpolation(ctx.flow.path, c.samples, ctx.precision);
    const cmp = compareExpected(got, exp);
    let note: string | undefined;
    if (!cmp.ok) {
      const rounding = float32Explains(ctx.precision, got, (p) => expectedFlowInterpolation(ctx.flow.path, c.samples, p));
      const match = rounding ? undefined : explainingVariant(interpolationVariants(ctx.flow.path), got, exp, (v) =>
        expectedFlowInterpolation(v.path ?? ctx.flow.path, c.samples.map((s) => (v.sample ? { ...s, ...v.sample(s) } : s)), ctx.precision));
      note = `sample ${cmp.at[0]}, coordinate ${cmp.at[1]} (t = ${c.samples[cmp.at[0]].t}) differs${rounding ? `; ${rounding}` : match ? `; x_t matches ${match}` : ''}`;
    }
    return {
      holds: cmp.ok, requestId: id, op: 'flow_interpolate', inputs: args,
      expected: { xt: exp.map((e) => Array.from(e.value)) }, got: { xt: got.map((r) => Array.from(r)) },
      maxError: cmp.maxError, tolerance: cmp.tolerance, margin: cmp.margin, note,
    };
  },
  size: (c) => ({ d: c.d, batch: c.samples.length }),
};
