import { describe, expect, it } from 'vitest';
import { trainingTable } from '../src/diffusion/samplers/index.ts';
import { parseSamplerHello } from '../src/subject/samplerHello.ts';
import { plan, worstRatio } from './samplerCases.ts';
import { hasNumpy, runJsonLines } from './samplerSubprocess.ts';

/**
 * The sampler bug catalogue against the oracles, before the check engine runs them: on the
 * boundary step counts (1, 2, T − 1, T) and a middle one, each buggy subject must disagree with
 * its declared sampler on the samplers its bug touches, while the correct references agree
 * (properties/samplerOracle.prop.ts). The engine's checks then find and shrink the same cases.
 */
export const SAMPLER_CATALOGUE: readonly { file: string; samplers: readonly string[] }[] = [
  { file: 'sampler-ddim-fixed-stride.mjs', samplers: ['ddim_linspace'] },
  { file: 'sampler-final-alpha-ignored.mjs', samplers: ['ddim'] },
  { file: 'sampler-steps-offset-ignored.mjs', samplers: ['ddim', 'euler'] },
  { file: 'sampler-leading-for-trailing.mjs', samplers: ['ddpm', 'ddim_inversion'] },
  { file: 'sampler-zero-snr-eps-from-v.mjs', samplers: ['ddim', 'ddpm'] },
  { file: 'sampler-network-time-not-rescaled.mjs', samplers: ['ddpm', 'ddim', 'euler', 'dpmpp_2m'] },
  { file: 'sampler-respace-map-wrong.mjs', samplers: ['ddpm', 'ddim'] },
  { file: 'sampler-nonzero-mask-second-step.mjs', samplers: ['ddpm'] },
  { file: 'sampler-ddpm-skips-last-step.mjs', samplers: ['ddpm', 'ddim'] },
  { file: 'sampler-heun-second-last-euler.mjs', samplers: ['heun_karras'] },
  { file: 'sampler-dpm-ratio-inverted.mjs', samplers: ['dpmpp_2m', 'dpmpp_2m_karras'] },
  { file: 'sampler-karras-rho-inverted.mjs', samplers: ['heun_karras', 'dpmpp_2m_karras'] },
  { file: 'sampler-flow-time-unshifted.mjs', samplers: ['flow_euler', 'flow_heun'] },
  { file: 'sampler-inversion-target-level.mjs', samplers: ['ddim_inversion'] },
  { file: 'sampler-euler-init-noise.mjs', samplers: ['euler', 'heun_karras'] },
  { file: 'sampler-learned-range-swapped.mjs', samplers: ['ddpm_learned'] },
  { file: 'sampler-ddim-eta-variance.mjs', samplers: ['ddim_linspace'] },
  { file: 'sampler_v_eps_sign.py', samplers: ['ddim', 'ddim_eta', 'ddim_inversion'] },
  { file: 'sampler_continuous_time_off_by_one.py', samplers: ['ddpm', 'ddim', 'heun', 'dpmpp_2m'] },
];

function steps(T: number): number[] {
  return [1, 2, 5, T - 1, T];
}

describe('sampler bug catalogue: every buggy subject disagrees with the oracle where its bug lives', () => {
  for (const entry of SAMPLER_CATALOGUE) {
    const python = entry.file.endsWith('.py');
    it.skipIf(python && !hasNumpy)(entry.file, async () => {
      let helloRaw: Record<string, unknown>;
      let sched: { alpha_bar: number[]; t_base: 0 | 1 };
      let answer: (requests: { op: string; args: unknown }[]) => Map<number, { result?: unknown; error?: string }>;
      if (python) {
        const cmd = ['python3', `examples/buggy/${entry.file}`];
        const head = runJsonLines(cmd, [{ op: 'schedule', args: {} }]);
        helloRaw = head.get(0)?.result as Record<string, unknown>;
        sched = head.get(1)?.result as typeof sched;
        answer = (reqs) => {
          const a = runJsonLines(cmd, reqs);
          return new Map([...a].filter(([id]) => id > 0).map(([id, v]) => [id - 1, v]));
        };
      } else {
        const subject = (await import(`../examples/buggy/${entry.file}`)).default;
        helloRaw = subject.hello;
        sched = subject.schedule();
        answer = (reqs) => new Map(reqs.map((r, k): [number, { result?: unknown; error?: string }] => {
          try {
            return [k, { result: subject.sample(structuredClone(r.args)) }];
          } catch (e) {
            return [k, { error: String(e) }];
          }
        }));
      }
      const hello = parseSamplerHello(helloRaw);
      const table = trainingTable(sched.alpha_bar, sched.t_base);
      const caught: string[] = [];
      for (const name of Object.keys(hello.samplers)) {
        const one = { ...hello, samplers: { [name]: hello.samplers[name] } };
        const planned = plan(one, table, 3, steps(table.T), [[1], [2, 1, 2]]);
        if (!planned.length) continue;
        const r = worstRatio(planned, answer(planned.map((p) => ({ op: 'sample', args: p.args }))), 0);
        if (r.ratio > 1 || r.errors.length > 0 || r.tauMismatch.length > 0) caught.push(name);
      }
      for (const s of entry.samplers) expect(caught, `${entry.file} should break ${s}`).toContain(s);
    });
  }
});
