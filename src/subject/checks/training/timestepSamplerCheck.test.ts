import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import type { CheckEnv } from '../../../engine/property.ts';
import { ModuleSubject } from '../../moduleSubject.ts';
import { RTOL } from '../../subjectChecks.ts';
import { fetchSchedule } from '../../subjectSchedule.ts';
import type { CheckContext } from '../checkDefinition.ts';
import { discreteProbabilities } from '../../../theory/timestepDistribution.ts';
import { lossHistory, timestepSamplerCheck } from './timestepSamplerCheck.ts';

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

describe('timestep_sampler.distribution: importance weights', () => {
  it('weights 1/p_t instead of 1/(T p_t) fail, naming a draw and both values', async () => {
    const o = await timestepSamplerCheck.run(await contextFor((r) => { r.weights = r.t.map((k) => 1 / P[k]); }), { seed: 5, historySeed: 1 }, env);
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/^importance weight of draw 0 \(t = \d\) is \d+(\.\d+)?, 1\/\(T p_t\) = \d/);
  });
});

describe('timestep_sampler.distribution: returned probabilities against the declared rule', () => {
  // p is a normalized sum of T terms: a correct float64 subject may differ by (T + 8)u relative (u = 2⁻⁵³).
  const u = 2 ** -53;
  // (The declared law has p₀ = 0: before the fix its relative error 0/0 = NaN made Math.max blind to every entry.)
  for (const [rel, holds] of [[12 * u, true], [17 * u, true], [40 * u, false]] as const) {
    it(`probabilities off by ${rel / u}u relative (bound ${T + 8}u): ${holds ? 'holds' : 'fails, naming the difference'}`, async () => {
      const ctx = await contextFor();
      const subject = ctx.subject as unknown as { call: (op: string, a: unknown) => Promise<{ id: number; result: { probabilities: number[] } }> };
      const call = subject.call.bind(subject);
      subject.call = async (op, a) => {
        const r = await call(op, a);
        return { ...r, result: { ...r.result, probabilities: P.map((v) => v * (1 + rel)) } };
      };
      const o = await timestepSamplerCheck.run(ctx, { seed: 5, historySeed: 1 }, env);
      expect(o.holds, o.note).toBe(holds);
      if (!holds) expect(o.note).toMatch(/^returned probabilities differ from the declared rule by 4\.4\de-15 relative$/);
    });
  }

  it('a nonzero probability returned for the zero-weight step fails', async () => {
    const ctx = await contextFor();
    const subject = ctx.subject as unknown as { call: (op: string, a: unknown) => Promise<{ id: number; result: { probabilities: number[] } }> };
    const call = subject.call.bind(subject);
    subject.call = async (op, a) => {
      const r = await call(op, a);
      return { ...r, result: { ...r.result, probabilities: P.map((v, i) => (i === 0 ? 1e-300 : v)) } };
    };
    const o = await timestepSamplerCheck.run(ctx, { seed: 5, historySeed: 1 }, env);
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/^returned probabilities differ from the declared rule by Infinity relative$/);
  });
});

describe('lossHistory: the history sent to loss-aware samplers', () => {
  it('H losses per step, and step scales from 1 to ~4 so the declared probabilities are far from uniform (max/min ≈ 4)', () => {
    const T = 50, H = 400;
    const h = lossHistory(T, H, 3);
    expect(h).toHaveLength(T * H);
    const counts = new Array(T).fill(0);
    for (const o of h) counts[o.t]++;
    expect(counts.every((k) => k === H)).toBe(true);
    const p = discreteProbabilities({ kind: 'loss_second_moment', history_per_term: H, uniform_prob: 0 }, T, h);
    const ratio = Math.max(...p) / Math.min(...p);
    // E loss² ∝ scale² with scales spread over [1, 4): √(mean loss²) ratios ≈ 4 (H = 400 keeps the noise to a few %)
    expect(ratio).toBeGreaterThan(3.3);
    expect(ratio).toBeLessThan(4.8);
  });
});

