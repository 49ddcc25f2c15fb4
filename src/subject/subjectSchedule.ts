import { vpFromAlphaBars, type VPSchedule } from '../diffusion/schedule.ts';
import { ScorecheckError } from '../errors.ts';
import { readVector } from './responseShape.ts';
import type { Subject } from './subject.ts';
import { InvalidResponseError } from './subjectError.ts';

/** The subject's schedule as scorecheck uses it: internal t = 1..T, subject timestep k = t − 1 + t_base. */
export interface SubjectSchedule {
  readonly schedule: VPSchedule;
  readonly tBase: 0 | 1;
  readonly requestId: number;
  /** The subject's timestep for internal t. */
  toSubject(t: number): number;
}

/**
 * Asks for the schedule and validates it: t_base ∈ {0, 1}, ᾱ finite, in (0, 1),
 * strictly decreasing (MATH.md §1: ᾱ_t = ∏(1 − β_i), β_i ∈ (0, 1)). Throws
 * InvalidResponseError (shape, non-finite) or ScheduleInvalidError (a valid shape but not a schedule).
 */
export async function fetchSchedule(subject: Subject): Promise<SubjectSchedule> {
  const { id, result } = await subject.call('schedule', {});
  const ref = { op: 'schedule', requestId: id };
  const tBase = (result as Record<string, unknown> | null)?.t_base;
  if (tBase !== 0 && tBase !== 1) throw new InvalidResponseError(ref, 'result.t_base', `must be 0 or 1, got ${JSON.stringify(tBase)}`);
  const raw = (result as Record<string, unknown>).alpha_bar;
  const n = Array.isArray(raw) ? raw.length : 0;
  if (n < 1) throw new InvalidResponseError(ref, 'result.alpha_bar', 'must be a non-empty array of numbers');
  const ab = readVector(result, ref, 'alpha_bar', n);
  let schedule: VPSchedule;
  try {
    schedule = vpFromAlphaBars(ab, 'subject');
  } catch (e) {
    throw new ScheduleInvalidError(id, (e as Error).message);
  }
  return { schedule, tBase, requestId: id, toSubject: (t) => t - 1 + tBase };
}

export class ScheduleInvalidError extends ScorecheckError {
  override name = 'ScheduleInvalidError';
  constructor(
    readonly requestId: number,
    readonly detail: string,
  ) {
    super(`schedule (request ${requestId}) is not a valid VP schedule: ${detail}`);
  }
}
