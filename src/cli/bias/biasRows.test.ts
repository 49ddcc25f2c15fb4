import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { gaussian } from '../../arbitraries/gaussian.ts';
import { linearSchedule, cosineSchedule } from '../../diffusion/schedule.ts';
import { fromRows } from '../../linalg/index.ts';
import { type BiasRow, biasRows } from './biasRows.ts';
import type { BiasSetting } from './biasSpec.ts';
import { parseBiasSpec } from './biasSpec.ts';
import { parseSamplesCsv, sampleMeanAndCovariance } from './csvSamples.ts';

const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-300);
const TOL = 1e-9; // closed forms against each other: floating-point agreement

const setting = fc
  .record({
    data: gaussian({ maxDim: 4, maxConditionNumber: 1e3 }),
    T: fc.integer({ min: 1, max: 60 }),
    cosine: fc.boolean(),
    withEncoder: fc.boolean(),
    tau: fc.double({ min: 0.05, max: 5, noNaN: true }),
    bSeed: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 16, maxLength: 16 }),
  })
  .map((c): BiasSetting => {
    const d = c.data.dim;
    const schedule = c.cosine ? cosineSchedule(c.T) : linearSchedule(c.T);
    const k = 1 + (c.bSeed.length % d);
    const B = fromRows(Array.from({ length: k }, (_, i) => Array.from({ length: d }, (_, j) => c.bSeed[(i * d + j) % 16])));
    return {
      data: c.data,
      dataSource: { kind: 'inline' },
      schedule,
      ...(c.withEncoder ? { encoder: { B, b: new Float64Array(k), tau: c.tau } } : {}),
      timesteps: Array.from({ length: c.T }, (_, i) => i + 1),
    };
  });

/** The identities a correct table satisfies (MATH.md §2). */
function consistent(s: BiasSetting, r: BiasRow): boolean {
  const d = s.data.dim;
  const dOverS2 = d / (r.s * r.s);
  return (
    // DSM(target) = ESM(target) + gap = C_t; DSM is a sum of terms of size d/s² that cancel, so compare relative to d/s².
    Math.abs(r.sds.dsmAtTarget - r.Ct) <= TOL * dOverS2 &&
    Math.abs(r.sds.dsmAtCollapse - r.sds.esmAtCollapse) <= TOL * dOverS2 && // the collapsed input has no gap
    rel(r.sds.scoreNormAtTarget + r.Ct, dOverS2) <= TOL &&
    rel(r.inputBiasTerm + r.inputBiasGap, dOverS2) <= TOL &&
    (s.encoder ? r.inputBiasGap <= r.Ct * (1 + TOL) && r.inputBiasGap >= 0 : rel(r.inputBiasGap, r.Ct) <= TOL) &&
    r.sds.dsmAtCollapse <= r.sds.dsmAtTarget * (1 + TOL)
  );
}

describe('bias calculator rows', () => {
  test.prop([setting], { numRuns: 60 })('satisfy DSM(target) = C_t, gap = d/s² − term, encoder gap ≤ C_t, DSM prefers the collapse', (s) => {
    for (const r of biasRows(s)) expect(consistent(s, r)).toBe(true);
  });

  it('negative control: a table with C_t computed from s instead of s² is rejected', () => {
    const s = fc.sample(setting, { seed: 5, numRuns: 1 })[0];
    const rows = biasRows(s).map((r) => ({ ...r, Ct: s.data.dim / r.s - r.sds.scoreNormAtTarget }));
    expect(rows.some((r) => !consistent(s, r))).toBe(true);
  });

  it('a known 1-d case: C_t = 1/s² − 1/(a²v + s²)', () => {
    const s = parseBiasSpec({ data: { mean: [0], cov: [[4]] }, schedule: { kind: 'alphaBars', alphaBars: [0.5] } }, 's.json', () => ({ path: '', text: '' }));
    const [r] = biasRows(s);
    expect(rel(r.Ct, 1 / 0.5 - 1 / (0.5 * 4 + 0.5))).toBeLessThan(1e-12);
  });
});

describe('samples CSV', () => {
  it('estimates the mean and the unbiased covariance; header, comments, semicolons', () => {
    const { samples, header } = parseSamplesCsv('# comment\nx;y\n1;2\n3;6\n\n5;4\n', 'a.csv');
    expect(header).toEqual(['x', 'y']);
    const { mean, cov } = sampleMeanAndCovariance(samples, 'a.csv');
    expect(Array.from(mean)).toEqual([3, 4]);
    expect(Array.from(cov.data)).toEqual([4, 2, 2, 4]);
  });

  it('names the line of a ragged row or a text cell, and refuses too few samples', () => {
    expect(() => parseSamplesCsv('1,2\n3,4,5\n', 'b.csv')).toThrow('b.csv:2: ragged row: 3 values, but line 1 has 2');
    expect(() => parseSamplesCsv('1,2\n3,x\n', 'b.csv')).toThrow('b.csv:2: column 2 is not a number: "x"');
    expect(() => parseSamplesCsv('1,2\n,4\n', 'b.csv')).toThrow('b.csv:2: column 1 is empty');
    expect(() => parseSamplesCsv('a,b\n', 'b.csv')).toThrow('no samples');
    expect(() => sampleMeanAndCovariance(parseSamplesCsv('1,2\n3,4\n', 'c.csv').samples, 'c.csv')).toThrow('need at least 3');
  });

  it('a spec with a CSV of collinear samples is a non-SPD error naming the data', () => {
    const csv = '1,2\n2,4\n3,6\n4,8\n';
    expect(() => parseBiasSpec({ data: { samples: 'c.csv' }, schedule: { kind: 'linear', T: 3 } }, 's.json', () => ({ path: 'c.csv', text: csv }))).toThrow(/s\.json: data \(estimated from c\.csv\)\.cov: matrix is not symmetric positive definite/);
  });
});
