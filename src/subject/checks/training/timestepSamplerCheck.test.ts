import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import type { CheckEnv } from '../../../engine/property.ts';
import { ModuleSubject } from '../../moduleSubject.ts';
import { RTOL } from '../../subjectChecks.ts';
import { fetchSchedule } from '../../subjectSchedule.ts';
import type { CheckContext } from '../checkDefinition.ts';
import { timestepSamplerCheck } from './timestepSamplerCheck.ts';

/*
 * timestep_sampler.distribution's support test on a declared importance sampler whose first step
 * has weight 0 (allowed: weights ≥ 0, not all 0). A correct inverse-CDF sampler over the declared
 * p_k = w_k / Σw holds; the same sampler with ONE draw moved onto the zero-probability step 0 (a
 * step inside 0…T−1, so only p_k > 0 excludes it), or past the table's end, fails — a 1/n change of
 * the empirical CDF that the DKW test alone cannot see — and the note names that draw.
 */
const env: CheckEnv = { falseAlarm: 1e-6, replicate: 0 };
const WEIGHTS = [0, 1, 2, 1, 1, 1, 1, 1, 1, 1];
const T = WEIGHTS.length;
const P = WEIGHTS.map((w) => w / WEIGHTS.reduce((a, b) => a + b, 0));

function importanceSampler({ n, seed }: { n: number; seed: number }) {
  const rng = seedrandom(`importance-${seed}`);
  const t = Array.from({ length: n }, () => {
    let r = rng(), k = 0;
    while (k < T - 1 && (P[k] === 0 || r >= P[k])) { r -= P[k]; k++; }
    return k;
  });
  return { t, weights: t.map((k) => 1 / (T * P[k])), probabilities: P };
}

async function contextFor(patch: (r: { t: number[]; weights: number[] }) => void = () => undefined): Promise<CheckContext> {
  const subject = await ModuleSubject.fromObject({
    hello: { protocol_version: 1, name: 'importance sampler', ops: { schedule: {}, timestep_sampler: { kind: 'importance', weights: WEIGHTS } } },
    schedule: () => ({ alpha_bar: Array.from({ length: T }, (_, i) => Math.cos(((i + 1) / (T + 1)) * (Math.PI / 2)) ** 2), t_base: 0 }),
    timestep_sampler: (args: { n: number; seed: number }) => {
      const r = importanceSampler(args);
      patch(r);
      return r;
    },
  }, 'importance sampler');
  return { subject, hello: subject.hello, schedule: await fetchSchedule(subject), rtol: RTOL.float64 };
}

describe('timestep_sampler.distribution: draws outside the declared support', () => {
  it('a correct sampler of an importance law with a zero weight holds', async () => {
    const o = await timestepSamplerCheck.run(await contextFor(), { seed: 5, historySeed: 1 }, env);
    expect(o.holds).toBe(true);
    expect((o.got as { outOfSupport: number }).outOfSupport).toBe(0);
    // T ≤ 16: the report lists the declared probabilities w_k / Σw
    expect(o.expected).toEqual({ law: 'importance', probabilities: P });
  });

  for (const [label, bad] of [['the zero-probability step 0', 0], ['step T (past the table)', T], ['a non-integer step', 2.5]] as const) {
    it(`one draw on ${label} fails, named in the note`, async () => {
      const o = await timestepSamplerCheck.run(await contextFor((r) => { r.t[7] = bad; r.weights[7] = 1; }), { seed: 5, historySeed: 1 }, env);
      expect(o.holds).toBe(false);
      expect(o.maxError).toBeLessThan(o.tolerance!); // the DKW distance alone would not reject
      expect((o.got as { outOfSupport: number }).outOfSupport).toBe(1);
      expect(o.margin).toBe(20);
      expect(o.note).toBe(`1 draws outside the declared support (e.g. ${bad})`);
    });
  }
});
