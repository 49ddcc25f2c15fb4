import fc from 'fast-check';
import { describeNamedSchedule } from '../../../diffusion/namedSchedules.ts';
import { diagnoseSchedule } from '../../../diffusion/scheduleDiagnosis.ts';
import { subjectPrecision } from '../../roundingTolerance.ts';
import type { SubjectCheck } from '../checkDefinition.ts';

/**
 * The subject's ᾱ table is the schedule it names (ops.schedule.named), rebuilt independently in
 * float64, within the running error bound of the same construction in the declared coefficient
 * precision (MATH.md §7.2). A difference only a coarser precision explains is reported as rounding;
 * a real difference names the nearest alternative (refitted family, shifted table, respacing variant).
 */
export const scheduleNamedCheck: SubjectCheck<null> = {
  id: 'schedule.named',
  op: 'schedule',
  title: 'schedule table = the named schedule, within the rounding of the declared coefficient precision',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 1, // one deterministic case: the table
  unavailable: (ctx) => (ctx.hello.ops.schedule?.named ? undefined : 'no named schedule declared (ops.schedule.named)'),
  cases: () => fc.constant(null),
  async run(ctx) {
    const spec = ctx.hello.ops.schedule!.named!;
    const prec = subjectPrecision(ctx.hello);
    const table = ctx.schedule.table; // as reported: a zero-terminal-SNR table keeps its last ᾱ = 0
    const dx = diagnoseSchedule(table, spec, 'alpha_bar', prec.coefficients);
    const ok = dx.verdict.kind === 'match';
    const worst = 'worstIndex' in dx.verdict ? dx.verdict.worstIndex : 0;
    return {
      holds: ok,
      requestId: ctx.schedule.requestId,
      op: 'schedule',
      inputs: { named: describeNamedSchedule(spec), coefficient_precision: prec.coefficients },
      expected: { verdict: 'match' },
      got: { verdict: dx.verdict.kind, ...(dx.verdict.kind === 'length' ? { entries: dx.verdict.got } : { entry: worst, value: table[worst] }) },
      maxError: 'maxRelativeError' in dx.verdict ? dx.verdict.maxRelativeError : undefined,
      margin: dx.margin,
      note: dx.message,
    };
  },
  size: () => ({ d: 0, batch: 1 }),
};
