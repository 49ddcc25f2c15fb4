import { describe, expect, it } from 'vitest';
import { createFlowSubject } from '../../../../examples/reference-flow.mjs';
import type { CheckEnv } from '../../../engine/property.ts';
import { ModuleSubject } from '../../moduleSubject.ts';
import { subjectPrecision } from '../../roundingTolerance.ts';
import type { FlowCheckContext } from './flowCheckContext.ts';
import { flowTimeLawCdf, flowTimeLawVariants, flowTimestepSamplerCheck, supDistance } from './flowTimestepSamplerCheck.ts';

/*
 * flow_timestep_sampler.distribution on the JS reference (must hold) and on the reference with a
 * per-draw defect the DKW test alone cannot see: one draw of thousands moved just outside [0, 1]
 * (or off the train-timestep table) moves the empirical CDF by 1/n, far below the critical
 * distance, so only the support test rejects it. The support is closed: draws of exactly 0 and 1
 * are inside.
 */
type Impl = Record<string, (args: any) => any>;
const env: CheckEnv = { falseAlarm: 1e-6, replicate: 0 };

async function contextFor(sampler: Record<string, unknown>, patch: (t: number[]) => void = () => undefined): Promise<FlowCheckContext> {
  const ref = createFlowSubject({ sampler } as never) as unknown as Impl;
  const subject = await ModuleSubject.fromObject({
    ...ref,
    flow_timestep_sampler: (args: unknown) => {
      const r = structuredClone(ref.flow_timestep_sampler(args)) as { t: number[] };
      patch(r.t);
      return r;
    },
  }, 'flow sampler');
  return { subject, hello: subject.hello, flow: subject.hello.flow!, precision: subjectPrecision(subject.hello) };
}

describe('flow_timestep_sampler.distribution: the support test (one bad draw among thousands)', () => {
  const uniform = { kind: 'uniform' };

  it('the reference holds; draws of exactly 0 and 1 are inside the closed support', async () => {
    const o = await flowTimestepSamplerCheck.run(await contextFor(uniform), { seed: 11 }, env);
    expect(o.holds).toBe(true);
    expect((o.got as { outside: number }).outside).toBe(0);
    const edges = await flowTimestepSamplerCheck.run(await contextFor(uniform, (t) => { t[0] = 0; t[1] = 1; }), { seed: 11 }, env);
    expect(edges.holds).toBe(true);
    expect((edges.got as { outside: number }).outside).toBe(0);
    expect(edges.note).toBeUndefined();
  });

  for (const [label, bad] of [['just above 1', 1 + 2 ** -40], ['just below 0', -(2 ** -40)]] as const) {
    it(`one draw ${label} fails on its own (the DKW distance stays below critical)`, async () => {
      const o = await flowTimestepSamplerCheck.run(await contextFor(uniform, (t) => { t[5] = bad; }), { seed: 11 }, env);
      expect(o.holds).toBe(false);
      expect(o.maxError).toBeLessThan(o.tolerance!); // not the DKW test's rejection
      expect((o.got as { outside: number }).outside).toBe(1);
      expect(o.margin).toBe(20);
      expect(o.note).toBe(`1 draws outside the declared support (e.g. ${bad})`);
    });
  }

  it('a table law: a draw half-way between two table values is off the table, and the table size is named', async () => {
    const law = { kind: 'uniform', num_train_timesteps: 50, table: 'ascending' };
    const ok = await flowTimestepSamplerCheck.run(await contextFor(law), { seed: 3 }, env);
    expect(ok.holds).toBe(true);
    // The 50-step ascending table holds the values k/50 (k = 1…50): 0.51 lies between 0.5 and 0.52.
    const o = await flowTimestepSamplerCheck.run(await contextFor(law, (t) => { t[2] = 0.51; }), { seed: 3 }, env);
    expect(o.holds).toBe(false);
    expect((o.got as { outside: number }).outside).toBe(1);
    expect(o.note).toBe('1 draws outside the declared support (e.g. 0.51: not a value of the 50-step table)');
  });
});

