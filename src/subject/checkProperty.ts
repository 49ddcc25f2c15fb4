import fc from 'fast-check';
import type { Outcome } from '../engine/outcome.ts';
import type { Property } from '../engine/property.ts';
import type { CheckContext, SubjectCheck } from './checks/checkDefinition.ts';
import type { Subject } from './subject.ts';
import { InvalidResponseError, SubjectReplyError } from './subjectError.ts';
import { ScheduleInvalidError, type SubjectSchedule, fetchSchedule } from './subjectSchedule.ts';

/** Id of the schedule's validity check (run first: every other check uses the subject's ᾱ table). */
export const SCHEDULE_CHECK_ID = 'schedule.valid';

/**
 * A failing Outcome for an answer that cannot be compared: the subject replied with an
 * error for this input, or its result has the wrong shape or a non-finite number. Both are
 * failures of this case (shrunk like any other); a crash or a hang is not (it is fatal).
 */
export function unanswerable(e: SubjectReplyError | InvalidResponseError): Outcome {
  return { holds: false, margin: 1, requestId: e.ref.requestId, op: e.ref.op, note: e.message };
}

/** A subject check bound to a live subject: an engine Property. */
export function checkProperty<Case, Ctx = CheckContext>(def: SubjectCheck<Case, Ctx>, ctx: Ctx): Property<Case> {
  return {
    id: def.id,
    statement: def.title,
    expected: 'holds',
    defaultRuns: def.defaultRuns,
    assertionsPerCase: def.assertionsPerCase,
    // A statistical check draws thousands of samples per case: shrinking spends less.
    maxShrinks: def.kind === 'statistical' ? 60 : 400,
    cases: () => def.cases(ctx),
    async check(c, env) {
      try {
        return await def.run(ctx, c, env);
      } catch (e) {
        if (e instanceof SubjectReplyError || e instanceof InvalidResponseError) return unanswerable(e);
        throw e;
      }
    },
    size: (c) => def.size(c),
  };
}

/**
 * The schedule check as a Property with one case: the subject's ᾱ table is fetched and
 * validated (finite, in (0, 1), strictly decreasing; t_base ∈ {0, 1}); `onSchedule`
 * receives it for every other check.
 */
export function scheduleProperty(subject: Subject, onSchedule: (s: SubjectSchedule) => void): Property<number> {
  return {
    id: SCHEDULE_CHECK_ID,
    statement: 'schedule: ᾱ finite, in (0,1), strictly decreasing (the last may be 0: zero terminal SNR); t_base ∈ {0,1}',
    expected: 'holds',
    defaultRuns: 1,
    assertionsPerCase: 0,
    cases: () => fc.constant(0),
    async check() {
      try {
        const s = await fetchSchedule(subject);
        onSchedule(s);
        return { holds: true, margin: -1, requestId: s.requestId, op: 'schedule', note: `T = ${s.table.length}, t_base = ${s.tBase}, ᾱ from ${s.schedule.alphaBar(1)} to ${s.zeroTerminalSnr ? '0 (zero terminal SNR: the checks that need ᾱ > 0 stop one step before it)' : s.schedule.alphaBar(s.schedule.T)}` };
      } catch (e) {
        if (e instanceof SubjectReplyError || e instanceof InvalidResponseError) return unanswerable(e);
        if (e instanceof ScheduleInvalidError) return { holds: false, margin: 1, requestId: e.requestId, op: 'schedule', note: e.message };
        throw e;
      }
    },
  };
}
