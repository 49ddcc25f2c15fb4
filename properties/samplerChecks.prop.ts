import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fc } from '@fast-check/vitest';
import { SamplerSubject } from '../examples/sampler-subject.mjs';
import { ModuleSubject } from '../src/subject/moduleSubject.ts';
import { ProcessSubject } from '../src/subject/processSubject.ts';
import type { Subject } from '../src/subject/subject.ts';
import { runSamplerChecks } from './samplerCheckRun.ts';
import { hasNumpy } from './samplerSubprocess.ts';

/**
 * The sampler checks through the engine: every correct reference passes every sampler property
 * (exact loop, network time, image scale, quality); every buggy subject of the catalogue fails the
 * property named for it, with a counterexample shrunk to one coordinate and one sample.
 */
const seed = fc.readConfigureGlobal().seed as number;

export const SAMPLER_CATALOGUE: readonly { file: string; bug: string; caughtBy: string }[] = [
  { file: 'sampler-ddim-fixed-stride.mjs', bug: 'DDIM previous timestep t − T//n under linspace spacing', caughtBy: 'sample.exact.ddim_linspace' },
  { file: 'sampler-final-alpha-ignored.mjs', bug: 'final_alpha_cumprod "first" declared, 1 used', caughtBy: 'sample.exact.ddim' },
  { file: 'sampler-steps-offset-ignored.mjs', bug: 'steps_offset never added to leading timesteps', caughtBy: 'sample.network_time.ddim' },
  { file: 'sampler-leading-for-trailing.mjs', bug: 'leading list where trailing is declared (starts at 980)', caughtBy: 'sample.network_time.ddpm' },
  { file: 'sampler-zero-snr-eps-from-v.mjs', bug: 'zero terminal SNR: x̂₀ from v via ε with ᾱ clamped', caughtBy: 'sample.exact.ddim' },
  { file: 'sampler-network-time-not-rescaled.mjs', bug: 'network fed t where t·1000/T is declared', caughtBy: 'sample.network_time.ddim' },
  { file: 'sampler-respace-map-wrong.mjs', bug: 'respaced position given to the network, not timestep_map[i]', caughtBy: 'sample.network_time.ddpm_respaced' },
  { file: 'sampler-nonzero-mask-second-step.mjs', bug: 'no-noise mask `t > 1` kept from 1-based code', caughtBy: 'sample.exact.ddpm_respaced' },
  { file: 'sampler-ddpm-skips-last-step.mjs', bug: 'the loop never takes its last step', caughtBy: 'sample.exact.ddpm' },
  { file: 'sampler-heun-second-last-euler.mjs', bug: 'Heun correction skipped one step early', caughtBy: 'sample.exact.heun_karras' },
  { file: 'sampler-dpm-ratio-inverted.mjs', bug: 'DPM-Solver++(2M) with r = h_i/h_{i−1}', caughtBy: 'sample.exact.dpmpp_2m' },
  { file: 'sampler-karras-rho-inverted.mjs', bug: 'Karras levels with ρ and 1/ρ swapped', caughtBy: 'sample.exact.heun_karras' },
  { file: 'sampler-flow-time-unshifted.mjs', bug: 'flow network told the unshifted time', caughtBy: 'sample.network_time.flow_euler' },
  { file: 'sampler-inversion-target-level.mjs', bug: 'DDIM inversion reads x̂₀ at the target level', caughtBy: 'sample.exact.ddim_inversion' },
  { file: 'sampler-euler-init-noise.mjs', bug: 'init_noise_sigma never applied', caughtBy: 'sample.exact.euler' },
  { file: 'sampler-learned-range-swapped.mjs', bug: 'learned-range fraction on the wrong endpoint', caughtBy: 'sample.exact.ddpm_learned' },
  { file: 'sampler-ddim-eta-variance.mjs', bug: 'DDIM σ(η) without the square root', caughtBy: 'sample.exact.ddim_linspace' },
  { file: 'sampler-linspace-rounding.mjs', bug: 'linspace as i·(T−1)/(n−1): NumPy rounds the .5 points differently', caughtBy: 'sample.exact.ddim_linspace' },
  { file: 'sampler_v_eps_sign.py', bug: 'ε̂ from a v output with the wrong sign', caughtBy: 'sample.exact.ddim' },
  { file: 'sampler_continuous_time_off_by_one.py', bug: 'continuous time j/T where (j+1)/T is declared', caughtBy: 'sample.network_time.ddim' },
];

