import { FLOAT32_UNIT, type Outcome, limitMargin } from '../../../engine/outcome.ts';
import { type SamplerOutcome, conventionsMatchingTaus, loopTolerance, variantsMatchingOutput } from '../../../diffusion/samplers/index.ts';
import type { SampleResponse } from '../../samplerProtocol.ts';
import type { BuiltRequest } from './sampleRequest.ts';
import { type SamplerCheckContext, contextOf } from './samplerCheckContext.ts';

const head = (v: ArrayLike<number>, k = 8) => Array.from(v).slice(0, k);

/**
 * Compares a subject's x_final with the oracle's coordinate by coordinate, each within the
 * rounding tolerance of a loop rounding at level rtol at every operation (loopTolerance, MATH.md
 * §5.3); margin = log10 of the worst error/tolerance ratio.
 * On failure the note names the declarations one option away that reproduce the subject's
 * numbers or τ values (MATH.md §5.6).
 */
export function compareLoop(ctx: SamplerCheckContext, b: BuiltRequest, expected: readonly SamplerOutcome[], got: SampleResponse, requestId: number): Outcome {
  const calls = b.program.taus.length;
  let worst = -1, at = [0, 0], maxError = 0, tolerance = 0, scaleAt = 0;
  expected.forEach((e, s) => {
    for (let i = 0; i < e.xFinal.length; i++) {
      const err = Math.abs(got.xFinal[s][i] - e.xFinal[i]);
      const tol = loopTolerance(e, i, ctx.rtol);
      const r = tol > 0 ? err / tol : err > 0 ? Infinity : 0;
      if (r > worst) {
        worst = r;
        at = [s, i];
        maxError = err;
        tolerance = tol;
        scaleAt = e.spread[i];
      }
    }
  });
  const holds = worst <= 1;
  const [s, i] = at;
  const sctx = contextOf(ctx, b.spec);
  let note: string | undefined;
  if (!holds) {
    const tol = (o: SamplerOutcome, k: number) => loopTolerance(o, k, ctx.rtol);
    const byOutput = variantsMatchingOutput(b.spec, sctx, b.req, b.network, b.xInit[s], (b.noises ?? []).map((z) => z[s]), got.xFinal[s], tol);
    const byTau = got.tau ? conventionsMatchingTaus(b.spec, sctx, b.req, Array.from(got.tau)) : [];
    const parts = [`sampler ${b.name}, n = ${b.req.numInferenceSteps}, sample ${s}, coordinate ${i}`];
    if (byOutput.length) parts.push(`the numbers match ${byOutput.join('; ')}`);
    if (byTau.length) parts.push(`the τ values match ${byTau.join('; ')}`);
    if (!byOutput.length && !byTau.length) parts.push('no declaration one option away reproduces them');
    note = parts.join(' — ');
  }
  return {
    holds,
    margin: limitMargin(worst, 1),
    maxError,
    tolerance,
    requestId,
    op: 'sample',
    // The error in units of a float32 loop's rounding here (u₃₂ times the coordinate's spread).
    float32Multiple: scaleAt > 0 ? maxError / (FLOAT32_UNIT * scaleAt) : undefined,
    inputs: {
      sampler: b.name, num_inference_steps: b.req.numInferenceSteps, shape: b.shape.dims, batch: b.xInit.length,
      ...(b.req.eta !== undefined ? { eta: b.req.eta } : {}), ...(b.req.timesteps ? { timesteps: head(b.req.timesteps, 12) } : {}),
      x_init: head(b.xInit[s]), network: { omega: b.network.g.omega, phase: b.network.g.phase },
    },
    expected: { x_final: head(expected[s].xFinal), timesteps: head(b.program.timesteps, 12), tau: head(b.program.taus, 12) },
    got: { x_final: head(got.xFinal[s]), ...(got.tau ? { tau: head(got.tau, 12) } : {}) },
    quantities: { n: b.req.numInferenceSteps, networkCalls: calls, d: b.shape.size },
    ...(note ? { note } : {}),
  };
}
