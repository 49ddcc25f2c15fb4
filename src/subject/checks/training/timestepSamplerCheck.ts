import fc from 'fast-check';
import { mcSeed } from '../../../arbitraries/seed.ts';
import { createRng } from '../../../mc/rng.ts';
import { dkwTestContinuous, dkwTestDiscrete, minNumSamplesDkw } from '../../../mc/dkwTest.ts';
import { unitRoundoff } from '../../../numerics/roundingArithmetic.ts';
import {
  type LossObservation, type TimestepSamplerSpec, continuousCdf, discreteProbabilities, isDiscreteSampler, requireTimestepSampler,
} from '../../../theory/timestepDistribution.ts';
import { readVector } from '../../responseShape.ts';
import { subjectPrecision } from '../../roundingTolerance.ts';
import type { SubjectCheck } from '../checkDefinition.ts';
import type { Detectable } from '../../../engine/outcome.ts';

/** The sup-CDF distance the test is sized to detect at 99 % power (a 0.1-std location shift of a normal moves the CDF by 0.04). */
export const SAMPLER_DETECTABLE = 0.04;

/** The engine's Detectable for a DKW test: sup-CDF distance, which is already relative (a probability). */
export function dkwDetectable(d: number): Detectable {
  return { absolute: d, relative: d, power: 0.99, target: SAMPLER_DETECTABLE, met: d <= SAMPLER_DETECTABLE };
}

export interface SamplerCase {
  readonly seed: number;
  /** Seed of the loss history sent to loss-aware samplers. */
  readonly historySeed: number;
}

/**
 * A loss history for loss-aware samplers: every step warmed up with H losses whose scale varies with
 * the step (so the declared probabilities are far from uniform), in a seeded order.
 */
export function lossHistory(T: number, H: number, seed: number): LossObservation[] {
  const rng = createRng(seed);
  const out: LossObservation[] = [];
  for (let h = 0; h < H; h++) for (let t = 0; t < T; t++) out.push({ t, loss: (1 + 3 * ((t * 7919) % T) / T) * Math.abs(rng.normal()) + 1e-3 });
  return out;
}

/**
 * timestep_sampler(n, seed[, history]) draws n timesteps (or continuous t / σ) with the declared law
 * (MATH.md §7.5). Discrete: every draw in the support, the returned probabilities equal the declared
 * rule (for loss_second_moment, applied to the history sent), the importance weights are 1/(T p_t)
 * exactly, and the draws pass a DKW test; continuous: a DKW test against the declared CDF. n is sized so
 * a sup-CDF distance of 0.04 is detected with probability ≥ 99 % at the per-assertion false-alarm α.
 */
