import { describe, expect, it } from 'vitest';
import { parseSamplerHello, samplerContextFor } from './samplerHello.ts';

/** The version-2 sampler section of a hello: valid declarations parse; every problem names its field. */
const hello = (samplers: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ protocol_version: 2, ops: { schedule: {}, sample: { samplers } }, ...extra });

describe('sampler hello', () => {
  it('parses every family with defaults and resolves the planning context', () => {
    const h = parseSamplerHello(hello({
      a: { family: 'ddpm', variance: 'learned_range', spacing: 'respace_ddim' },
      b: { family: 'ddim', eta: 'request', spacing: 'leading', steps_offset: 1, final_alpha_cumprod: 'first', clip: { range: 1, eps_from_clipped: true } },
      c: { family: 'ddim_inversion' },
      d: { family: 'euler', sigmas: 'karras', sigma_min: 0.002, sigma_max: 80, init_noise: 'sigma_max_sq_plus_one' },
      e: { family: 'heun', spacing: 'trailing' },
      f: { family: 'dpmpp_2m', state: 've', final_sigma: 'sigma_min', lower_order_final: false },
      g: { family: 'flow_euler', shift: 3 },
      h: { family: 'flow_heun', grid: 'uniform', network_time: { kind: 'flow', scale: 1 } },
    }, { sample_shape: [3, 64, 64], arrays: 'base64', network_time: 'index_rescaled_1000', parameterization: 'v' }));
    expect(h.sampleShape?.size).toBe(12288);
    expect(h.binaryArrays).toBe(true);
    expect(h.samplers.b).toMatchObject({ family: 'ddim', eta: 'request', spacing: { kind: 'leading', stepsOffset: 1 }, finalAlphaCumprod: 'first', clip: { range: 1, epsFromClipped: true } });
    expect(h.samplers.c).toMatchObject({ spacing: { kind: 'leading', stepsOffset: 0 }, initialAlphaCumprod: 'one' });
    expect(h.samplers.f).toMatchObject({ state: 've', finalSigma: 'sigma_min', lowerOrderFinal: false, tauRounding: 'round' });
    expect(samplerContextFor(h, h.samplers.b, undefined)).toMatchObject({ parameterization: 'v', networkTime: 'index_rescaled_1000' });
    expect(samplerContextFor(h, h.samplers.g, undefined)).toMatchObject({ parameterization: 'v', networkTime: 'index_rescaled_1000' });
    const bare = parseSamplerHello(hello({ g: { family: 'flow_euler', num_train_timesteps: 500 } }));
    expect(samplerContextFor(bare, bare.samplers.g, undefined)).toMatchObject({ parameterization: 'flow_velocity', networkTime: { kind: 'flow', scale: 500 } });
  });

  it('names the field of every bad declaration', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [hello({}), /ops\.sample\.samplers/],
      [hello({ x: { family: 'plms' } }), /ops\.sample\.samplers\.x\.family/],
      [hello({ x: { family: 'ddim', eta: 1.5 } }), /samplers\.x\.eta/],
      [hello({ x: { family: 'ddim', spacing: 'cosine' } }), /samplers\.x\.spacing/],
      [hello({ x: { family: 'ddim', steps_offset: -1 } }), /samplers\.x\.steps_offset/],
      [hello({ x: { family: 'ddpm' } }), /samplers\.x\.variance/],
      [hello({ x: { family: 'euler', spacing: 'explicit' } }), /samplers\.x\.spacing/],
      [hello({ x: { family: 'heun', sigmas: 'karras', sigma_min: 2, sigma_max: 1 } }), /samplers\.x\.sigma_max/],
      [hello({ x: { family: 'ddim', network_time: 'seconds' } }), /samplers\.x\.network_time/],
      [hello({ x: { family: 'ddim', clip: { range: 0 } } }), /samplers\.x\.clip\.range/],
      [hello({ x: { family: 'ddim' } }, { arrays: 'msgpack' }), /^arrays/],
      [hello({ x: { family: 'ddim' } }, { sample_shape: [3, 0, 4] }), /sample_shape\[1\]/],
      [hello({ x: { family: 'ddim' } }, { parameterization: 'noise' }), /^parameterization/],
    ];
    for (const [raw, re] of bad) expect(() => parseSamplerHello(raw), JSON.stringify(raw)).toThrow(re);
  });
});

describe('parseSamplerHello: ops.sample itself', () => {
  for (const bad of [5, null, [], 'ddim']) {
    it(`ops.sample = ${JSON.stringify(bad)} is rejected naming ops.sample`, () => {
      expect(() => parseSamplerHello({ ops: { sample: bad } })).toThrow(/ops\.sample\b.*must be an object \{samplers: \{name: declaration\}\}/);
    });
  }
});