describe('flowTimeLawCdf and supDistance (the diagnosis of a rejected sampler)', () => {
  it('a table law: a right-continuous step function with the atoms\' masses (uniform base, 4 ascending steps: k/4 each ¼)', () => {
    const F = flowTimeLawCdf({ base: { kind: 'uniform' }, shift: 1, discretization: { numTrainTimesteps: 4, table: 'ascending' } });
    expect([0, 0.1, 0.25, 0.3, 0.5, 0.74, 0.75, 0.99, 1, 2].map(F)).toEqual([0, 0, 0.25, 0.25, 0.5, 0.5, 0.75, 0.75, 1, 1]);
  });
  it('a continuous law is its CDF (uniform: F(x) = x on [0, 1])', () => {
    const F = flowTimeLawCdf({ base: { kind: 'uniform' }, shift: 1 });
    for (const x of [0, 0.2, 0.5, 0.9, 1]) expect(F(x)).toBeCloseTo(x, 12);
  });
  it('supDistance: the sup of |F_n − F| on both sides of each jump (hand-computed)', () => {
    const U = (x: number) => Math.min(1, Math.max(0, x));
    // draws 0.5, 0.5: F_n jumps from 0 to 1 at 0.5; F = 0.5 there → distance 0.5 on both sides
    expect(supDistance(Float64Array.from([0.5, 0.5]), U)).toBeCloseTo(0.5, 12);
    // draws 0.1, 0.2, 0.3, 0.4 against U: after the last draw F_n = 1, F = 0.4 → 0.6
    expect(supDistance(Float64Array.from([0.1, 0.2, 0.3, 0.4]), U)).toBeCloseTo(0.6, 12);
    // draws at the quantiles (i + ½)/n: distance ½n
    expect(supDistance(Float64Array.from([0.125, 0.375, 0.625, 0.875]), U)).toBeCloseTo(0.125, 12);
  });
});

describe('flowTimeLawVariants: the laws offered, by declaration', () => {
  const labels = (l: Parameters<typeof flowTimeLawVariants>[0]) => flowTimeLawVariants(l).map((v) => v.label);
  it('uniform without shift or table: nothing to confuse it with', () => {
    expect(labels({ base: { kind: 'uniform' }, shift: 1 })).toEqual([]);
  });
  it('a shift: applied twice, not applied, inverted — with the laws they describe', () => {
    const v = flowTimeLawVariants({ base: { kind: 'uniform' }, shift: 3 });
    expect(v.map((x) => [x.label, x.law.shift])).toEqual([
      ['the shift applied twice (shift 3² = 9)', 9], ['the shift not applied', 1], ['the inverse shift (1/3)', 1 / 3],
    ]);
  });
  it('logit-normal: location flipped / ignored only when nonzero, scale squared / rooted only when ≠ 1, and uniform', () => {
    expect(labels({ base: { kind: 'logit_normal', loc: 0, scale: 1 }, shift: 1 })).toEqual(['a uniform base law']);
    const v = flowTimeLawVariants({ base: { kind: 'logit_normal', loc: 0.5, scale: 4 }, shift: 1 });
    expect(v.map((x) => x.law.base)).toEqual([
      { kind: 'logit_normal', loc: -0.5, scale: 4 }, { kind: 'logit_normal', loc: 0, scale: 4 },
      { kind: 'logit_normal', loc: 0.5, scale: 16 }, { kind: 'logit_normal', loc: 0.5, scale: 2 }, { kind: 'uniform' },
    ]);
    expect(v[2].label).toBe('the scale squared (variance passed as the standard deviation: 16)');
  });
  it('mode: its scale\'s sign flipped and uniform; cosmap: uniform; a table: the other table order', () => {
    expect(flowTimeLawVariants({ base: { kind: 'mode', scale: 1.29 }, shift: 1 }).map((x) => [x.label, x.law.base])).toEqual([
      ['the mode scale\'s sign flipped (-1.29)', { kind: 'mode', scale: -1.29 }], ['a uniform base law', { kind: 'uniform' }],
    ]);
    expect(labels({ base: { kind: 'cosmap' }, shift: 1 })).toEqual(['a uniform base law']);
    const t = flowTimeLawVariants({ base: { kind: 'uniform' }, shift: 1, discretization: { numTrainTimesteps: 10, table: 'descending' } });
    expect(t.map((x) => [x.label, x.law.discretization?.table])).toEqual([['the ascending timestep table (declared descending)', 'ascending']]);
  });
});
