import fc from 'fast-check';
import { mcSeed } from '../../arbitraries/seed.ts';
import { criticalZ } from '../../mc/tolerance.ts';
import { levelAt } from '../oracle.ts';
import { readBatch } from '../responseShape.ts';
import { MAX_CASE_DIM, caseCoordinates, cut, simpleVector, timestep } from './caseArbitraries.ts';
import type { CheckDefinition } from './checkDefinition.ts';

/** Draws per case; with d ≥ 1 at least this many standardized residuals. */
export const Q_SAMPLE_DRAWS = 1000;

export interface QSampleCase {
  readonly d: number;
  readonly x0: number[];
  readonly t: number;
  readonly seed: number;
}

/**
 * The subject draws its own noise: x_t ~ q(x_t|x_0) = N(√ᾱ x_0, (1−ᾱ) I) (MATH.md §1).
 * With N = n·d standardized residuals r = (x_t − √ᾱ x_0)/√(1−ᾱ), iid N(0, 1) under the
 * claim, two z-tests with exact variances: mean(r) (Var 1/N) and mean(r²) − 1 (Var 2/N).
 */
export const qSampleCheck: CheckDefinition<QSampleCase> = {
  id: 'q_sample.distribution',
  op: 'q_sample',
  title: 'forward noising with the subject’s own noise ~ N(√ᾱ x0, (1−ᾱ) I)',
  kind: 'statistical',
  assertionsPerRun: 2,
  cases: (ctx) =>
    fc
      .record({ coords: caseCoordinates(), x0: simpleVector(MAX_CASE_DIM), t: timestep(ctx.schedule.schedule.T), seed: mcSeed() })
      .map(({ coords, ...c }) => ({ ...c, d: coords.length, x0: cut(c.x0, coords) })),
  async run(ctx, c) {
    const { schedule, toSubject } = ctx.schedule;
    const n = Q_SAMPLE_DRAWS;
    const args = { x0: Array.from({ length: n }, () => c.x0), t: Array.from({ length: n }, () => toSubject(c.t)), seed: c.seed };
    const { id, result } = await ctx.subject.call('q_sample', args);
    const xt = readBatch(result, { op: 'q_sample', requestId: id }, 'xt', n, c.d);
    const { a, s } = levelAt(schedule, c.t);
    let sum = 0, sumSq = 0;
    for (const row of xt) {
      for (let j = 0; j < c.d; j++) {
        const r = (row[j] - a * c.x0[j]) / s;
        sum += r;
        sumSq += r * r;
      }
    }
    const N = n * c.d;
    const zMean = (sum / N) / Math.sqrt(1 / N);
    const zVar = (sumSq / N - 1) / Math.sqrt(2 / N);
    const zc = criticalZ(ctx.falseAlarm);
    const worst = Math.abs(zMean) >= Math.abs(zVar) ? zMean : zVar;
    const ok = Math.abs(zMean) <= zc && Math.abs(zVar) <= zc;
    return {
      ok,
      requestId: id,
      op: 'q_sample',
      inputs: { x0: `${n} copies of ${JSON.stringify(c.x0)}`, t: toSubject(c.t), seed: c.seed },
      expected: { residualMean: 0, residualSecondMoment: 1, alphaBar: a * a },
      got: { residualMean: sum / N, residualSecondMoment: sumSq / N, draws: N },
      z: worst,
      zCritical: zc,
      maxError: Math.abs(worst),
      tolerance: zc,
      note: ok ? undefined : `standardized residuals (x_t − √ᾱ x0)/√(1−ᾱ) are not N(0,1): z(mean) = ${zMean.toFixed(2)}, z(second moment) = ${zVar.toFixed(2)}, critical ${zc.toFixed(2)}`,
    };
  },
  size: (c) => ({ d: c.d, batch: Q_SAMPLE_DRAWS }),
};
