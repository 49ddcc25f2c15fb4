import fc from 'fast-check';
import { mcSeed } from '../../../arbitraries/seed.ts';
import { dkwRadius, dkwTestContinuous, dkwTestDiscrete, minNumSamplesDkw } from '../../../mc/dkwTest.ts';
import { type FlowTimeLaw, flowTimeAtoms, flowTimeCdf } from '../../../theory/flowTimeLaw.ts';
import { readVector } from '../../responseShape.ts';
import { effectiveUnitRoundoff } from '../../roundingTolerance.ts';
import type { SubjectCheck } from '../checkDefinition.ts';
import { SAMPLER_DETECTABLE, dkwDetectable } from '../training/timestepSamplerCheck.ts';
import type { FlowCheckContext } from './flowCheckContext.ts';

/** P(t ≤ x) of a law, continuous or on its table's atoms (right-continuous step function). */
export function flowTimeLawCdf(law: FlowTimeLaw): (x: number) => number {
  if (!law.discretization) return (x) => flowTimeCdf(law, x);
  const { values, probabilities } = flowTimeAtoms(law);
  const cum = new Float64Array(values.length);
  let acc = 0;
  for (let i = 0; i < values.length; i++) cum[i] = acc += probabilities[i];
  return (x) => {
    let lo = 0, hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : cum[lo - 1];
  };
}

/** sup |F_n − F| over the sorted draws, F possibly discontinuous (its left limits taken just below each draw). */
export function supDistance(sorted: Float64Array, cdf: (x: number) => number): number {
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const x = sorted[i];
    const below = cdf(x - 1e-12 * Math.max(1, Math.abs(x)));
    d = Math.max(d, (i + 1) / n - cdf(x), below - i / n);
  }
  return d;
}

/** The laws real code draws by mistake instead of the declared one. */
export function flowTimeLawVariants(law: FlowTimeLaw): { label: string; law: FlowTimeLaw }[] {
  const out: { label: string; law: FlowTimeLaw }[] = [];
  const b = law.base;
  if (law.shift !== 1) {
    out.push({ label: `the shift applied twice (shift ${law.shift}² = ${law.shift ** 2})`, law: { ...law, shift: law.shift ** 2 } });
    out.push({ label: 'the shift not applied', law: { ...law, shift: 1 } });
    out.push({ label: `the inverse shift (1/${law.shift})`, law: { ...law, shift: 1 / law.shift } });
  }
  if (b.kind === 'logit_normal') {
    if (b.loc !== 0) out.push({ label: `the location's sign flipped (loc ${-b.loc}; e.g. indexing a descending timestep table)`, law: { ...law, base: { ...b, loc: -b.loc } } });
    if (b.loc !== 0) out.push({ label: 'the location ignored (loc 0)', law: { ...law, base: { ...b, loc: 0 } } });
    if (b.scale !== 1) out.push({ label: `the scale squared (variance passed as the standard deviation: ${b.scale ** 2})`, law: { ...law, base: { ...b, scale: b.scale ** 2 } } });
    if (b.scale !== 1) out.push({ label: `the square root of the scale (${Math.sqrt(b.scale)})`, law: { ...law, base: { ...b, scale: Math.sqrt(b.scale) } } });
    out.push({ label: 'a uniform base law', law: { ...law, base: { kind: 'uniform' } } });
  }
  if (b.kind === 'mode') out.push({ label: `the mode scale's sign flipped (${-b.scale})`, law: { ...law, base: { ...b, scale: -b.scale } } });
  if (b.kind === 'mode' || b.kind === 'cosmap') out.push({ label: 'a uniform base law', law: { ...law, base: { kind: 'uniform' } } });
  if (law.discretization) {
    const other = law.discretization.table === 'descending' ? 'ascending' : 'descending';
    out.push({ label: `the ${other} timestep table (declared ${law.discretization.table})`, law: { ...law, discretization: { ...law.discretization, table: other } } });
  }
  return out;
}

export interface FlowSamplerCase {
  readonly seed: number;
}

