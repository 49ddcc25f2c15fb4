import type fc from 'fast-check';
import type { Outcome } from './outcome.ts';

/**
 * What the runner hands a check besides its case. `falseAlarm` is the probability of a
 * false alarm allowed to ONE statistical assertion in this run: the run's budget split
 * (Bonferroni) over every assertion the run can make (falseAlarmPlan.ts). `replicate`
 * is 0 for the draws a case was found with and k > 0 for an independent re-draw
 * (a saved statistical failure is confirmed on fresh draws before it is reported);
 * statistical checks mix it into their seeds.
 */
export interface CheckEnv {
  readonly falseAlarm: number;
  readonly replicate: number;
}

/** `holds`: no case may fail. `refuted`: the statement is false; the run must find a counterexample. */
export type Expectation = 'holds' | 'refuted';

/**
 * The one contract of `verify` claims and `check` subject checks: a generator of cases
 * over the whole domain of a statement and a check of one case.
 */
export interface Property<Case = any> {
  /** Stable id (`xu2025.vincent.per-timestep`, `step.kernel`). */
  readonly id: string;
  /** The statement, one sentence. */
  readonly statement: string;
  readonly expected: Expectation;
  /** Cases a run examines by default (corners, random and targeted; shrinking is extra). */
  readonly defaultRuns: number;
  /**
   * Statistical assertions one check of a case makes at most (0 for exact checks): the
   * false-alarm plan is computed from it before the run, and the runner enforces it.
   */
  readonly assertionsPerCase: number;
  /** Cases as a fast-check arbitrary; corners reachable as range extremes of its choices. */
  cases(): fc.Arbitrary<Case>;
  check(c: Case, env: CheckEnv): Outcome | Promise<Outcome>;
  /** Plain-JSON view of a case for reports and saved counterexamples. */
  describeCase?(c: Case): unknown;
  /** Shrink evaluations at most (default 400; expensive statistical checks declare fewer). */
  readonly maxShrinks?: number;
  /** Size of a case for the report (e.g. { d: 1, batch: 1 }). */
  size?(c: Case): Readonly<Record<string, number>>;
}

/** Shares of a run's case budget: corners (deterministic and corner-biased), random, targeted. */
export interface SearchShares {
  readonly corner: number;
  readonly target: number;
}

export const DEFAULT_SHARES: SearchShares = { corner: 0.2, target: 0.3 };
