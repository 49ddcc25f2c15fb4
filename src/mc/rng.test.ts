import { describe, expect, it } from 'vitest';
import { createRng } from './rng.ts';
import { estimateFromSamples } from './estimate.ts';
import { normalQuantile } from './normalQuantile.ts';
import { criticalZ } from './tolerance.ts';

describe('rng', () => {
  it('is replayable from its seed', () => {
    const a = createRng('s1').fillNormal(new Float64Array(101));
    const b = createRng('s1').fillNormal(new Float64Array(101));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(createRng('s2').normal()).not.toBe(a[0]);
  });
  it('draws standard normals: mean and variance within exact 1e-9 false-alarm bounds', () => {
    const n = 200_000;
    const xs = createRng('normal-check').fillNormal(new Float64Array(n));
    const e = estimateFromSamples(xs);
    const z = criticalZ(1e-9);
    // Var of the mean = 1/n; Var of x² = 2, so Var of the mean of x² = 2/n.
    expect(Math.abs(e.mean)).toBeLessThan(z * Math.sqrt(1 / n));
    const sq = estimateFromSamples(xs.map((x) => x * x));
    expect(Math.abs(sq.mean - 1)).toBeLessThan(z * Math.sqrt(2 / n));
  });
});

describe('normalQuantile', () => {
  it('matches known quantiles', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    expect(normalQuantile(0.5)).toBe(0);
  });
});
