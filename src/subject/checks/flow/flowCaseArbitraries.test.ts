import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowObjective } from '../../../theory/flowTrainingLoss.ts';
import { definedTimeRange, flowModelCase } from './flowCaseArbitraries.ts';

/*
 * The time range flow cases draw from: the closed [0, 1] unless the declared objective is undefined at
 * an end — σ⁻²-type weights at σ = t = 0 (rectified), conversions that divide by 1 − t at t = 1
 * (x̂₀ from ε: (x_t − tε̂)/(1 − t)) or by t at t = 0 (ε̂ from x̂₀: (x_t − (1 − t)x̂₀)/t).
 */
const obj = (o: Partial<FlowObjective>): FlowObjective => ({ path: { kind: 'rectified' }, prediction: 'velocity', target: 'velocity', weighting: { kind: 'none' }, reduction: 'mean', timeScale: 1, ...o });

describe('definedTimeRange', () => {
  it('no objective (interpolation) and a velocity loss: [0, 1]', () => {
    expect(definedTimeRange(undefined)).toEqual([0, 1]);
    expect(definedTimeRange(obj({}))).toEqual([0, 1]);
    expect(definedTimeRange(obj({ prediction: 'velocity', target: 'x0' }))).toEqual([0, 1]);
  });
  it('an end dropped exactly where the objective divides by zero', () => {
    expect(definedTimeRange(obj({ weighting: { kind: 'sigma_sqrt' } }))).toEqual([0.001, 1]);
    expect(definedTimeRange(obj({ prediction: 'eps', target: 'x0' }))).toEqual([0, 0.999]);
    expect(definedTimeRange(obj({ prediction: 'x0', target: 'eps' }))).toEqual([0.001, 1]);
  });
});

describe('flowModelCase', () => {
  it('with a time scale the time part is divided by it (τ W_time = t·grid); without one, no time part', () => {
    fc.assert(fc.property(flowModelCase([0, 1], 1000), flowModelCase([0, 1], undefined), (timed, plain) => {
      expect(plain.model.W_time).toBeUndefined();
      expect(plain.model.b_time).toBeUndefined();
      if (timed.model.W_time) {
        for (const row of timed.model.W_time) for (const v of row) expect(Math.abs(v * 1000 * 4 - Math.round(v * 1000 * 4))).toBeLessThan(1e-9);
        expect(timed.model.b_time).toHaveLength(timed.d);
      }
      for (const s of timed.samples) expect(s.x0).toHaveLength(timed.d);
    }), { seed: 4, numRuns: 30 });
  });
});
