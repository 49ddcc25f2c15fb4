import { describe, expect, test } from 'vitest';
import { vpFromBetas } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { fromRows } from '../linalg/index.ts';
import { ddpmDecomposition, expectedDdpmDecomposition } from './ddpmDecomposition.ts';

/* MATH.md §3: the decomposition is an identity — its total is log q(x_0), its average −H(q). */
const klScalar = (m1: number, v1: number, m2: number, v2: number) => 0.5 * (Math.log(v2 / v1) + (v1 + (m1 - m2) ** 2) / v2 - 1);

describe('exact DDPM decomposition of log q(x_0) for Gaussian data', () => {
  const data = new Gaussian([0.5, -1], fromRows([[1.5, 0.6], [0.6, 0.8]]));
  test.each([[1], [2], [5]])('T = %i: total = log q(x_0) at points; average = −H(q); one KL per t ≥ 2, each ≥ 0', (T) => {
    const schedule = vpFromBetas(Array.from({ length: T }, (_, i) => 0.05 + 0.1 * i));
    for (const x0 of [[0.2, 0.3], [-2, 1.5]]) {
      const r = ddpmDecomposition(data, schedule, x0);
      expect(r.total).toBeCloseTo(data.logPdf(x0), 11);
      expect(r.total).toBeCloseTo(r.prior + r.reconstruction - r.klSum, 12);
      expect(r.kls.length).toBe(T - 1);
      expect(r.klSum).toBeCloseTo(r.kls.reduce((p, k) => p + k, 0), 14);
      r.kls.forEach((k) => expect(k).toBeGreaterThanOrEqual(0));
    }
    const e = expectedDdpmDecomposition(data, schedule);
    expect(e.total).toBeCloseTo(-0.5 * (2 * Math.log(2 * Math.PI * Math.E) + data.logDetCov()), 11);
  });

  test('1-d prior term = −KL(q(x_T|x_0) ‖ q(x_T)) by the scalar formula', () => {
    const d1 = new Gaussian([0.3], fromRows([[2]]));
    const schedule = vpFromBetas([0.2, 0.3]);
    const aT2 = 0.8 * 0.7, sT2 = 1 - aT2, x0 = 1.1;
    const r = ddpmDecomposition(d1, schedule, [x0]);
    expect(r.prior).toBeCloseTo(-klScalar(Math.sqrt(aT2) * x0, sT2, Math.sqrt(aT2) * 0.3, aT2 * 2 + sT2), 13);
    // the KL at t = 2: q(x_1|x_2, x_0) against q(x_1|x_2), averaged over x_2|x_0 — only its sign and the identity above are used
    expect(r.kls[0]).toBeGreaterThan(0);
  });

  test('validation: x_0 finite and of the data dimension', () => {
    const schedule = vpFromBetas([0.2]);
    expect(() => ddpmDecomposition(data, schedule, [1])).toThrow(DimensionMismatchError);
    expect(() => ddpmDecomposition(data, schedule, [1, Number.NaN])).toThrow(InvalidArgumentError);
  });
});
