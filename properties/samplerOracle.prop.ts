import { describe, expect, it } from 'vitest';
import {
  type AffineTimeNetwork, type SamplerRequest, type SamplerSpec, type TrainingTable, declarationVariants, loopTolerance, networkTimeVariants,
  planSampler, resolveNetworkTime, runSampler, sampleShape, trainingTable,
} from '../src/diffusion/samplers/index.ts';
import { createRng } from '../src/mc/rng.ts';
import { decodeSampleResult, encodeSampleArgs } from '../src/subject/samplerProtocol.ts';
import { parseSamplerHello, samplerContextFor } from '../src/subject/samplerHello.ts';
import { randomAffineTimeNetwork, randomInputs } from './samplerCases.ts';
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

interface Planned {
  spec: SamplerSpec;
  name: string;
  n: number;
  shapeDims: number[];
  req: SamplerRequest;
  network: AffineTimeNetwork;
  xInit: Float64Array[];
  noises: (Float64Array[] | undefined)[];
  args: Record<string, unknown>;
  expected: { xFinal: Float64Array; scale: Float64Array }[];
  taus: readonly number[];
  calls: number;
}

/** The declaration with the hello's parameterization and network time written into it. */
function resolved(hello: ReturnType<typeof parseSamplerHello>, spec: SamplerSpec, table: TrainingTable): SamplerSpec {
  const ctx = samplerContextFor(hello, spec, table);
  return { ...spec, parameterization: ctx.parameterization, networkTime: ctx.networkTime };
}

function plan(hello: ReturnType<typeof parseSamplerHello>, table: TrainingTable, seed: number): Planned[] {
  const rng = createRng(`sampler-oracle-${seed}`);
  const out: Planned[] = [];
  for (const [name, declared] of Object.entries(hello.samplers)) {
    const spec = resolved(hello, declared, table);
    for (const n of STEPS) {
      for (const dims of SHAPES) {
        const shape = sampleShape(dims);
        const spacing = 'spacing' in spec ? spec.spacing : 'sigmas' in spec && spec.sigmas.kind === 'table' ? spec.sigmas.spacing : undefined;
        if (spacing?.kind === 'respace_ddim' && Math.ceil(table.T / Math.ceil(table.T / n)) !== n) continue;
        const timesteps = spacing?.kind === 'explicit' ? randomList(rng, table, n) : undefined;
        const eta = spec.family === 'ddim' && spec.eta === 'request' ? [0, 1, rng.uniform()][n % 3] : undefined;
        const req = { numInferenceSteps: n, timesteps, eta };
        const ctx = samplerContextFor(hello, spec, table);
        let program;
        try {
          program = planSampler(spec, ctx, req);
        } catch {
          continue; // a request the declaration cannot run (e.g. σ-space on a zero-SNR table)
        }
        const network = randomAffineTimeNetwork(shape, rng, program.taus, spec.family === 'ddpm' && spec.variance === 'learned_range');
        const { xInit, noises } = randomInputs(program, shape, rng, 2);
        const expected = xInit.map((x, b) => runSampler(program, network, x, noises.map((z) => z?.[b])));
        const args = encodeSampleArgs({ sampler: name, numInferenceSteps: n, timesteps, eta, shape, xInit, noises: noises[0] ? (noises as Float64Array[][]) : undefined, network }, hello.binaryArrays);
        out.push({ spec, name, n, shapeDims: dims, req, network, xInit, noises, args, expected, taus: program.taus, calls: program.taus.length });
      }
    }
  }
  return out;
}

function randomList(rng: ReturnType<typeof createRng>, table: TrainingTable, n: number): number[] {
  const picks = new Set<number>([table.T - 1]);
  while (picks.size < n) picks.add(Math.floor(rng.uniform() * table.T));
  return [...picks].sort((a, b) => b - a).map((j) => j + table.tBase);
}

/** The oracle's answers to the same inputs under another declaration (undefined: it cannot run them). */
function expectUnder(p: Planned, spec: SamplerSpec, table: TrainingTable, hello: ReturnType<typeof parseSamplerHello>): Float64Array[] | undefined {
  try {
    const program = planSampler(spec, samplerContextFor(hello, spec, table), p.req);
    const noises = program.noiseSteps.map((used, i) => (used ? (p.noises[i] ?? p.xInit.map(() => new Float64Array(p.xInit[0].length))) : undefined));
    return p.xInit.map((x, b) => runSampler(program, p.network, x, noises.map((z) => z?.[b])).xFinal);
  } catch {
    return undefined;
  }
}

/** Worst |got − expected| / tolerance over every coordinate of every case (≤ 1 passes). */
function worstRatio(planned: Planned[], answers: Map<number, { result?: unknown; error?: string }>, offset: number): { ratio: number; where: string; errors: string[]; tauMismatch: string[] } {
  let ratio = 0, where = '';
  const errors: string[] = [], tauMismatch: string[] = [];
  planned.forEach((p, k) => {
    const a = answers.get(k + offset);
    const label = `${p.name} n=${p.n} shape=[${p.shapeDims}]`;
    if (!a || a.error !== undefined) {
      errors.push(`${label}: ${a?.error ?? 'no answer'}`);
      return;
    }
    const got = decodeSampleResult(a.result, p.expected.length, sampleShape(p.shapeDims));
    p.expected.forEach((e, b) => {
      for (let i = 0; i < e.xFinal.length; i++) {
        const r = Math.abs(got.xFinal[b][i] - e.xFinal[i]) / loopTolerance(e.scale[i], 1e-9, p.calls, 'float64');
        if (r > ratio) {
          ratio = r;
          where = `${label} sample ${b} coordinate ${i}: got ${got.xFinal[b][i]}, expected ${e.xFinal[i]}`;
        }
      }
    });
    const tau = got.tau ? Array.from(got.tau) : [];
    if (tau.length !== p.taus.length || tau.some((t, i) => Math.abs(t - p.taus[i]) > 1e-12 * Math.max(1, Math.abs(p.taus[i])))) {
      tauMismatch.push(`${label}: τ [${tau.slice(0, 4)}…] (${tau.length} calls) vs [${p.taus.slice(0, 4)}…] (${p.taus.length})`);
    }
  });
  return { ratio, where, errors, tauMismatch };
}

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
      const planned = plan(hello, table, 1);
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
            const tol = p.expected.map((x) => x.scale.map((sc) => loopTolerance(sc, 1e-9, p.calls, 'float64')));
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
      const planned = plan(hello, table, 2);
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
