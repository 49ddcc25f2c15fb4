import fc from 'fast-check';
import { expectedPosterior } from '../oracle.ts';
import { readBatch, readVector } from '../responseShape.ts';
import { MAX_CASE_DIM, batchOf, caseCoordinates, cut, simpleVector, timestep } from './caseArbitraries.ts';
import { type SubjectCheck, rows } from './checkDefinition.ts';
import { compareRounded } from './roundedComparison.ts';
import { posteriorCoefficients } from '../../diffusion/posterior.ts';

export interface PosteriorCase {
  readonly d: number;
  readonly samples: readonly { x0: number[]; xt: number[]; t: number }[];
}

/**
 * q(x_{t−1}|x_t, x_0) = N(c0 x_0 + ct x_t, β̃_t I), c0 = √ᾱ_{t−1}β_t/(1−ᾱ_t),
 * ct = √α_t(1−ᾱ_{t−1})/(1−ᾱ_t), β̃_t = (1−ᾱ_{t−1})β_t/(1−ᾱ_t) (Ho et al. eq. 7), t ≥ 2.
 */
export const posteriorCheck: SubjectCheck<PosteriorCase> = {
  id: 'posterior.exact',
  op: 'posterior',
  title: 'posterior q(x_{t−1}|x_t,x_0): mean and variance β̃_t',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  unavailable: (ctx) => (ctx.schedule.schedule.T < 2 ? 'schedule has T = 1: no t ≥ 2' : undefined),
  cases: (ctx) =>
    fc
      .record({ coords: caseCoordinates(), samples: batchOf(fc.record({ x0: simpleVector(MAX_CASE_DIM), xt: simpleVector(MAX_CASE_DIM), t: timestep(ctx.schedule.schedule.T, 2) })) })
      .map(({ coords, samples }) => ({ d: coords.length, samples: samples.map((s) => ({ x0: cut(s.x0, coords), xt: cut(s.xt, coords), t: s.t })) })),
  async run(ctx, c) {
    const { schedule, toSubject } = ctx.schedule;
    const args = { x0: c.samples.map((s) => s.x0), xt: c.samples.map((s) => s.xt), t: c.samples.map((s) => toSubject(s.t)) };
    const { id, result } = await ctx.subject.call('posterior', args);
    const ref = { op: 'posterior', requestId: id };
    const mean = readBatch(result, ref, 'mean', c.samples.length, c.d);
    const variance = readVector(result, ref, 'variance', c.samples.length);
    const exp = c.samples.map((s) => expectedPosterior(schedule, s.t, s.xt, s.x0));
    const scale = c.samples.map((s) => {
      const k = posteriorCoefficients(schedule, s.t);
      return s.x0.map((v, j) => Math.abs(k.coefX0 * v) + Math.abs(k.coefXt * s.xt[j]));
    });
    // Tolerances from the rounding model of the declared tensor and coefficient precisions (MATH.md §7.1).
    const m = compareRounded(
      c.samples.map((s, n) => ({ got: mean[n], expected: exp[n].mean, scale: scale[n], t: s.t, recompute: (sch) => expectedPosterior(sch, s.t, s.xt, s.x0).mean })),
      schedule, ctx.hello, c.d,
    );
    const v = compareRounded(
      c.samples.map((s, n) => ({ got: [variance[n]], expected: [exp[n].variance], scale: [exp[n].variance], t: s.t, recompute: (sch) => [expectedPosterior(sch, s.t, s.xt, s.x0).variance] })),
      schedule, ctx.hello, 1,
    );
    const ok = m.ok && v.ok;
    const worst = v.margin > m.margin ? v : m;
    const varianceNote = () => {
      if (v.roundingNote) return `variance at sample ${v.at[0]}: ${v.roundingNote}`;
      const n = v.at[0], beta = schedule.beta(c.samples[n].t), got = variance[n];
      const isBeta = Math.abs(got - beta) <= 1e-3 * beta;
      return `variance wrong at sample ${n}: got ${got}, β̃_t = ${exp[n].variance}${isBeta ? ` — it is β_t = ${beta} (β where β̃ belongs)` : ` (β_t = ${beta})`}`;
    };
    return {
      holds: ok,
      float32Multiple: worst.float32Multiple,
      requestId: id,
      op: 'posterior',
      inputs: args,
      expected: { mean: rows(exp.map((e) => e.mean)), variance: exp.map((e) => e.variance) },
      got: { mean: rows(mean), variance: Array.from(variance) },
      maxError: worst.maxError,
      tolerance: worst.tolerance,
      margin: worst.margin,
      note: ok ? undefined : !v.ok ? varianceNote() : `mean wrong at sample ${m.at[0]}, coordinate ${m.at[1]}${m.roundingNote ? `: ${m.roundingNote}` : ''}`,
    };
  },
  size: (c) => ({ d: c.d, batch: c.samples.length }),
};
