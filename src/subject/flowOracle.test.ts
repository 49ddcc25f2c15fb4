import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flowInterpolate, flowSampleLoss, type FlowObjective } from '../theory/flowTrainingLoss.ts';
import { createFlowSubject } from '../../examples/reference-flow.mjs';
import type { FlowLossDeclaration } from './flowProtocol.ts';
import { parseHello } from './hello.ts';
import { expectedFlowInterpolation, expectedFlowLossGradient, expectedFlowLosses, flowObjectiveOf } from './flowOracle.ts';

/*
 * The flow oracles' tolerances against independent facts, both directions:
 * - wide enough: the same numbers computed in float32 (every operation rounded with Math.fround)
 *   lie within the float32 tolerance;
 * - tight enough: at float64 the tolerance stays below 1e-9 of the quantity's scale, so a relative
 *   defect of 1e-7 (the size the exact checks are meant to catch) is outside it.
 */
const f64 = { tensors: 'float64', coefficients: 'float64' } as const;
const f32 = { tensors: 'float32', coefficients: 'float32' } as const;
const R = Math.fround;
const grid = (k: number) => fc.integer({ min: -8, max: 8 }).map((i) => i / k);
const sample = (d: number) => fc.record({
  x0: fc.array(grid(4), { minLength: d, maxLength: d }), noise: fc.array(grid(4), { minLength: d, maxLength: d }),
  extraNoise: fc.array(grid(4), { minLength: d, maxLength: d }), t: fc.integer({ min: 1, max: 999 }).map((k) => k / 1000),
});
const paths = fc.constantFrom({ kind: 'rectified' } as const, { kind: 'ot', sigmaMin: 0.001 } as const, { kind: 'icfm', sigma: 0.2 } as const);

describe('expectedFlowInterpolation', () => {
  it('value = the path\'s x_t; float32 rounding of a_t x₀ + s_t ε (+ r_t ξ) within the float32 tolerance; float64 tolerance ≤ 1e-9 of |a x₀| + |s ε| + |r ξ|', () => {
    fc.assert(fc.property(paths, fc.array(sample(3), { minLength: 1, maxLength: 3 }), (path, samples) => {
      const e64 = expectedFlowInterpolation(path, samples, f64);
      const e32 = expectedFlowInterpolation(path, samples, f32);
      samples.forEach((s, n) => {
        expect(Array.from(e64[n].value)).toEqual(Array.from(flowInterpolate(path, s)));
        // float32 evaluation: t held in float32, coefficients and products rounded
        const t = R(s.t);
        const [a, sc, r] = path.kind === 'rectified' ? [R(1 - t), t, 0] : path.kind === 'ot' ? [t, R(1 - R(R(1 - path.sigmaMin) * t)), 0] : [t, R(1 - t), R(path.sigma)];
        for (let i = 0; i < 3; i++) {
          const got32 = R(R(R(a * R(s.x0[i])) + R(sc * R(s.noise[i]))) + R(r * R(s.extraNoise[i])));
          const v = e64[n].value[i];
          expect(Math.abs(got32 - v)).toBeLessThanOrEqual(e32[n].tolerance[i]);
          const scale = Math.abs(a * s.x0[i]) + Math.abs(sc * s.noise[i]) + Math.abs(r * s.extraNoise[i]);
          expect(e64[n].tolerance[i]).toBeLessThanOrEqual(1e-9 * scale + 1e-300);
        }
      });
    }), { seed: 7, numRuns: 60 });
  });
});

describe('expectedFlowLosses / expectedFlowLossGradient', () => {
  const obj = fc.record({
    path: paths, prediction: fc.constantFrom('velocity', 'x0', 'eps'), target: fc.constantFrom('velocity', 'x0', 'eps'),
    weighting: fc.constantFrom('none', 'cosmap'), reduction: fc.constantFrom('mean', 'sum'), timeScale: fc.constantFrom(1, 1000),
  }).map((o): FlowObjective => ({ ...o, prediction: o.path.kind === 'icfm' ? 'velocity' : o.prediction, target: o.path.kind === 'icfm' ? 'velocity' : o.target, weighting: { kind: o.weighting } } as FlowObjective));
  const net = fc.record({ W: fc.array(fc.array(grid(4), { minLength: 2, maxLength: 2 }), { minLength: 2, maxLength: 2 }), b: fc.array(grid(4), { minLength: 2, maxLength: 2 }) });

  it('losses: the theory\'s value; float64 tolerance ≤ 1e-9·(1 + value) and positive where the loss is not 0', () => {
    fc.assert(fc.property(obj, net, fc.array(sample(2), { minLength: 1, maxLength: 3 }), (o, w, samples) => {
      const e = expectedFlowLosses(o, w, samples, f64);
      samples.forEach((s, n) => {
        const v = flowSampleLoss(o, w, s).loss;
        expect(e.value[n]).toBe(v);
        expect(e.tolerance[n]).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(v)));
        if (v !== 0) expect(e.tolerance[n]).toBeGreaterThan(0);
      });
    }), { seed: 8, numRuns: 80 });
  });

  it('gradient tolerance: float32 ≥ float64 entry by entry, and ~2²⁹× wider on at least one entry; timed networks add W_time, b_time', () => {
    fc.assert(fc.property(obj, net, fc.array(sample(2), { minLength: 1, maxLength: 3 }), fc.constantFrom('mean', 'sum'), (o, w, samples, br) => {
      const timed = { ...w, W_time: [[0.25, 0], [0, -0.5]], b_time: [0.5, 0.25] };
      for (const n of [w, timed]) {
        const a = expectedFlowLossGradient(o, n, samples, br as 'mean' | 'sum', f64);
        const b = expectedFlowLossGradient(o, n, samples, br as 'mean' | 'sum', f32);
        expect(a.gradient.value.length).toBe(n === w ? 6 : 12);
        for (let i = 0; i < a.gradient.value.length; i++) expect(b.gradient.tolerance[i]).toBeGreaterThanOrEqual(a.gradient.tolerance[i]);
        const ratio = Math.max(...Array.from(a.gradient.tolerance, (t, i) => (t > 0 ? b.gradient.tolerance[i] / t : 0)));
        if (ratio > 0) expect(ratio).toBeGreaterThan(1e6);
        expect(Array.from(a.losses.value)).toEqual(Array.from(expectedFlowLosses(o, n, samples, f64).value));
      }
    }), { seed: 9, numRuns: 40 });
  });

  it('flowObjectiveOf: the declaration\'s fields, time scale 1 without network_time', () => {
    const decl = { prediction: 'x0', target: 'velocity', weighting: { kind: 'cosmap' }, reduction: 'sum' } as const;
    expect(flowObjectiveOf(decl, { path: { kind: 'rectified' } })).toEqual({ path: { kind: 'rectified' }, ...decl, timeScale: 1 });
    expect(flowObjectiveOf({ ...decl, network_time: { scale: 1000 } }, { path: { kind: 'ot', sigmaMin: 0 } }).timeScale).toBe(1000);
  });
});

