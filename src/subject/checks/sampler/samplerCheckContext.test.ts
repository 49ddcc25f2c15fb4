import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SamplerSubject, decodeArray, encodeArray } from '../../../../examples/sampler-subject.mjs';
import { sampleShape } from '../../../diffusion/samplers/index.ts';
import { ModuleSubject } from '../../moduleSubject.ts';
import { IMAGE_STEPS, sampleExactProperty } from './sampleExactCheck.ts';
import { sampleNetworkTimeProperty } from './sampleNetworkTimeCheck.ts';
import { sampleQualityProperty } from './sampleQualityCheck.ts';
import { buildRequest } from './sampleRequest.ts';
import { type SamplerCheckContext, contextOf, roundingCriticalSteps, samplerCheckContext, validStepCounts } from './samplerCheckContext.ts';

/*
 * The sampler checks' context and planning, against independent facts:
 * - np.linspace(0, T − 1, m) is exact when (m − 1) divides T − 1, so those step counts are never
 *   rounding-critical; 999·13/26 = 499.5 is the documented critical point of DDIM linspace at T = 1000
 *   (n = 27), and DPM-Solver++(2M)'s linspace has m = n + 1 points.
 * - Flow and Karras grids exist for every n, whatever the training table's length.
 * - float32 subjects are compared at 1e−4 relative, float64 at 1e−9 (the context's contract).
 */
async function contextFor(opts: ConstructorParameters<typeof SamplerSubject>[0] = {}, hello: Record<string, unknown> = {}): Promise<SamplerCheckContext> {
  const ref = new SamplerSubject(opts);
  const obj = { hello: { ...ref.hello, ...hello }, schedule: () => ref.schedule(), sample: (a: unknown) => ref.sample(a) };
  return samplerCheckContext(await ModuleSubject.fromObject(obj, 'sampler'));
}

describe('roundingCriticalSteps', () => {
  it('DDIM linspace, T = 1000: n = 27 (999·13/26 = 499.5) is critical; n − 1 dividing 999 never is', async () => {
    const ctx = await contextFor();
    const spec = ctx.sampler.samplers.ddim_linspace;
    expect(roundingCriticalSteps(spec, ctx.table, [27])).toEqual([27]);
    expect(roundingCriticalSteps(spec, ctx.table, [1, 2, 4, 10, 28, 38, 112])).toEqual([]);
  });
  it('DPM-Solver++(2M) linspace takes n + 1 points: n dividing 999 is never critical', async () => {
    const ctx = await contextFor();
    expect(roundingCriticalSteps(ctx.sampler.samplers.dpmpp_2m, ctx.table, [1, 3, 9, 27, 37, 111])).toEqual([]);
  });
  it('trailing, T = 1000: n dividing 1000 makes T/n·(n − i) an integer — never critical', async () => {
    const ctx = await contextFor();
    const spec = ctx.sampler.samplers.ddpm;
    expect('spacing' in spec && spec.spacing.kind).toBe('trailing');
    expect(roundingCriticalSteps(spec, ctx.table, [1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 125, 200, 250, 500, 1000])).toEqual([]);
  });
  it('spacings without a rounding boundary (leading, Karras) and no table: none', async () => {
    const ctx = await contextFor();
    expect(roundingCriticalSteps(ctx.sampler.samplers.ddim, ctx.table, [27, 50])).toEqual([]);
    expect(roundingCriticalSteps(ctx.sampler.samplers.heun_karras, ctx.table, [27])).toEqual([]);
    expect(roundingCriticalSteps(ctx.sampler.samplers.ddim_linspace, undefined, [27])).toEqual([]);
  });
});

describe('validStepCounts and the context', () => {
  it('flow and Karras grids: every n up to the cap even with a 50-step table; table spacings stop at T', async () => {
    const ctx = await contextFor({ T: 50 });
    const all = (k: number) => Array.from({ length: k }, (_, i) => i + 1);
    for (const name of ['flow_euler', 'flow_heun', 'heun_karras']) {
      const spec = ctx.sampler.samplers[name];
      expect(validStepCounts(spec, contextOf(ctx, spec), 80), name).toEqual(all(80));
    }
    const ddpm = ctx.sampler.samplers.ddpm;
    const counts = validStepCounts(ddpm, contextOf(ctx, ddpm), 80);
    expect(counts[0]).toBe(1);
    expect(Math.max(...counts)).toBeLessThanOrEqual(50);
  });
  it('exact comparisons at 1e−4 relative for a float32 subject, 1e−9 for float64', async () => {
    expect((await contextFor()).rtol).toBe(1e-9);
    expect((await contextFor({}, { precision: 'float32' })).rtol).toBe(1e-4);
    expect((await contextFor({}, { precision: 'float32' })).precision).toBe('float32');
  });
});

