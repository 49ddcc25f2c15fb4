import { ScorecheckError } from '../errors.ts';

/** The false-alarm probability of one whole `verify` or `check` run (every statistical assertion together). */
export const RUN_FALSE_ALARM = 1e-6;

/**
 * Saved counterexamples a run may replay per property, each possibly confirmed on a
 * fresh draw: the plan reserves assertions for them.
 */
export const REPLAY_ALLOWANCE = 10;

/** A property made more statistical assertions than it declared: its α would be wrong. */
export class BudgetExceededError extends ScorecheckError {
  override name = 'BudgetExceededError';
  constructor(
    readonly property: string,
    readonly planned: number,
    readonly made: number,
    detail?: string,
  ) {
    super(`${property}: ${detail ?? `made ${made} statistical assertions, ${planned} planned`} — its false-alarm level would not hold`);
  }
}

/**
 * Bonferroni over the assertions a run can actually make: before the run, every selected
 * property declares assertionsPerCase × (its runs + REPLAY_ALLOWANCE); each assertion gets
 * α = RUN_FALSE_ALARM / (their sum), so `--runs 2000` lowers the per-assertion level (and
 * raises the critical values) instead of spending more than the run's budget. At run time
 * each property's assertions are counted, and exceeding its plan is an error.
 */
export class FalseAlarmPlan {
  readonly perAssertion: number;
  readonly plannedTotal: number;
  private readonly planned = new Map<string, number>();
  private readonly made = new Map<string, number>();

  constructor(
    readonly total: number,
    entries: readonly { readonly id: string; readonly assertionsPerCase: number; readonly runs: number }[],
  ) {
    if (!(total > 0 && total < 1)) throw new RangeError(`FalseAlarmPlan: total must lie in (0, 1), got ${total}`);
    let sum = 0;
    for (const e of entries) {
      const n = e.assertionsPerCase * (e.runs + REPLAY_ALLOWANCE);
      this.planned.set(e.id, (this.planned.get(e.id) ?? 0) + n);
      sum += n;
    }
    this.plannedTotal = sum;
    this.perAssertion = sum > 0 ? total / sum : total;
  }

  /** Counts `n` assertions of `id`; throws BudgetExceededError beyond its plan. */
  charge(id: string, n: number): void {
    if (n <= 0) return;
    const made = (this.made.get(id) ?? 0) + n;
    this.made.set(id, made);
    const planned = this.planned.get(id) ?? 0;
    if (made > planned) throw new BudgetExceededError(id, planned, made);
  }

  assertionsMade(id?: string): number {
    if (id !== undefined) return this.made.get(id) ?? 0;
    let s = 0;
    for (const v of this.made.values()) s += v;
    return s;
  }
}
