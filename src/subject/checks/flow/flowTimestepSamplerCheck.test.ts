import { describe, expect, it } from 'vitest';
import { createFlowSubject } from '../../../../examples/reference-flow.mjs';
import type { CheckEnv } from '../../../engine/property.ts';
import { ModuleSubject } from '../../moduleSubject.ts';
import { subjectPrecision } from '../../roundingTolerance.ts';
import type { FlowCheckContext } from './flowCheckContext.ts';
import { flowTimestepSamplerCheck } from './flowTimestepSamplerCheck.ts';

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