async function open(file: string): Promise<Subject> {
  return file.endsWith('.py') ? ProcessSubject.start(`python3 examples/buggy/${file}`, 20_000) : ModuleSubject.load(`examples/buggy/${file}`);
}

describe('sampler bug catalogue: each bug is caught by its named check and shrunk', () => {
  for (const entry of SAMPLER_CATALOGUE) {
    it.skipIf(entry.file.endsWith('.py') && !hasNumpy)(`${entry.file}: ${entry.bug} → ${entry.caughtBy}`, async () => {
      const subject = await open(entry.file);
      try {
        const [run] = await runSamplerChecks(subject, { seed, only: (p) => p.id === entry.caughtBy });
        expect(run?.id).toBe(entry.caughtBy);
        expect(run.finding, run.reason).toBe('fails');
        const cx = run.counterexample!;
        expect(cx.outcome?.holds).toBe(false);
        // Shrunk: one sample; one coordinate where the shape can go that small.
        if (cx.size?.batch !== undefined) expect(cx.size.batch).toBe(1);
        if (cx.size?.d !== undefined) expect(cx.size.d).toBe(1);
        console.log(`${entry.file}: ${entry.caughtBy} shrunk to ${JSON.stringify(cx.size)} — ${cx.outcome?.note ?? ''}`.slice(0, 400));
      } finally {
        await subject.close();
      }
    });
  }
});

describe('correct sampler subjects pass every sampler check', () => {
  const variants: Record<string, ConstructorParameters<typeof SamplerSubject>[0]> = {
    'JS reference (eps, index, nested arrays)': {},
    'JS reference (v, t·1000/T, T = 250, t_base 1, base64)': { parameterization: 'v', networkTime: 'index_rescaled_1000', T: 250, tBase: 1, arrays: 'base64' },
    'JS reference (v, zero terminal SNR)': {
      parameterization: 'v', zeroTerminalSnr: true,
      samplers: { ddim: { family: 'ddim', eta: 0, spacing: 'trailing' }, ddpm: { family: 'ddpm', variance: 'beta_tilde', spacing: 'trailing' }, ddim_explicit: { family: 'ddim', eta: 'request', spacing: 'explicit' } },
    },
  };
  for (const [label, opts] of Object.entries(variants)) {
    it(label, async () => {
      const subject = await ModuleSubject.fromObject(new SamplerSubject(opts) as unknown as Record<string, unknown>, label);
      const runs = await runSamplerChecks(subject, { seed, runs: 5 }); // the five deterministic corners; CI also checks the references at default runs
      expect(runs.length).toBeGreaterThan(5);
      expect(runs.filter((r) => r.finding !== 'holds').map((r) => `${r.id}: ${r.finding} ${r.reason ?? r.counterexample?.outcome?.note ?? r.counterexample?.error ?? ''}`)).toEqual([]);
    });
  }

  describe.skipIf(!hasNumpy)('Python/NumPy reference adapter (one process)', () => {
    let subject: Subject;
    beforeAll(async () => {
      subject = await ProcessSubject.start('python3 examples/sampler_adapter.py', 20_000);
    });
    afterAll(async () => subject?.close());
    it('every sampler check holds', async () => {
      const runs = await runSamplerChecks(subject, { seed, runs: 5 });
      expect(runs.filter((r) => r.finding !== 'holds').map((r) => `${r.id}: ${r.finding} ${r.reason ?? r.counterexample?.outcome?.note ?? r.counterexample?.error ?? ''}`)).toEqual([]);
    });
  });
});
