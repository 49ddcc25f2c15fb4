import { describe, expect, it } from 'vitest';
import { createFlowSubject } from '../../../../examples/reference-flow.mjs';
import type { CheckEnv } from '../../../engine/property.ts';
import { ModuleSubject } from '../../moduleSubject.ts';
import { subjectPrecision } from '../../roundingTolerance.ts';
import type { FlowCheckContext } from './flowCheckContext.ts';
import { flowInterpolateCheck } from './flowInterpolateCheck.ts';

/*
 * flow_interpolate.exact on the JS reference: the report names the op, the request and the inputs; a
 * subject computing x_t = t x₀ + (1 − t)ε (the other end of the path) fails with that convention named;
 * a float32 subject declared float64 is reported as rounding; the icfm path sends the extra noise ξ.
 */
const env: CheckEnv = { falseAlarm: 1e-6, replicate: 0 };
type Impl = Record<string, (a: any) => any>;

async function contextFor(opts: Record<string, unknown> = {}, patch: (ref: Impl) => Partial<Impl> = () => ({}), hello: Record<string, unknown> = {}): Promise<FlowCheckContext> {
  const ref = createFlowSubject(opts as never) as unknown as Impl & { hello: Record<string, unknown> };
  const subject = await ModuleSubject.fromObject({ ...ref, ...patch(ref), hello: { ...ref.hello, ...hello } }, 'flow');
  return { subject, hello: subject.hello, flow: subject.hello.flow!, precision: subjectPrecision(subject.hello) };
}
const c = { d: 2, samples: [{ x0: [1, -0.5], noise: [0.25, 2], extraNoise: [0.5, -1], t: 0.25 }, { x0: [-1.5, 0.75], noise: [1, 1], extraNoise: [1, 0], t: 0.875 }] };

describe('flow_interpolate.exact', () => {
  it('the reference holds; the outcome names op, request and inputs (no extra noise on the rectified path)', async () => {
    const o = await flowInterpolateCheck.run(await contextFor(), c, env);
    expect(o.holds).toBe(true);
    expect(o.op).toBe('flow_interpolate');
    expect(o.requestId).toBeGreaterThan(0);
    expect(o.inputs).toEqual({ x0: [[1, -0.5], [-1.5, 0.75]], noise: [[0.25, 2], [1, 1]], t: [0.25, 0.875] });
    expect((o.expected as { xt: number[][] }).xt[0]).toEqual([0.75 * 1 + 0.25 * 0.25, 0.75 * -0.5 + 0.25 * 2]);
  });

  it('icfm: the extra noise travels with the request', async () => {
    const o = await flowInterpolateCheck.run(await contextFor({ path: { kind: 'icfm', sigma: 0.2 }, target: 'velocity' }), c, env);
    expect(o.holds, o.note).toBe(true);
    expect(o.inputs).toMatchObject({ extra_noise: [[0.5, -1], [1, 0]] });
  });

  it('x_t with t and 1 − t exchanged: fails at sample 0 and names the convention', async () => {
    const reversed = (ref: Impl) => ({ flow_interpolate: (a: { t: number[] }) => ref.flow_interpolate({ ...a, t: a.t.map((t) => 1 - t) }) });
    const o = await flowInterpolateCheck.run(await contextFor({}, reversed), c, env);
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/^sample \d, coordinate \d \(t = 0\.(25|875)\) differs; x_t matches t replaced by 1 − t/);
  });

  it('a float32 subject declared float64: the failure is reported as rounding', async () => {
    const o = await flowInterpolateCheck.run(await contextFor({ precision: 'float32' }, () => ({}), { precision: 'float64' }), { d: 1, samples: [{ x0: [0.1], noise: [0.3], extraNoise: [0], t: 0.7 }] }, env);
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/consistent with float32 arithmetic/);
  });
});