describe('the requests and shapes the sampler checks build', () => {
  it('sample.quality runs on the one-pixel shape with the most channels (3 for a [d] subject): Σ then has a rotation to test', async () => {
    const ctx = await contextFor();
    const p = sampleQualityProperty(ctx, 'ddim', ctx.sampler.samplers.ddim)!;
    const [c] = fc.sample(p.cases(), { seed: 1, numRuns: 1 });
    expect(c.logVariances).toHaveLength(3);
    expect(p.size!(c)).toMatchObject({ d: 3 });
  });

  it('buildRequest: a shape with C < maxC takes the top-left C×C block of the case\'s mixing matrix, divided by C', async () => {
    const ctx = await contextFor();
    const spec = ctx.sampler.samplers.ddim;
    const shapes = [sampleShape([2]), sampleShape([3])];
    const mix0 = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const c = {
      stepIndex: 0, shapeIndex: 0, batch: 1, eta: 0, listSeed: 1, noiseSeed: 1, xInit: [0.5, -0.5, 1],
      net: { omegaFactor: 1, phase: 0, mix0, mix1: mix0.map((v) => -v), diag0: [0, 0, 0], diag1: [1, 1, 1], bias0: [0, 0, 0], bias1: [0, 0, 0], fieldSeed: 1, variance0: 0, variance1: 0 },
    };
    const b = buildRequest(ctx, 'ddim', spec, c, [10], shapes, 3, 3);
    expect(Array.from(b.network.W0.mix)).toEqual([1 / 2, 2 / 2, 4 / 2, 5 / 2]);
    expect(Array.from(b.network.W1.mix)).toEqual([-1 / 2, -2 / 2, -4 / 2, -5 / 2]);
    expect(b.network.W0.diag).toBeNull(); // an all-zero diagonal is no diagonal
    expect(Array.from(b.network.W1.diag!)).toEqual([1, 1]);
    expect(Array.from(b.xInit[0])).toEqual([0.5, -0.5]);
  });

  it('sample.exact reports η among the inputs only for a sampler that takes it from the request', async () => {
    const ctx = await contextFor();
    for (const [name, hasEta] of [['ddim', false], ['ddim_linspace', true]] as const) {
      const p = sampleExactProperty(ctx, name, ctx.sampler.samplers[name], 'small');
      const [c] = fc.sample(p.cases(), { seed: 5, numRuns: 1 });
      const o = await p.check(c, { falseAlarm: 1e-6, replicate: 0 });
      expect(o.holds, o.note).toBe(true);
      expect('eta' in (o.inputs as object), name).toBe(hasEta);
      if (hasEta) expect((o.inputs as { eta: number }).eta).toBe(c.eta);
    }
  });

  it('buildRequest: per-step noises are drawn from the case\'s noise seed (another seed, other noises; the same seed, the same)', async () => {
    const ctx = await contextFor();
    const spec = ctx.sampler.samplers.ddpm;
    const p = sampleExactProperty(ctx, 'ddpm', spec, 'small');
    const [c] = fc.sample(p.cases(), { seed: 8, numRuns: 1 });
    const shapes = [sampleShape([1]), sampleShape([2]), sampleShape([3])];
    const noises = (noiseSeed: number) => buildRequest(ctx, 'ddpm', spec, { ...c, stepIndex: 0, shapeIndex: 0, noiseSeed }, [5], shapes, 3, 3).noises!.flat().flatMap((z) => Array.from(z));
    expect(noises(1).length).toBeGreaterThan(0);
    expect(noises(1)).toEqual(noises(1));
    expect(noises(1)).not.toEqual(noises(2));
  });

  it('sample.network_time: a τ off by exactly the tolerance (1e-6 at τ = 0) holds, one ulp more fails', async () => {
    const withLast = async (v: number) => {
      const ref = new SamplerSubject();
      const obj = { hello: ref.hello, schedule: () => ref.schedule(), sample: (a: unknown) => { const r = ref.sample(a); const tau = [...r.tau]; tau[tau.length - 1] = v; return { ...r, tau }; } };
      return samplerCheckContext(await ModuleSubject.fromObject(obj, 'tau'));
    };
    // ddpm_learned: linspace spacing, network time = index: the loop's last call is at τ = 0
    for (const [v, holds] of [[0, true], [1e-6, true], [1e-6 * (1 + 2 ** -40), false]] as const) {
      const ctx = await withLast(v);
      const p = sampleNetworkTimeProperty(ctx, 'ddpm_learned', ctx.sampler.samplers.ddpm_learned);
      const [c] = fc.sample(p.cases(), { seed: 2, numRuns: 1 });
      const o = await p.check(c, { falseAlarm: 1e-6, replicate: 0 });
      expect((o.expected as { tau: number[] }).tau.at(-1)).toBe(0);
      expect(o.holds, `τ_last = ${v}: ${o.note}`).toBe(holds);
    }
  });

  it('sample.network_time: a subject that answers with an error fails the case, and the note carries its message', async () => {
    const ref = new SamplerSubject();
    const obj = { hello: ref.hello, schedule: () => ref.schedule(), sample: () => { throw new Error('CUDA out of memory (simulated)'); } };
    const ctx = await samplerCheckContext(await ModuleSubject.fromObject(obj, 'throws'));
    const p = sampleNetworkTimeProperty(ctx, 'ddim', ctx.sampler.samplers.ddim);
    const [c] = fc.sample(p.cases(), { seed: 2, numRuns: 1 });
    const o = await p.check(c, { falseAlarm: 1e-6, replicate: 0 });
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/^sampler ddim: the subject answered with an error: .*CUDA out of memory \(simulated\)/);
  });

  it('sample.network_time: a τ list that is not flat is a failed case naming the field, not a crash', async () => {
    const ref = new SamplerSubject();
    const obj = { hello: ref.hello, schedule: () => ref.schedule(), sample: (a: unknown) => { const r = ref.sample(a); return { ...r, tau: [r.tau] }; } };
    const ctx = await samplerCheckContext(await ModuleSubject.fromObject(obj, 'tau nested'));
    const p = sampleNetworkTimeProperty(ctx, 'ddim', ctx.sampler.samplers.ddim);
    const [c] = fc.sample(p.cases(), { seed: 2, numRuns: 1 });
    const o = await p.check(c, { falseAlarm: 1e-6, replicate: 0 });
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/^sampler ddim: .*result\.tau.*must be a flat list/);
  });
});

