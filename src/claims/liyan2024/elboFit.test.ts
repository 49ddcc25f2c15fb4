import { describe, expect, it } from 'vitest';
import { scaledLinearSchedule } from '../../diffusion/schedule.ts';
import { Gaussian } from '../../gaussian/gaussian.ts';
import { fromRows } from '../../linalg/index.ts';
import { dataMoments, isotropicSamplerNll } from '../../theory/elboFit.ts';
import { elboMinimizer } from './elboFit.ts';

// The case `verify` shrank to once the family search stopped returning the end of a window around log(tr S/d):
// data variance 0.0019 is below the T = 50 sampler's last-step noise β_1 = 0.002, so its NLL decreases as v → 0.
const data = new Gaussian([0], fromRows([[0.0019055]]));

describe('liyan2024.elboFit.minimizer-coincides where the T = 50 sampler\'s NLL has no minimizer in the family', () => {
  it('holds over the closure: the infimum at v = 0 is at distance exactly 1, and the T = 200 minimizer is interior and nearer', () => {
    const r = elboMinimizer.check(data, { falseAlarm: 1e-6, replicate: 0 });
    const dist = r.quantities?.['sampler-NLL argmin distance'] as number[];
    expect(dist[0]).toBe(1);
    expect(dist[1]).toBeGreaterThan(0);
    expect(dist[1]).toBeLessThan(0.5);
    expect(r.holds).toBe(true);
  });

  it('the premise: at T = 50 the NLL keeps decreasing toward v = 0 (so the old window end, v = S·e⁻³, was not a minimizer)', () => {
    const mom = dataMoments(data), s = scaledLinearSchedule(50);
    const nll = (v: number) => isotropicSamplerNll(mom, s, mom.mean, v);
    for (const v of [0.0019055 * Math.exp(-3), 1e-5, 1e-7]) expect(nll(v / 10)).toBeLessThan(nll(v));
  });

  it('negative control: data below the T = 200 sampler\'s last-step noise too (β_1 = 5e-4) has distance 1 at both T (to the search resolution), which is not a decrease', () => {
    const r = elboMinimizer.check(new Gaussian([0.3], fromRows([[2e-4]])), { falseAlarm: 1e-6, replicate: 0 });
    const dist = r.quantities?.['sampler-NLL argmin distance'] as number[];
    expect(dist[0]).toBe(1);
    expect(dist[1]).toBeGreaterThan(1 - 1e-6);
    expect(r.holds).toBe(false);
  });
});
