import { type SamplerCase, samplerCase } from '../../../arbitraries/samplerCase.ts';
import type { Property } from '../../../engine/property.ts';
import type { Outcome } from '../../../engine/outcome.ts';
import { NonFiniteError } from '../../../errors.ts';
import { type SampleShape, type SamplerSpec, runSampler, sampleShape } from '../../../diffusion/samplers/index.ts';
import { decodeSampleResult, encodeSampleArgs } from '../../samplerProtocol.ts';
import { SubjectReplyError } from '../../subjectError.ts';
import { compareLoop } from './compareLoop.ts';
import { buildRequest } from './sampleRequest.ts';
import { samplerCheckId } from './samplerCheckId.ts';
import { type SamplerCheckContext, contextOf, roundingCriticalSteps, validStepCounts } from './samplerCheckContext.ts';

/** The shapes small cases run: up to 3 channels and 2×2 pixels with the declared number of axes, ascending. */
export function smallShapes(ctx: SamplerCheckContext): SampleShape[] {
  const decl = ctx.sampler.sampleShape;
  if (decl && ctx.sampler.fixedShape) return [decl];
  if (!decl || decl.dims.length === 1) return [1, 2, 3].filter((d) => !decl || d <= decl.C).map((d) => sampleShape([d]));
  const Cs = [1, 2, 3].filter((c) => c <= decl.C);
  const out: SampleShape[] = [];
  for (const c of Cs) for (const h of [1, 2]) for (const w of [1, 2]) {
    const dims = [c, ...decl.dims.slice(1).map((v, k) => Math.min(v, k === 0 ? h : w))];
    if (!out.some((o) => o.dims.join() === dims.join())) out.push(sampleShape(dims));
  }
  return out.sort((a, b) => a.size - b.size);
}

/** Image-scale step counts: short loops so per-step noises of a full image stay small. */
export const IMAGE_STEPS = [1, 2, 10, 25];

/**
 * `sample.exact` (per declared sampler): the subject's whole loop, on time-aware affine networks,
 * random initial states and supplied noises, equals the declared sampler's exact answer
 * (MATH.md §5.4), at every step count the spacing allows — corners first: 1, 2, and the largest
 * two — on small shapes; `sample.image` the same at the declared sample shape.
 */
export function sampleExactProperty(ctx: SamplerCheckContext, name: string, spec: SamplerSpec, mode: 'small' | 'image'): Property<SamplerCase> {
  const sctx = contextOf(ctx, spec);
  const image = mode === 'image';
  const shapes = image ? [ctx.sampler.sampleShape as SampleShape] : smallShapes(ctx);
  // The valid step counts are planned on first use (O(T) per count): building the property stays cheap
  // when a run selects other checks.
  let planned: { steps: number[]; critical: number[] } | undefined;
  const plan = () => {
    if (!planned) {
      const steps = image ? validStepCounts(spec, sctx, 25).filter((n) => IMAGE_STEPS.includes(n)) : validStepCounts(spec, sctx);
      planned = { steps, critical: image ? [] : roundingCriticalSteps(spec, ctx.table, steps).map((n) => steps.indexOf(n)) };
    }
    return planned;
  };
  const maxC = Math.max(...shapes.map((s) => s.C));
  const explicitSize = image ? 0 : Math.max(...shapes.map((s) => s.size));
  const maxBatch = image ? 1 : 2;
  return {
    id: samplerCheckId(image ? 'sample.image' : 'sample.exact', name),
    statement: `the ${spec.family} loop "${name}" returns the declared sampler's exact answer${image ? ` at the sample shape [${shapes[0].dims}]` : ''} for every step count, network and noise`,
    expected: 'holds',
    defaultRuns: image ? 4 : 30,
    assertionsPerCase: 0,
    // Each evaluation runs a whole sampling loop (and its rounding probe): shrinking spends at most this many.
    maxShrinks: 120,
    cases: () => samplerCase({ steps: plan().steps.length, shapes: shapes.length, maxC, explicitSize: Math.max(explicitSize, 1), maxBatch, critical: plan().critical }),
    async check(c): Promise<Outcome> {
      const b = buildRequest(ctx, name, spec, c, plan().steps, shapes, maxC, Math.max(explicitSize, 1));
      let expected;
      try {
        expected = b.xInit.map((x, s) => runSampler(b.program, b.network, x, (b.noises ?? []).map((z) => z[s])));
      } catch (e) {
        if (e instanceof NonFiniteError) return { holds: true, margin: -1, note: `degenerate case: the exact answer overflows (${e.message})` };
        throw e;
      }
      const args = encodeSampleArgs({ sampler: name, numInferenceSteps: b.req.numInferenceSteps, timesteps: b.req.timesteps, eta: b.req.eta, shape: b.shape, xInit: b.xInit, noises: b.noises, network: b.network }, ctx.sampler.binaryArrays);
      let reply;
      try {
        reply = await ctx.subject.call('sample', args);
      } catch (e) {
        // {id, error}: a failing case for this input, shrunk like any other (docs/protocol.md §1).
        if (e instanceof SubjectReplyError) return { holds: false, margin: 1, requestId: e.ref.requestId, op: 'sample', note: `sampler ${name}, n = ${b.req.numInferenceSteps}: the subject answered with an error: ${e.reply}` };
        throw e;
      }
      const { id, result } = reply;
      let got;
      try {
        got = decodeSampleResult(result, b.xInit.length, b.shape);
      } catch (e) {
        return { holds: false, margin: 1, requestId: id, op: 'sample', note: `sampler ${name}: ${(e as Error).message}` };
      }
      return compareLoop(ctx, b, expected, got, id);
    },
    describeCase: (c) => ({ sampler: name, n: plan().steps[c.stepIndex], shape: shapes[c.shapeIndex].dims, batch: c.batch, eta: c.eta, noiseSeed: c.noiseSeed }),
    size: (c) => ({ d: shapes[c.shapeIndex].size, n: plan().steps[c.stepIndex], batch: c.batch }),
  };
}
