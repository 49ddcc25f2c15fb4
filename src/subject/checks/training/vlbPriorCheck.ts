import fc from 'fast-check';
import { readVector } from '../../responseShape.ts';
import { subjectPrecision } from '../../roundingTolerance.ts';
import { expectedVlbPrior } from '../../trainingOracle.ts';
import { batchOf, caseCoordinates, cut } from '../caseArbitraries.ts';
import type { SubjectCheck } from '../checkDefinition.ts';
import { compareExpected } from './compareExpected.ts';
import { eightBitVector } from './trainingCaseArbitraries.ts';

export interface VlbPriorCase {
  readonly d: number;
  readonly x0: readonly number[][];
}

/** vlb_prior = KL(q(x_T|x_0) ‖ N(0, I)) (improved-diffusion `_prior_bpd`), exact (MATH.md §7.3). */
export const vlbPriorCheck: SubjectCheck<VlbPriorCase> = {
  id: 'vlb_prior.exact',
  op: 'vlb_prior',
  title: 'prior term L_T = KL(q(x_T|x_0) ‖ N(0, I))',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  unavailable: (ctx) => (ctx.schedule.zeroTerminalSnr ? 'zero terminal SNR: ᾱ_T = 0, so the prior term KL(q(x_T|x_0) ‖ N(0, I)) is exactly 0 — nothing to compare' : undefined),
  cases: () => fc.record({ coords: caseCoordinates(), x0: batchOf(eightBitVector()) }).map(({ coords, x0 }) => ({ d: coords.length, x0: x0.map((x) => cut(x, coords)) })),
  async run(ctx, c) {
    const units = ctx.hello.ops.vlb_prior!.units;
    const { id, result } = await ctx.subject.call('vlb_prior', { x0: c.x0 });
    const got = readVector(result, { op: 'vlb_prior', requestId: id }, 'prior', c.x0.length);
    const exp = expectedVlbPrior(ctx.schedule.schedule, units, c.x0, subjectPrecision(ctx.hello));
    const cmp = compareExpected([got], [exp]);
    return {
      holds: cmp.ok, requestId: id, op: 'vlb_prior', inputs: { x0: c.x0 },
      expected: { prior: Array.from(exp.value) }, got: { prior: Array.from(got) },
      maxError: cmp.maxError, tolerance: cmp.tolerance, margin: cmp.margin,
      note: cmp.ok ? undefined : `sample ${cmp.at[1]}: ᾱ_T = ${ctx.schedule.schedule.alphaBar(ctx.schedule.schedule.T)}, units ${units}`,
    };
  },
  size: (c) => ({ d: c.d, batch: c.x0.length }),
};