export const timestepSamplerCheck: SubjectCheck<SamplerCase> = {
  id: 'timestep_sampler.distribution',
  op: 'timestep_sampler',
  title: 'training timestep/σ draws follow the declared law (DKW, stated power); importance weights 1/(T p_t)',
  kind: 'statistical',
  assertionsPerCase: 1,
  defaultRuns: 3,
  cases: () => fc.record({ seed: mcSeed(), historySeed: mcSeed() }),
  async run(ctx, c, env) {
    const T = ctx.schedule.table.length; // training draws t over the whole table, the terminal step included
    const spec = requireTimestepSampler(ctx.hello.ops.timestep_sampler as TimestepSamplerSpec, T, 'ops.timestep_sampler');
    const n = minNumSamplesDkw(SAMPLER_DETECTABLE, env.falseAlarm);
    const history = spec.kind === 'loss_second_moment' ? lossHistory(T, spec.history_per_term ?? 10, c.historySeed) : undefined;
    const args = { n, seed: c.seed, ...(history ? { history: { t: history.map((o) => ctx.schedule.toSubject(o.t + 1)), loss: history.map((o) => o.loss) } } : {}) };
    // A saved statistical failure is confirmed on fresh draws (env.replicate changes the seeds).
    if (env.replicate > 0) Object.assign(args, { seed: c.seed + 1_000_003 * env.replicate });
    const { id, result } = await ctx.subject.call('timestep_sampler', args);
    const ref = { op: 'timestep_sampler', requestId: id };
    const draws = readVector(result, ref, 't', n);
    const base = { requestId: id, op: 'timestep_sampler' as const, inputs: { n, seed: c.seed, history: history ? `${history.length} losses` : undefined } };
    if (!isDiscreteSampler(spec)) {
      const r = dkwTestContinuous(draws, continuousCdf(spec), env.falseAlarm);
      return {
        ...base, holds: !r.rejected, maxError: r.distance, tolerance: r.critical, margin: r.distance / r.critical - 1,
        detectable: dkwDetectable(r.detectable), assertions: 1,
        expected: { law: spec }, got: { supDistance: r.distance, at: r.at },
        note: r.rejected ? `the draws' CDF is ${r.distance.toFixed(4)} from the declared one at ${r.at} (critical ${r.critical.toFixed(4)})` : undefined,
      };
    }
    const p = discreteProbabilities(spec, T, history);
    const k = Array.from(draws, (t) => t - ctx.schedule.tBase);
    const r = dkwTestDiscrete(k, p, env.falseAlarm);
    const u = Math.max(unitRoundoff(subjectPrecision(ctx.hello).tensors), unitRoundoff(subjectPrecision(ctx.hello).coefficients));
    const problems: string[] = [];
    let worstRel = 0;
    if (r.outOfSupport > 0) problems.push(`${r.outOfSupport} draws outside the declared support (e.g. ${Array.from(draws).find((t, i) => !(Number.isInteger(k[i]) && k[i] >= 0 && k[i] < T && p[k[i]] > 0))})`);
    const probs = (result as { probabilities?: unknown }).probabilities;
    if (probs !== undefined) {
      const got = readVector(result, ref, 'probabilities', T);
      // p is a normalized sum of T terms: relative rounding ≤ (T + 8)u of each entry. A zero-weight step's
      // probability is exactly 0 in any precision (a relative error there would be NaN and blind the rest).
      got.forEach((v, i) => { const rel = p[i] > 0 ? Math.abs(v - p[i]) / p[i] : v === 0 ? 0 : Infinity; worstRel = Math.max(worstRel, rel / ((T + 8) * u)); });
      if (worstRel > 1) problems.push(`returned probabilities differ from the declared rule by ${(worstRel * (T + 8) * u).toExponential(2)} relative`);
    }
    if (spec.kind !== 'uniform' || (result as { weights?: unknown }).weights !== undefined) {
      const w = readVector(result, ref, 'weights', n);
      let worst = 0, at = 0;
      w.forEach((v, i) => {
        if (!(Number.isInteger(k[i]) && k[i] >= 0 && k[i] < T)) return;
        const want = 1 / (T * p[k[i]]);
        const rel = Math.abs(v - want) / want / ((T + 8) * u);
        if (rel > worst) { worst = rel; at = i; }
      });
      if (worst > 1) problems.push(`importance weight of draw ${at} (t = ${draws[at]}) is ${w[at]}, 1/(T p_t) = ${1 / (T * p[k[at]])}`);
      worstRel = Math.max(worstRel, worst);
    }
    if (r.rejected && r.outOfSupport === 0) problems.push(`the draws' CDF is ${r.distance.toFixed(4)} from the declared one at step ${r.at} (critical ${r.critical.toFixed(4)})`);
    const ok = problems.length === 0;
    return {
      ...base, holds: ok, maxError: r.distance, tolerance: r.critical,
      margin: Math.min(20, Math.max(r.distance / r.critical - 1, worstRel > 0 ? Math.log10(worstRel) : -20, r.outOfSupport > 0 ? 20 : -20)),
      detectable: dkwDetectable(r.detectable), assertions: 1,
      expected: { law: spec.kind, probabilities: p.length <= 16 ? Array.from(p) : `${T} probabilities` },
      got: { supDistance: r.distance, outOfSupport: r.outOfSupport },
      note: ok ? undefined : problems.join('; '),
    };
  },
  size: () => ({ d: 0, batch: 1 }),
};
