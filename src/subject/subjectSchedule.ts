import { vpFromAlphaBars, type VPSchedule } from '../diffusion/schedule.ts';
import { ScorecheckError } from '../errors.ts';
import { readVector } from './responseShape.ts';
import type { Subject } from './subject.ts';
import { InvalidResponseError } from './subjectError.ts';

/** The subject's schedule as scorecheck uses it: internal t = 1..T, subject timestep k = t − 1 + t_base. */
export interface SubjectSchedule {
  /**
   * The schedule the checks compare against. With zero terminal SNR (the table's last ᾱ is 0)
   * it holds the first T − 1 entries: every check that needs ᾱ_t > 0 stays below the terminal step.
   */
  readonly schedule: VPSchedule;
  /** The table exactly as the subject reported it (its last entry 0 with zero terminal SNR). */
  readonly table: Float64Array;
  /** The last ᾱ is 0 (rescaled to zero terminal SNR: Lin et al. 2024, diffusers rescale_zero_terminal_snr). */
  readonly zeroTerminalSnr: boolean;
  readonly tBase: 0 | 1;
  readonly requestId: number;
  /** The subject's timestep for internal t. */
  toSubject(t: number): number;
}

/**
 * Asks for the schedule and validates it: t_base ∈ {0, 1}, ᾱ finite, in (0, 1),
 * strictly decreasing (MATH.md §1: ᾱ_t = ∏(1 − β_i), β_i ∈ (0, 1)) — except that the last
 * entry may be exactly 0 (zero terminal SNR, β_T = 1), which leaves it out of `schedule`. Throws
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
  const table = Float64Array.from(ab);
  const zeroTerminalSnr = n >= 2 && table[n - 1] === 0;
  let schedule: VPSchedule;
  try {
    schedule = vpFromAlphaBars(zeroTerminalSnr ? table.subarray(0, n - 1) : table, 'subject');
  } catch (e) {
    throw new ScheduleInvalidError(id, (e as Error).message);
  }
  return { schedule, table, zeroTerminalSnr, tBase, requestId: id, toSubject: (t) => t - 1 + tBase };
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
