import type { ClaimSource, ExpectedVerdict, Quantity } from './claim.ts';

/**
 * What `verify` concluded about one claim.
 * - `holds`: expected `holds`, no counterexample in `cases` cases.
 * - `refuted-as-expected`: expected `refuted`, a (shrunk) counterexample was found: it is the evidence.
 * - `counterexample`: unexpected — a `holds` claim failed, or a `refuted` claim found no counterexample.
 * - `error`: the check (or the case generator) threw.
 */
export type Verdict = 'holds' | 'refuted-as-expected' | 'counterexample' | 'error';

export const VERDICTS: readonly Verdict[] = ['holds', 'refuted-as-expected', 'counterexample', 'error'];

/** Is this verdict what the registry expects? (`holds` and `refuted-as-expected` are; the others are not.) */
export function verdictIsExpected(v: Verdict): boolean {
  return v === 'holds' || v === 'refuted-as-expected';
}

/** Evidence gathered over every generated case (before shrinking). */
export interface Evidence {
  /** Cases checked (generated, or replayed). */
  readonly runs: number;
  /** fast-check shrink steps to reach the reported counterexample. */
  readonly shrinks: number;
  /** Worst closed-form comparison (largest margin (maxError − tolerance)/|tolerance|), as the pair. */
  readonly maxError?: number;
  readonly tolerance?: number;
  /** What maxError measures, when it is not an error against a closed form (e.g. 'fitted exponent'). */
  readonly metric?: string;
  /** Worst Monte Carlo comparison: the largest |z| seen, with its critical value. */
  readonly z?: number;
  readonly zCritical?: number;
  /** Monte Carlo samples drawn over all cases. */
  readonly samples?: number;
  /** What happened to a saved counterexample replayed before the search. */
  readonly replay?: 'reproduced' | 'no-longer-fails' | 'not-replayable';
  readonly note?: string;
}

/** How a counterexample fails: the check returned `holds: false`, or threw. */
export type FailureKind = 'fails' | 'throws';

/** A (shrunk) failing case: enough to print it, save it and replay it exactly. */
export interface CounterexampleRecord {
  readonly seed: number;
  /** fast-check replay path (`fc.check(…, { seed, path })`). */
  readonly path: string;
  readonly kind: FailureKind;
  /** Plain-JSON view of the case (matrices as nested arrays). */
  readonly case: unknown;
  /** The compared quantities side by side (from the check's outcome). */
  readonly quantities?: Readonly<Record<string, Quantity>>;
  readonly maxError?: number;
  readonly tolerance?: number;
  readonly metric?: string;
  readonly z?: number;
  readonly zCritical?: number;
  readonly note?: string;
  /** For kind `throws`: the error's one-line message. */
  readonly error?: string;
}

/** The result of running one claim. */
export interface ClaimResult {
  readonly id: string;
  readonly source: ClaimSource;
  readonly statement: string;
  readonly expected: ExpectedVerdict;
  readonly verdict: Verdict;
  /** Why a verdict is unexpected or an error, in one line. */
  readonly reason?: string;
  /** Cases checked. */
  readonly cases: number;
  readonly evidence: Evidence;
  readonly counterexample?: CounterexampleRecord;
  /** fast-check seed and the number of runs asked for. */
  readonly seed: number;
  readonly numRuns: number;
  readonly ms: number;
}

/** The table's words for a verdict: `holds on N cases`, `refuted as expected`, `COUNTEREXAMPLE`, `error`. */
export function verdictText(r: Pick<ClaimResult, 'verdict' | 'cases'>): string {
  switch (r.verdict) {
    case 'holds':
      return `holds on ${r.cases} case${r.cases === 1 ? '' : 's'}`;
    case 'refuted-as-expected':
      return 'refuted as expected';
    case 'counterexample':
      return 'COUNTEREXAMPLE';
    case 'error':
      return 'error';
  }
}
