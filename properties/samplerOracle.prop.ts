import { describe, expect, it } from 'vitest';
import { declarationVariants, loopTolerance, networkTimeVariants, resolveNetworkTime, trainingTable } from '../src/diffusion/samplers/index.ts';
import { parseSamplerHello } from '../src/subject/samplerHello.ts';
import { expectUnder, plan, worstRatio } from './samplerCases.ts';
import { hasNumpy, runJsonLines } from './samplerSubprocess.ts';
import { SamplerSubject } from '../examples/sampler-subject.mjs';

/**
 * The sampler oracles against an independent implementation: examples/sampler_adapter.py writes
 * every family the way diffusers / k-diffusion / improved-diffusion do, in NumPy. For each
 * configuration, every declared sampler at several step counts, two shapes and random time-aware
 * networks must agree with the oracle to its rounding tolerance, and report the oracle's τ list.
 * Negative control: the same comparison must reject the oracle's answer for a different
 * declaration (one option changed), so agreement is not vacuous.
 */
const CONFIGS: Record<string, Record<string, unknown>> = {
  'default (eps, index, linear, t_base 0, base64 arrays)': {},
  'v, index_rescaled_1000, cosine T = 500, t_base 1, nested arrays': { parameterization: 'v', network_time: 'index_rescaled_1000', schedule: 'cosine', T: 500, t_base: 1, arrays: 'nested' },
  'x0, continuous time, T = 200': { parameterization: 'x0', network_time: 'continuous', T: 200 },
  'score, σ as time, explicit and respaced lists': {
    parameterization: 'score', network_time: 'sigma', T: 300,
    samplers: {
      ddpm_explicit: { family: 'ddpm', variance: 'beta_tilde', spacing: 'explicit', clip: { range: 1.5 } },
      ddim_explicit: { family: 'ddim', eta: 0.3, spacing: 'explicit', clip: { range: 1.2, eps_from_clipped: true } },
      ddim_linspace: { family: 'ddim', eta: 0, spacing: 'linspace', final_alpha_cumprod: 'first' },
      euler_leading: { family: 'euler', spacing: 'leading', steps_offset: 1, init_noise: 'sigma_max_sq_plus_one' },
      heun_karras: { family: 'heun', sigmas: 'karras', sigma_min: 0.05, sigma_max: 20, rho: 5 },
      dpm_trailing: { family: 'dpmpp_2m', spacing: 'trailing', final_sigma: 'sigma_min', lower_order_final: false },
    },
  },
  'EDM preconditioning with c_noise time': {
    parameterization: 'edm', network_time: 'c_noise',
    samplers: {
      heun: { family: 'heun', sigmas: 'karras', sigma_min: 0.002, sigma_max: 80, sigma_data: 0.5 },
      euler: { family: 'euler', sigmas: 'karras', sigma_min: 0.002, sigma_max: 80, sigma_data: 0.5 },
      dpm: { family: 'dpmpp_2m', sigmas: 'karras', sigma_min: 0.002, sigma_max: 80, sigma_data: 0.5, state: 've', tau_rounding: 'none' },
    },
  },
  'v with zero terminal SNR': { parameterization: 'v', zero_terminal_snr: true },
};

const STEPS = [1, 2, 3, 7, 20];
const SHAPES = [[2], [3, 2, 2]];

