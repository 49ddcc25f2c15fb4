import { describe, expect, test } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteError } from '../errors.ts';
import { fromRows } from '../linalg/index.ts';
import { scriptedRng as scripted } from '../../properties/support/scriptedRng.ts';
import { affineGuidanceFn, applyAffine, requireAffineDims, reverseMean, sampleReverse } from './reverseSampler.ts';
import { vpFromBetas } from './schedule.ts';

describe('DDPM reverse sampler (MATH.md §4)', () => {
  const schedule = vpFromBetas([0.1, 0.2]);

  test('μ_t(x) = (x + (1 − α_t) g)/√α_t', () => {
    const mu = reverseMean(schedule, 2, Float64Array.from([1, -1]), Float64Array.from([0.5, 2]));
    expect(mu[0]).toBeCloseTo((1 + 0.2 * 0.5) / Math.sqrt(0.8), 14);
    expect(mu[1]).toBeCloseTo((-1 + 0.2 * 2) / Math.sqrt(0.8), 14);
    expect(() => reverseMean(schedule, 2, new Float64Array(2), new Float64Array(3))).toThrow(DimensionMismatchError);
  });

  test('one path with scripted normals equals the two steps written out (σ² = β)', () => {
    const g = (x: Float64Array, t: number) => x.map((v) => -t * v); // any guidance
    // fillNormal(x_T) consumes 1 value (d = 1), then one z per step
    const rng = scripted([0.9, -0.4, 1.1]);
    const [got] = sampleReverse(schedule, g, { variance: 'beta', dim: 1, samples: 1, rng });
    const x2 = 0.9;
    const x1 = (x2 + 0.2 * (-2 * x2)) / Math.sqrt(0.8) + Math.sqrt(0.2) * -0.4;
    const x0 = (x1 + 0.1 * (-1 * x1)) / Math.sqrt(0.9) + Math.sqrt(0.1) * 1.1;
    expect(got).toBeCloseTo(x0, 13);
  });

  test('affine guidance g(x) = Ax + b; dimension and finiteness checks name the field', () => {
    const map = { A: fromRows([[1, 2], [0, -1]]), b: Float64Array.from([0.5, 1]) };
    expect(Array.from(applyAffine(map, [1, 1]))).toEqual([3.5, 0]);
    expect(Array.from(affineGuidanceFn(() => map)(Float64Array.from([2, 0]), 1))).toEqual([2.5, 1]);
    expect(() => requireAffineDims(map, 2, 'g')).not.toThrow();
    expect(() => requireAffineDims(map, 3, 'g')).toThrow(/g\.A/);
    expect(() => requireAffineDims({ A: map.A, b: Float64Array.from([1]) }, 2, 'g')).toThrow(/g\.b/);
    expect(() => requireAffineDims({ A: fromRows([[1, Number.NaN], [0, 1]]), b: map.b }, 2, 'g')).toThrow(InvalidArgumentError);
    expect(() => requireAffineDims({ A: fromRows([[1, Number.NaN], [0, 1]]), b: map.b }, 2, 'g')).toThrow('g.A: entries must be finite (got NaN)');
  });

  test('a non-finite iterate names the draw and coordinate; dim and samples have minimum 1', () => {
    const rng = scripted([1]);
    expect(() => sampleReverse(schedule, (x) => x.map((_, i) => (i === 1 ? Number.NaN : 0)), { variance: 'seed', dim: 2, samples: 1, rng })).toThrow(NonFiniteError);
    expect(() => sampleReverse(schedule, (x) => x.map((_, i) => (i === 1 ? Number.NaN : 0)), { variance: 'seed', dim: 2, samples: 1, rng })).toThrow('sampleReverse.x0[0][1]');
    expect(sampleReverse(schedule, (x) => x.map(() => 0), { variance: 'posterior', dim: 1, samples: 1, rng }).length).toBe(1);
    expect(() => sampleReverse(schedule, (x) => x, { variance: 'beta', dim: 0, samples: 1, rng })).toThrow(/sampleReverse\.dim/);
    expect(() => sampleReverse(schedule, (x) => x, { variance: 'beta', dim: 1, samples: 0, rng })).toThrow(/sampleReverse\.samples/);
    expect(sampleReverse(schedule, (x) => x.map(() => 0), { variance: 'beta', dim: 2, samples: 3, rng }).length).toBe(6);
  });
});
