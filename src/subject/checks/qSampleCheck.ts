import fc from 'fast-check';
import { mcSeed } from '../../arbitraries/seed.ts';
import { meanTestOutcome } from '../../engine/outcome.ts';
import { assertMeanEqual, minNumSamplesMean } from '../../mc/meanTest.ts';
import { levelAt } from '../oracle.ts';
import { readBatch } from '../responseShape.ts';
import { MAX_CASE_DIM, caseCoordinates, cut, simpleVector, timestep } from './caseArbitraries.ts';
import type { SubjectCheck } from './checkDefinition.ts';

/**
 * Smallest error each test must detect with power 0.99, in units of the noise: a shift of
 * the standardized residuals' mean by 0.1 (10 % of the noise scale) and a change of their
 * second moment by 0.1 (a noise variance off by 10 %; a std off by ≈ 5 %).
 */
export const Q_SAMPLE_DETECTABLE = 0.1;

export interface QSampleCase {
  readonly d: number;
  readonly x0: number[];
  readonly t: number;
  readonly seed: number;
}

/** Rows to request so that n·d standardized residuals reach the stated power (variance 2 for the second moment). */
export function qSampleRows(d: number, falseAlarm: number): number {
  return Math.ceil(minNumSamplesMean(2, Q_SAMPLE_DETECTABLE, falseAlarm) / d);
}

/**
 * The subject draws its own noise: x_t ~ q(x_t|x_0) = N(√ᾱ x_0, (1−ᾱ) I) (MATH.md §1).
 * With N = n·d standardized residuals r = (x_t − √ᾱ x_0)/√(1−ᾱ), iid N(0, 1) under the
 * claim, two mean tests with exact variances (no estimated SE): mean(r) = 0 (Var 1/N) and
 * mean(r²) = 1 (Var 2/N), N sized so that each detects 0.1 at power 0.99.
 */
export const qSampleCheck: SubjectCheck<QSampleCase> = {
  id: 'q_sample.distribution',
  op: 'q_sample',
  title: 'forward noising with the subject’s own noise ~ N(√ᾱ x0, (1−ᾱ) I)',
  kind: 'statistical',
  assertionsPerCase: 2,
  defaultRuns: 6,
  cases: (ctx) =>
    fc
      .record({ coords: caseCoordinates(), x0: simpleVector(MAX_CASE_DIM), t: timestep(ctx.schedule.schedule.T), seed: mcSeed() })
      .map(({ coords, ...c }) => ({ ...c, d: coords.length, x0: cut(c.x0, coords) })),
  async run(ctx, c, env) {
    const { schedule, toSubject } = ctx.schedule;
    const n = qSampleRows(c.d, env.falseAlarm);
    // A fresh replicate asks the subject for fresh draws.
    const seed = env.replicate === 0 ? c.seed : c.seed + 1_000_003 * env.replicate;
    const args = { x0: Array.from({ length: n }, () => c.x0), t: Array.from({ length: n }, () => toSubject(c.t)), seed };
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
    const mean = assertMeanEqual({ mean: sum / N, stderr: Math.sqrt(1 / N), n: N }, 0, { falseAlarm: env.falseAlarm, stderrEstimated: false });
    const second = assertMeanEqual({ mean: sumSq / N, stderr: Math.sqrt(2 / N), n: N }, 1, { falseAlarm: env.falseAlarm, stderrEstimated: false });
    const worst = Math.abs(mean.z) / mean.critical >= Math.abs(second.z) / second.critical ? mean : second;
    const ok = mean.holds && second.holds;
    return {
      ...meanTestOutcome({ ...worst, holds: ok }, { scale: 1, samples: N, target: Q_SAMPLE_DETECTABLE, metric: worst === mean ? '|mean residual|' : '|mean residual² − 1|' }),
      assertions: 2,
      requestId: id,
      op: 'q_sample',
      inputs: { x0: `${n} copies of ${JSON.stringify(c.x0)}`, t: toSubject(c.t), seed },
      expected: { residualMean: 0, residualSecondMoment: 1, alphaBar: a * a },
      got: { residualMean: sum / N, residualSecondMoment: sumSq / N, draws: N },
      ...(ok ? {} : { note: `standardized residuals (x_t − √ᾱ x0)/√(1−ᾱ) are not N(0,1): z(mean) = ${mean.z.toFixed(2)}, z(second moment) = ${second.z.toFixed(2)}, critical ${mean.critical.toFixed(2)}` }),
    };
  },
  size: (c) => ({ d: c.d }),
};
