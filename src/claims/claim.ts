import type { Arbitrary } from 'fast-check';
import type { Figure } from './figure.ts';

/** Which seed paper a claim comes from. */
export type ClaimSource = 'xu2025' | 'liyan2024' | 'liang2025';
export const CLAIM_SOURCES: readonly ClaimSource[] = ['xu2025', 'liyan2024', 'liang2025'];

/**
 * `holds`: the statement should hold on every generated case.
 * `refuted`: the statement, read literally, is false (the paper itself says so, or
 * scorecheck shows it); `verify` expects to find — and shrink — a counterexample.
 */
export type ExpectedVerdict = 'holds' | 'refuted';

/** Named quantities shown side by side in a report or counterexample. */
export type Quantity = number | readonly number[] | readonly (readonly number[])[] | string | boolean;

/** The result of checking a claim on one generated case. */
export interface CheckOutcome {
  /** Does the statement hold on this case (within the stated tolerance)? */
  readonly holds: boolean;
  /** Largest relative error against the closed form (deterministic checks). */
  readonly maxError?: number;
  /** The tolerance `maxError` was compared with: the statement holds when maxError ≤ tolerance. */
  readonly tolerance?: number;
  /**
   * What `maxError` measures when it is not an error against a closed form,
   * e.g. 'fitted exponent' or 'KL(BO)/KL(DDNM)'; reports show it in place of "err".
   */
  readonly metric?: string;
  /** Monte Carlo comparison: the observed z-score and the critical value it was compared with. */
  readonly z?: number;
  readonly zCritical?: number;
  /** Monte Carlo sample count used for this case. */
  readonly samples?: number;
  /** The violated (or compared) quantities side by side, e.g. { observed, predicted }. */
  readonly quantities?: Readonly<Record<string, Quantity>>;
  readonly note?: string;
}

/** One entry of the claims registry. */
export interface Claim<Case = any> {
  /** Stable id, `<source>.<family>.<name>`, e.g. `xu2025.vincent.per-timestep`. */
  readonly id: string;
  readonly source: ClaimSource;
  /** The paper's statement in one sentence. */
  readonly statement: string;
  /** The assumptions under which it is checked. */
  readonly assumptions: readonly string[];
  readonly expected: ExpectedVerdict;
  /** Generated cases for `verify` with its defaults. */
  readonly defaultRuns: number;
  /** fast-check generator of cases; shrinks towards small dimension and simple numbers. */
  readonly cases: () => Arbitrary<Case>;
  /**
   * Pure check of one case. Statistical checks seed their generator from the case
   * (so a case replays exactly) and use the suite's false-alarm budget.
   */
  readonly check: (c: Case) => CheckOutcome;
  /** Plain-JSON view of a case (matrices as nested arrays) for reports and saved counterexamples. */
  readonly describeCase?: (c: Case) => unknown;
  /** Figures for the HTML report (computed on built-in defaults). */
  readonly figures?: () => readonly Figure[];
}