describe('sample.quality on a loop that collapses every sample to one point', () => {
  it('fails, and reports KL = +∞ (a point mass has no density against the Gaussian data or limit)', async () => {
    const ref = new SamplerSubject();
    const obj = {
      hello: ref.hello, schedule: () => ref.schedule(),
      sample: (a: { x_init: unknown }) => { const { shape } = decodeArray(a.x_init); return { ...(ref.sample(a) as object), x_final: encodeArray(new Array(shape.reduce((x, y) => x * y, 1)).fill(0), shape, false) }; },
    };
    const ctx = await samplerCheckContext(await ModuleSubject.fromObject(obj, 'collapsed'));
    const p = sampleQualityProperty(ctx, 'ddim', ctx.sampler.samplers.ddim)!;
    const [c] = fc.sample(p.cases(), { seed: 1, numRuns: 1 });
    const o = await p.check(c, { falseAlarm: 1e-6, replicate: 0 });
    expect(o.holds).toBe(false);
    const q = o.quantities as Record<string, number[]>;
    expect(q.kl_to_data.length).toBeGreaterThanOrEqual(3);
    for (const k of [...q.kl_to_data, ...q.kl_to_limit]) expect(k).toBe(Infinity);
    for (const k of q.declared_kl_to_data) expect(Number.isFinite(k)).toBe(true);
  });
});

