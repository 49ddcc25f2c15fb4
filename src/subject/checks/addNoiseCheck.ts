import fc from 'fast-check';
import { expectedAddNoise, levelAt } from '../oracle.ts';
import { readBatch } from '../responseShape.ts';
import { MAX_CASE_DIM, batchOf, caseCoordinates, cut, simpleVector, timestep } from './caseArbitraries.ts';
import { type SubjectCheck, rows } from './checkDefinition.ts';
import { compareRounded } from './roundedComparison.ts';


export interface AddNoiseCase {
  readonly d: number;
  readonly samples: readonly { x0: number[]; noise: number[]; t: number }[];
}

/** add_noise(x0, noise, t) = √ᾱ_t x0 + √(1−ᾱ_t) noise exactly (MATH.md §1), for the subject's own ᾱ table. */
export const addNoiseCheck: SubjectCheck<AddNoiseCase> = {
  id: 'add_noise.exact',
  op: 'add_noise',
  title: 'forward noising with supplied noise = √ᾱ x0 + √(1−ᾱ) ε',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  cases: (ctx) =>
    fc
      .record({ coords: caseCoordinates(), samples: batchOf(fc.record({ x0: simpleVector(MAX_CASE_DIM), noise: simpleVector(MAX_CASE_DIM), t: timestep(ctx.schedule.schedule.T) })) })
      .map(({ coords, samples }) => ({ d: coords.length, samples: samples.map((s) => ({ x0: cut(s.x0, coords), noise: cut(s.noise, coords), t: s.t })) })),
  async run(ctx, c) {
    const { schedule, toSubject } = ctx.schedule;
    const args = { x0: c.samples.map((s) => s.x0), noise: c.samples.map((s) => s.noise), t: c.samples.map((s) => toSubject(s.t)) };
    const { id, result } = await ctx.subject.call('add_noise', args);
    const got = readBatch(result, { op: 'add_noise', requestId: id }, 'xt', c.samples.length, c.d);
    const expected = c.samples.map((s) => expectedAddNoise(levelAt(schedule, s.t), s.x0, s.noise));
    const scale = c.samples.map((s) => {
      const { a, s: sd } = levelAt(schedule, s.t);
      return s.x0.map((v, j) => Math.abs(a * v) + Math.abs(sd * s.noise[j]));
    });
    // Tolerances from the rounding model of the declared tensor and coefficient precisions (MATH.md §7.1).
    const cmp = compareRounded(
      c.samples.map((s, n) => ({ got: got[n], expected: expected[n], scale: scale[n], t: s.t, recompute: (sch) => expectedAddNoise(levelAt(sch, s.t), s.x0, s.noise) })),
      schedule, ctx.hello, c.d,
    );
    return {
      holds: cmp.ok,
      float32Multiple: cmp.float32Multiple,
      requestId: id,
      op: 'add_noise',
      inputs: args,
      expected: { xt: rows(expected) },
      got: { xt: rows(got) },
      maxError: cmp.maxError,
      tolerance: cmp.tolerance,
      margin: cmp.margin,
      note: cmp.ok
        ? undefined
        : `worst at sample ${cmp.at[0]}, coordinate ${cmp.at[1]} (subject t = ${args.t[cmp.at[0]]}, ᾱ = ${schedule.alphaBar(c.samples[cmp.at[0]].t)})${cmp.roundingNote ? `: ${cmp.roundingNote}` : ''}`,
    };
  },
  size: (c) => ({ d: c.d, batch: c.samples.length }),
};