/**
 * flow_timestep_sampler(n, seed) draws n training times (the noise level σ = t of the rectified path)
 * from the declared law (MATH.md §19.6): base law (uniform, logit-normal, mode, cosmap), SD3 shift, and
 * optionally diffusers' table of num_train_timesteps values. Draws outside [0, 1] (or off the table)
 * reject outright; the rest is one DKW test sized so a sup-CDF distance of 0.04 is detected with
 * probability ≥ 99 % at the per-assertion α. On rejection the law the draws match is named.
 */
export const flowTimestepSamplerCheck: SubjectCheck<FlowSamplerCase, FlowCheckContext> = {
  id: 'flow_timestep_sampler.distribution',
  op: 'flow_timestep_sampler',
  title: 'flow-matching training times follow the declared law (logit-normal / mode / cosmap / uniform, shift, table; DKW, stated power)',
  kind: 'statistical',
  assertionsPerCase: 1,
  defaultRuns: 3,
  cases: () => fc.record({ seed: mcSeed() }),
  async run(ctx, c, env) {
    const law = ctx.hello.ops.flow_timestep_sampler as FlowTimeLaw;
    const n = minNumSamplesDkw(SAMPLER_DETECTABLE, env.falseAlarm);
    // A saved statistical failure is confirmed on fresh draws (env.replicate changes the seed).
    const seed = env.replicate > 0 ? c.seed + 1_000_003 * env.replicate : c.seed;
    const { id, result } = await ctx.subject.call('flow_timestep_sampler', { n, seed });
    const draws = readVector(result, { op: 'flow_timestep_sampler', requestId: id }, 't', n);
    const base = { requestId: id, op: 'flow_timestep_sampler' as const, inputs: { n, seed } };
    let outside = 0, example: number | undefined;
    let test: { distance: number; at: number; critical: number; detectable: number; rejected: boolean };
    if (!law.discretization) {
      for (const x of draws) if (!(x >= 0 && x <= 1)) { outside++; example ??= x; }
      test = dkwTestContinuous(draws, (x) => flowTimeCdf(law, x), env.falseAlarm);
    } else {
      const { values, probabilities } = flowTimeAtoms(law);
      const tol = 64 * effectiveUnitRoundoff(ctx.precision);
      const idx = Array.from(draws, (x) => {
        let best = -1, err = Infinity;
        let lo = 0, hi = values.length - 1;
        while (lo < hi) { const m = (lo + hi) >> 1; if (values[m] < x) lo = m + 1; else hi = m; }
        for (const k of [lo - 1, lo]) if (k >= 0 && k < values.length && Math.abs(values[k] - x) < err) { err = Math.abs(values[k] - x); best = k; }
        if (!(err <= tol * Math.max(values[best] ?? 1, 1e-3))) { outside++; example ??= x; return -1; }
        return best;
      });
      test = dkwTestDiscrete(idx, probabilities, env.falseAlarm);
    }
    const holds = outside === 0 && !test.rejected;
    let note: string | undefined;
    if (outside > 0) note = `${outside} draws outside the declared support (e.g. ${example}${law.discretization ? `: not a value of the ${law.discretization.numTrainTimesteps}-step table` : ''})`;
    else if (test.rejected) {
      const sorted = Float64Array.from(draws).sort();
      const critical = dkwRadius(n, env.falseAlarm);
      const match = flowTimeLawVariants(law).map((v) => ({ ...v, distance: supDistance(sorted, flowTimeLawCdf(v.law)) })).filter((v) => v.distance <= critical).sort((a, b) => a.distance - b.distance)[0];
      note = `the draws' CDF is ${test.distance.toFixed(4)} from the declared law (critical ${test.critical.toFixed(4)})${match ? `; they follow ${match.label} (distance ${match.distance.toFixed(4)})` : ''}`;
    }
    return {
      ...base, holds, maxError: test.distance, tolerance: test.critical,
      margin: outside > 0 ? 20 : test.distance / test.critical - 1,
      detectable: dkwDetectable(test.detectable), assertions: 1,
      expected: { law }, got: { supDistance: test.distance, at: test.at, outside },
      note,
    };
  },
  size: () => ({ d: 0, batch: 1 }),
};
