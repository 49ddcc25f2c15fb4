import { describe, expect, it } from 'vitest';
import { createRng } from '../../mc/rng.ts';
import { decodeSampleResult, encodeSampleArgs } from '../../subject/samplerProtocol.ts';
import { parseSamplerHello, samplerContextFor } from '../../subject/samplerHello.ts';
import { randomAffineTimeNetwork } from '../../../properties/samplerCases.ts';
import { conventionsMatchingTaus, variantsMatchingOutput } from './diagnose.ts';
import { loopTolerance } from './runSampler.ts';
import { planSampler } from './planSampler.ts';
import { sampleShape } from './sampleShape.ts';
import { trainingTable } from './trainingTable.ts';

/**
 * Diagnosis names the convention a buggy subject follows, from its τ values or its numbers; for the
 * correct reference it names none (negative control).
 */
async function run(file: string, sampler: string, n: number) {
  const subject = (await import(file)).default;
  const hello = parseSamplerHello(subject.hello);
  const sched = subject.schedule();
  const table = trainingTable(sched.alpha_bar, sched.t_base);
  const spec = hello.samplers[sampler];
  const ctx = samplerContextFor(hello, spec, table);
  const req = { numInferenceSteps: n, eta: 0.5 };
  const program = planSampler(spec, ctx, req);
  const shape = sampleShape([2]);
  const rng = createRng(`diagnose-${file}`);
  const network = randomAffineTimeNetwork(shape, rng, program.taus);
  const xInit = rng.fillNormal(new Float64Array(2));
  const noises = program.noiseSteps.map(() => rng.fillNormal(new Float64Array(2)));
  const anyNoise = program.noiseSteps.some(Boolean);
  const args = encodeSampleArgs({ sampler, numInferenceSteps: n, eta: 0.5, shape, xInit: [xInit], noises: anyNoise ? noises.map((z) => [z]) : undefined, network }, false);
  const got = decodeSampleResult(subject.sample(args), 1, shape);
  const byTau = conventionsMatchingTaus(spec, ctx, req, Array.from(got.tau ?? []));
  const byOutput = variantsMatchingOutput(spec, ctx, req, network, xInit, anyNoise ? noises : [], got.xFinal[0], (o, i) => loopTolerance(o, i, 1e-9));
  return { byTau, byOutput };
}

describe('naming the convention a subject follows', () => {
  it('from τ: steps_offset ignored, t for t·1000/T, the respaced position', async () => {
    expect((await run('../../../examples/buggy/sampler-steps-offset-ignored.mjs', 'ddim', 10)).byTau).toContain('steps_offset 0 (declared 1)');
    expect((await run('../../../examples/buggy/sampler-network-time-not-rescaled.mjs', 'ddim', 10)).byTau).toContain('network time training index');
    expect((await run('../../../examples/buggy/sampler-respace-map-wrong.mjs', 'ddpm', 10)).byTau).toContain('the network is told the position in the respaced list, not the training timestep');
    expect((await run('../../../examples/buggy/sampler-leading-for-trailing.mjs', 'ddpm', 50)).byTau).toContain('spacing leading (declared trailing)');
  });

  it('from the numbers: final ᾱ, steps_offset, init noise', async () => {
    expect((await run('../../../examples/buggy/sampler-final-alpha-ignored.mjs', 'ddim', 10)).byOutput).toEqual(['final_alpha_cumprod one (declared first)']);
    expect((await run('../../../examples/buggy/sampler-steps-offset-ignored.mjs', 'euler', 10)).byOutput).toContain('steps_offset 0 (declared 1)');
    expect((await run('../../../examples/buggy/sampler-euler-init-noise.mjs', 'heun_karras', 6)).byOutput).toEqual([]);
  });

  it('negative control: the reference follows its declaration and matches no other', async () => {
    for (const [sampler, n] of [['ddim', 10], ['ddpm', 10], ['euler', 10], ['dpmpp_2m', 10], ['flow_euler', 10]] as const) {
      const r = await run('../../../examples/sampler-subject.mjs', sampler, n);
      expect(r.byTau, sampler).toEqual([]);
      expect(r.byOutput, sampler).toEqual([]);
    }
  });
});