describe('the flow oracles against the float32 JS reference (every operation rounded, written separately)', () => {
  const configs = [
    {},
    { prediction: 'eps', target: 'velocity', weighting: 'cosmap', reduction: 'sum', batchReduction: 'sum' },
    { path: { kind: 'ot', sigma_min: 0.001 }, target: 'velocity', timeScale: 1 },
  ] as const;
  for (const [k, cfg] of configs.entries()) {
    it(`configuration ${k}: losses and gradient (time-aware network) within the float32 tolerance`, () => {
      const subject = createFlowSubject({ ...cfg, precision: 'float32' } as never) as unknown as { hello: unknown; flow_loss_grad: (a: unknown) => { loss: number[]; grad: { W: number[][]; b: number[]; W_time: number[][]; b_time: number[] } } };
      const h = parseHello(subject.hello);
      const decl = h.ops.flow_loss_grad as FlowLossDeclaration & { batch_reduction: 'mean' | 'sum' };
      const o = flowObjectiveOf(decl, h.flow!);
      const model = { W: [[0.75, -0.5], [0.25, 1]], b: [0.5, -0.25], W_time: [[0.25 / 1000, 0], [0.5 / 1000, -0.75 / 1000]], b_time: [1 / 1000, -0.5 / 1000] };
      for (const t of [0.001, 0.013, 0.5, 0.987, 0.999]) {
        const samples = [{ x0: [1.25, -0.75], noise: [0.5, 2], t }, { x0: [-2, 0.25], noise: [-1.5, 0.75], t: 1 - t }];
        const r = subject.flow_loss_grad({ x0: samples.map((s) => s.x0), noise: samples.map((s) => s.noise), t: samples.map((s) => s.t), model });
        const e = expectedFlowLossGradient(o, model, samples, decl.batch_reduction, f32);
        const got = [...r.grad.W.flat(), ...r.grad.b, ...r.grad.W_time.flat(), ...r.grad.b_time];
        got.forEach((g, i) => expect(Math.abs(g - e.gradient.value[i]), `t = ${t}, entry ${i}`).toBeLessThanOrEqual(e.gradient.tolerance[i]));
        r.loss.forEach((l, n) => expect(Math.abs(l - e.losses.value[n]), `t = ${t}, loss ${n}`).toBeLessThanOrEqual(e.losses.tolerance[n]));
      }
    });
  }

  it('interpolation near t = 1 with ε = 0: x_t = (1 − t)x₀ held in float32 (t rounded first) is within the float32 tolerance', () => {
    const subject = createFlowSubject({ precision: 'float32' }) as unknown as { flow_interpolate: (a: unknown) => { xt: number[][] } };
    for (const t of [0.999, 0.9999, 0.987]) {
      const s = { x0: [1, -2, 3], noise: [0, 0, 0], t };
      const got = subject.flow_interpolate({ x0: [s.x0], noise: [s.noise], t: [t] }).xt[0];
      const e = expectedFlowInterpolation({ kind: 'rectified' }, [s], f32)[0];
      got.forEach((g, i) => expect(Math.abs(g - e.value[i]), `t = ${t}, coordinate ${i}`).toBeLessThanOrEqual(e.tolerance[i]));
    }
  });

  it('the mean over B copies of one sample is that sample: same gradient and the same tolerance', () => {
    const o: FlowObjective = { path: { kind: 'rectified' }, prediction: 'velocity', target: 'x0', weighting: { kind: 'none' }, reduction: 'mean', timeScale: 1000 };
    const model = { W: [[0.75, -0.5], [0.25, 1]], b: [0.5, -0.25], W_time: [[0.00025, 0], [0.0005, -0.00075]], b_time: [0.001, -0.0005] };
    const s = { x0: [1.25, -0.75], noise: [0.5, 2], t: 0.3 };
    const one = expectedFlowLossGradient(o, model, [s], 'mean', f64).gradient;
    const three = expectedFlowLossGradient(o, model, [s, s, s], 'mean', f64).gradient;
    one.value.forEach((v, i) => {
      expect(three.value[i]).toBeCloseTo(v, 12);
      // The time-spread term is a difference of batch gradients: each of the B copies' differences may
      // carry a few ulp of the batch value (rounding of the mean), nothing more.
      expect(Math.abs(three.tolerance[i] - one.tolerance[i])).toBeLessThanOrEqual(1e-9 * one.tolerance[i] + 3 * 4 * Number.EPSILON * Math.abs(v));
    });
  });
});