describe('sample.quality with a declared image shape: the mean field is read at that shape', () => {
  const imageSubject = async (bias: number) => {
    const ref = new SamplerSubject();
    const obj = {
      hello: { ...ref.hello, sample_shape: [3, 4, 4] },
      schedule: () => ref.schedule(),
      // bias: a loop that is right on one-pixel probes and off by `bias` on every entry of a full image
      sample: (a: { x_init: unknown }) => {
        const r = ref.sample(a) as { x_final: unknown };
        const perSample = decodeArray(a.x_init).shape.slice(1).reduce((x, y) => x * y, 1);
        if (bias === 0 || perSample <= 3) return r;
        const shift = (v: unknown): unknown => (Array.isArray(v) ? v.map(shift) : (v as number) + bias);
        return { ...r, x_final: shift(r.x_final) };
      },
    };
    return samplerCheckContext(await ModuleSubject.fromObject(obj, 'image'));
  };

  it('the reference holds; image KL reported at the two ends of the ladder; the case size is the image\'s', async () => {
    const ctx = await imageSubject(0);
    const p = sampleQualityProperty(ctx, 'ddim', ctx.sampler.samplers.ddim)!;
    const [c] = fc.sample(p.cases(), { seed: 3, numRuns: 1 });
    const o = await p.check(c, { falseAlarm: 1e-6, replicate: 0 });
    expect(o.holds, o.note).toBe(true);
    expect(o.note).toBeUndefined(); // DDIM measures its order 1 here: no note about the declared sampler either
    const q = o.quantities as Record<string, number[]>;
    expect(q.image_steps).toEqual([q.steps[0], q.steps[q.steps.length - 1]]);
    for (const [s, d] of q.image_kl_to_data.map((v, i) => [v, q.declared_image_kl_to_data[i]])) expect(Math.abs(s - d)).toBeLessThanOrEqual(1e-6 * Math.max(1, d));
    expect(p.size!(c)).toMatchObject({ d: 48 });
  });

  it('a loop wrong only at the image shape fails, located in the mean field', async () => {
    const ctx = await imageSubject(1e-3);
    const p = sampleQualityProperty(ctx, 'ddim', ctx.sampler.samplers.ddim)!;
    const [c] = fc.sample(p.cases(), { seed: 3, numRuns: 1 });
    const o = await p.check(c, { falseAlarm: 1e-6, replicate: 0 });
    expect(o.holds).toBe(false);
    expect(o.note, o.note).toMatch(/mean field at shape \[3,4,4\], entry \d+: got/);
  });

  it('sample.image: step counts only from the image ladder (1, 2, 10, 25); the reference holds, a loop off at the image shape fails', async () => {
    const ctx = await imageSubject(0);
    const p = sampleExactProperty(ctx, 'ddim', ctx.sampler.samplers.ddim, 'image');
    const cases = fc.sample(p.cases(), { seed: 4, numRuns: 12 });
    const ns = new Set(cases.map((c) => (p.describeCase!(c) as { n: number }).n));
    for (const n of ns) expect(IMAGE_STEPS).toContain(n);
    expect(ns.size).toBeGreaterThan(1);
    for (const c of cases.slice(0, 2)) expect(p.size!(c)).toMatchObject({ d: 48 });
    expect((await p.check(cases[0], { falseAlarm: 1e-6, replicate: 0 })).holds).toBe(true);
    const bad = await imageSubject(1e-3);
    const q = sampleExactProperty(bad, 'ddim', bad.sampler.samplers.ddim, 'image');
    const o = await q.check(cases[0], { falseAlarm: 1e-6, replicate: 0 });
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/^sampler ddim, n = \d+, sample 0, coordinate \d+/);
  });
});

describe('sample.exact: the counterexample shows what the subject returned, where it is wrong', () => {
  it('a loop off by 1e-2 at flattened entry 2 of every sample: the note names coordinate 2, got.x_final is the subject\'s answer for the named sample', async () => {
    const ref = new SamplerSubject();
    const answers: Float64Array[][] = [];
    const obj = {
      hello: ref.hello, schedule: () => ref.schedule(),
      sample: (a: { x_init: unknown }) => {
        const r = ref.sample(a) as { x_final: unknown };
        const { data, shape } = decodeArray(r.x_final);
        const per = data.length / shape[0];
        for (let s = 0; s < shape[0]; s++) if (per > 2) data[s * per + 2] += 1e-2;
        answers.push(Array.from({ length: shape[0] }, (_, s) => data.slice(s * per, (s + 1) * per)));
        return { ...r, x_final: encodeArray(Array.from(data), shape, false) };
      },
    };
    const ctx = await samplerCheckContext(await ModuleSubject.fromObject(obj, 'off at entry 2'));
    const p = sampleExactProperty(ctx, 'ddim', ctx.sampler.samplers.ddim, 'small');
    const c = fc.sample(p.cases(), { seed: 11, numRuns: 30 }).find((x) => (p.size!(x).d ?? 0) > 2)!;
    const o = await p.check(c, { falseAlarm: 1e-6, replicate: 0 });
    expect(o.holds).toBe(false);
    const [, s, i] = /sample (\d+), coordinate (\d+)/.exec(o.note ?? '')!.map(Number);
    expect(i).toBe(2);
    const got = (o.got as { x_final: number[] }).x_final, expected = (o.expected as { x_final: number[] }).x_final;
    expect(got).toEqual(Array.from(answers[answers.length - 1][s].slice(0, 8)));
    expect(Math.abs(got[2] - expected[2] - 1e-2)).toBeLessThan(1e-9);
    for (const j of [0, 1]) expect(Math.abs(got[j] - expected[j])).toBeLessThan(1e-9);
  });
});
