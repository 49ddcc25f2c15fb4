import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { centralDifference } from '../../properties/support/finiteDifference.ts';
import { flowPath, simpleDouble } from '../arbitraries/index.ts';
import { type FlowNetwork, type FlowObjective, type FlowQuantity, type FlowSample, flowObjectiveUndefinedAt, flowSampleGradient, flowSampleLoss } from './flowTrainingLoss.ts';

/*
 * flowSampleGradient: the gradient of one sample's flow-matching loss in the network's parameters
 * [W, b, W_τ, b_τ], against a five-point difference of the loss (quadratic in the parameters: the difference is
 * exact up to rounding ~ε·loss/h).
 */
const vec = (n: number) => fc.array(simpleDouble(-1.5, 1.5, 2), { minLength: n, maxLength: n });

const caseArb = fc.integer({ min: 1, max: 3 }).chain((d) => fc.record({
  obj: fc.record({
    path: flowPath(),
    prediction: fc.constantFrom<FlowQuantity>('velocity', 'x0', 'eps'),
    target: fc.constantFrom<FlowQuantity>('velocity', 'x0', 'eps'),
    weighting: fc.constantFrom({ kind: 'none' as const }, { kind: 'sigma_sqrt' as const }, { kind: 'cosmap' as const }),
    reduction: fc.constantFrom<'mean' | 'sum'>('mean', 'sum'),
    timeScale: fc.constantFrom(1, 1000),
  }),
  timed: fc.boolean(),
  theta: vec(2 * (d * d + d)),
  sample: fc.record({ x0: vec(d), noise: vec(d), extraNoise: vec(d), t: fc.integer({ min: 1, max: 999 }).map((k) => k / 1000) }),
})).map(({ obj, timed, theta, sample }) => {
  const d = sample.x0.length;
  // A path with extra noise (I-CFM, σ > 0) has only the velocity conversion: keep the case defined by using it there.
  const extra = obj.path.kind === 'icfm' && obj.path.sigma > 0;
  const o: FlowObjective = extra ? { ...obj, prediction: 'velocity', target: 'velocity' } : obj;
  return { obj: o, d, timed, theta: Float64Array.from(theta.slice(0, (timed ? 2 : 1) * (d * d + d))), sample: sample as FlowSample };
});

function network(theta: Float64Array, d: number, timed: boolean): FlowNetwork {
  const rows = (o: number) => Array.from({ length: d }, (_, i) => Array.from(theta.subarray(o + i * d, o + i * d + d)));
  const o = d * d + d;
  return { W: rows(0), b: Array.from(theta.subarray(d * d, o)), ...(timed ? { W_time: rows(o), b_time: Array.from(theta.subarray(o + d * d, 2 * o)) } : {}) };
}

const agrees = (g: Float64Array, fd: Float64Array, loss: number, h: number) => g.length === fd.length && g.every((v, i) => Math.abs(v - fd[i]) <= 1e-9 * (1 + Math.abs(loss) / h));

describe('flowSampleGradient against a five-point difference of flowSampleLoss', () => {
  test.prop([caseArb], { numRuns: 150 })('every path, prediction/target pair, weighting, reduction, with and without time inputs', ({ obj, d, timed, theta, sample }) => {
    expect(flowObjectiveUndefinedAt(obj, sample.t)).toBeUndefined(); // t ∈ (0, 1) on this grid: no collinear output, no infinite weight
    const net = network(theta, d, timed), l = flowSampleLoss(obj, net, sample);
    const h = 1e-3 / Math.max(1, obj.timeScale * sample.t);
    const fd = centralDifference(theta, (th) => flowSampleLoss(obj, network(th, d, timed), sample).loss, h);
    expect(agrees(flowSampleGradient(net, l), fd, l.loss, h)).toBe(true);
  });

  it('negative control: the time-input gradient without its factor τ, and a gradient taken at x₀ for x_t, are rejected', () => {
    const obj: FlowObjective = { path: { kind: 'rectified' }, prediction: 'velocity', target: 'velocity', weighting: { kind: 'none' }, reduction: 'mean', timeScale: 1 };
    const theta = Float64Array.from({ length: 12 }, (_, i) => 0.1 * ((i * 7) % 5) - 0.2), sample: FlowSample = { x0: [0.5, -1], noise: [1.2, 0.3], t: 0.4 };
    const net = network(theta, 2, true), l = flowSampleLoss(obj, net, sample), h = 1e-3;
    const fd = centralDifference(theta, (th) => flowSampleLoss(obj, network(th, 2, true), sample).loss, h);
    expect(agrees(flowSampleGradient(net, l), fd, l.loss, h)).toBe(true);
    expect(agrees(flowSampleGradient(net, { ...l, tau: 1 }), fd, l.loss, h)).toBe(false);
    expect(agrees(flowSampleGradient(net, { ...l, xt: Float64Array.from(sample.x0) }), fd, l.loss, h)).toBe(false);
  });
});