describe.skipIf(!hasNumpy)('sampler oracles = the NumPy reference adapter (independent implementation)', () => {
  /** family: variant → detected in some configuration (a variant can be invisible at one schedule, e.g. √(σ²+1) vs σ at σ = 3·10⁴). */
  const detected = new Map<string, boolean>();
  for (const [label, config] of Object.entries(CONFIGS)) {
    it(label, () => {
      const cmd = ['python3', 'examples/sampler_adapter.py', '--config', JSON.stringify(config)];
      const head = runJsonLines(cmd, [{ op: 'schedule', args: {} }]);
      const helloRaw = head.get(0)?.result as Record<string, unknown>;
      const hello = parseSamplerHello(helloRaw);
      const sched = head.get(1)?.result as { alpha_bar: number[]; t_base: 0 | 1 };
      const table = trainingTable(sched.alpha_bar, sched.t_base);
      const planned = plan(hello, table, 1, STEPS, SHAPES);
      expect(planned.length).toBeGreaterThan(10);
      const answers = runJsonLines(cmd, planned.map((p) => ({ op: 'sample', args: p.args })));
      const { ratio, where, errors, tauMismatch } = worstRatio(planned, answers, 1);
      expect(errors).toEqual([]);
      expect(tauMismatch).toEqual([]);
      expect(ratio, where).toBeLessThanOrEqual(1);
      console.log(`${label}: ${planned.length} cases, worst error/tolerance ${ratio.toExponential(2)}`);

      // Negative control: every one-option-away declaration must be rejected on some case.
      const undetected: string[] = [];
      let variants = 0;
      for (const name of Object.keys(hello.samplers)) {
        const mine = planned.filter((p) => p.name === name);
        const spec = mine[0]?.spec;
        if (!spec) continue;
        const time = resolveNetworkTime(spec.networkTime ?? 'index', table.T, table.tBase);
        const alts = [...declarationVariants(spec), ...networkTimeVariants(time, table.T).map((v) => ({ label: v.label, spec: { ...spec, networkTime: v.time } }))];
        for (const alt of alts) {
          let runnable = 0, caught = false;
          for (const p of mine) {
            const e = expectUnder(p, alt.spec, table, hello);
            if (!e || p.n === 1) continue;
            runnable++;
            const tol = p.expected.map((x) => x.xFinal.map((_, i) => loopTolerance(x, i, 1e-9)));
            if (e.some((x, b) => x.some((v, i) => Math.abs(v - p.expected[b].xFinal[i]) > tol[b][i]))) caught = true;
          }
          if (runnable === 0) continue;
          variants++;
          const key = `${spec.family}: ${alt.label.replace(/ \(declared .*\)$/, '')}`;
          detected.set(key, (detected.get(key) ?? false) || caught);
          if (!caught) undetected.push(`${name}: ${alt.label}`);
        }
      }
      expect(variants).toBeGreaterThan(5);
      if (undetected.length) console.log(`${label}: not distinguishable here: ${undetected.join('; ')}`);
    });
  }

  it('negative control: every one-option-away declaration is rejected in some configuration', () => {
    expect(detected.size).toBeGreaterThan(40);
    expect([...detected].filter(([, ok]) => !ok).map(([k]) => k)).toEqual([]);
  });
});

describe('sampler oracles = the JS reference subject', () => {
  const configs: Record<string, ConstructorParameters<typeof SamplerSubject>[0]> = {
    'default (eps, index, nested arrays)': {},
    'v, index·1000/T, T = 250, t_base 1, base64 arrays': { parameterization: 'v', networkTime: 'index_rescaled_1000', T: 250, tBase: 1, arrays: 'base64' },
    'x0, σ as time': { parameterization: 'x0', networkTime: 'sigma', T: 400 },
    'v, zero terminal SNR': {
      parameterization: 'v', zeroTerminalSnr: true,
      samplers: { ddim: { family: 'ddim', eta: 0, spacing: 'trailing' }, ddpm: { family: 'ddpm', variance: 'beta_tilde', spacing: 'trailing' }, ddim_explicit: { family: 'ddim', eta: 0.7, spacing: 'explicit' } },
    },
  };
  for (const [label, options] of Object.entries(configs)) {
    it(label, () => {
      const subject = new SamplerSubject(options);
      const hello = parseSamplerHello(subject.hello as Record<string, unknown>);
      const sched = subject.schedule() as { alpha_bar: number[]; t_base: 0 | 1 };
      const table = trainingTable(sched.alpha_bar, sched.t_base);
      const planned = plan(hello, table, 2, STEPS, SHAPES);
      expect(planned.length).toBeGreaterThan(10);
      const answers = new Map<number, { result?: unknown; error?: string }>();
      planned.forEach((p, k) => {
        try {
          answers.set(k, { result: subject.sample(structuredClone(p.args)) });
        } catch (e) {
          answers.set(k, { error: String(e) });
        }
      });
      const { ratio, where, errors, tauMismatch } = worstRatio(planned, answers, 0);
      expect(errors).toEqual([]);
      expect(tauMismatch).toEqual([]);
      expect(ratio, where).toBeLessThanOrEqual(1);
    });
  }
});
