import { type SamplerCase, samplerCase } from '../../../arbitraries/samplerCase.ts';
import { type Outcome, limitMargin } from '../../../engine/outcome.ts';
import type { Property } from '../../../engine/property.ts';
import { type SamplerSpec, conventionsMatchingTaus } from '../../../diffusion/samplers/index.ts';
import { decodeSampleResult, encodeSampleArgs } from '../../samplerProtocol.ts';
import { SubjectReplyError } from '../../subjectError.ts';
import { buildRequest } from './sampleRequest.ts';
import { smallShapes } from './sampleExactCheck.ts';
import { samplerCheckId } from './samplerCheckId.ts';
import { type SamplerCheckContext, contextOf, validStepCounts } from './samplerCheckContext.ts';

/** Relative agreement of two time values (float32 time values, as diffusers keeps them, agree to it). */
export const TAU_RTOL = 1e-6;

/**
 * `sample.network_time` (per declared sampler, for subjects that report `tau`): the time values
 * the loop gives its network are the declared convention's, call for call (MATH.md §5.1–5.2). On
 * failure the note names the convention the values match ("spacing leading, steps_offset 0",
 * "network time training index", "the position in the respaced list").
 */
export function sampleNetworkTimeProperty(ctx: SamplerCheckContext, name: string, spec: SamplerSpec): Property<SamplerCase> {
  const sctx = contextOf(ctx, spec);
  const shapes = smallShapes(ctx).slice(0, 1);
  let planned: number[] | undefined;
  const steps = () => (planned ??= validStepCounts(spec, sctx)); // planned on first use
  return {
    id: samplerCheckId('sample.network_time', name),
    statement: `the ${spec.family} loop "${name}" calls its network with the declared time values`,
    expected: 'holds',
    defaultRuns: 12,
    assertionsPerCase: 0,
    // Each evaluation runs a whole sampling loop (and its rounding probe): shrinking spends at most this many.
    maxShrinks: 120,
    cases: () => samplerCase({ steps: steps().length, shapes: 1, maxC: shapes[0].C, explicitSize: shapes[0].size, maxBatch: 1 }),
    async check(c): Promise<Outcome> {
      const b = buildRequest(ctx, name, spec, c, steps(), shapes, shapes[0].C, shapes[0].size);
      const args = encodeSampleArgs({ sampler: name, numInferenceSteps: b.req.numInferenceSteps, timesteps: b.req.timesteps, eta: b.req.eta, shape: b.shape, xInit: b.xInit, noises: b.noises, network: b.network }, ctx.sampler.binaryArrays);
      let reply;
      try {
        reply = await ctx.subject.call('sample', args);
      } catch (e) {
        if (e instanceof SubjectReplyError) return { holds: false, margin: 1, requestId: e.ref.requestId, op: 'sample', note: `sampler ${name}: the subject answered with an error: ${e.reply}` };
        throw e;
      }
      const expected = b.program.taus;
      let got: readonly number[];
      try {
        got = Array.from(decodeSampleResult(reply.result, 1, b.shape).tau ?? []);
      } catch (e) {
        return { holds: false, margin: 1, requestId: reply.id, op: 'sample', note: `sampler ${name}: ${(e as Error).message}` };
      }
      let worst = 0, at = -1;
      if (got.length === expected.length) {
        got.forEach((t, i) => {
          const r = Math.abs(t - expected[i]) / (TAU_RTOL * Math.max(1, Math.abs(expected[i])));
          if (r > worst) [worst, at] = [r, i];
        });
      }
      const sameLength = got.length === expected.length;
      const holds = sameLength && worst <= 1;
      const matches = holds ? [] : conventionsMatchingTaus(spec, sctx, b.req, got);
      const where = !sameLength ? `${got.length} network calls where the declared loop makes ${expected.length}` : `call ${at}: τ = ${got[at]} where the declared convention gives ${expected[at]}`;
      return {
        holds,
        margin: sameLength ? limitMargin(worst, 1) : 1,
        ...(sameLength && at >= 0 ? { maxError: Math.abs(got[at] - expected[at]), tolerance: TAU_RTOL * Math.max(1, Math.abs(expected[at])) } : {}),
        requestId: reply.id,
        op: 'sample',
        inputs: { sampler: name, num_inference_steps: b.req.numInferenceSteps, ...(b.req.timesteps ? { timesteps: b.req.timesteps.slice(0, 12) } : {}) },
        expected: { tau: expected.slice(0, 16), timesteps: b.program.timesteps.slice(0, 16) },
        got: { tau: got.slice(0, 16) },
        ...(holds ? {} : { note: `sampler ${name}, n = ${b.req.numInferenceSteps}: ${where}${matches.length ? ` — matches ${matches.join('; ')}` : ''}` }),
      };
    },
    describeCase: (c) => ({ sampler: name, n: steps()[c.stepIndex] }),
    size: (c) => ({ n: steps()[c.stepIndex] }),
  };
}
