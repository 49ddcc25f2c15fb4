import type fc from 'fast-check';
import type { Hello, OpName } from '../protocol.ts';
import type { Subject } from '../subject.ts';
import type { SubjectSchedule } from '../subjectSchedule.ts';

/** Everything a check needs: the live subject, its validated schedule, and the test settings. */
export interface CheckContext {
  readonly subject: Subject;
  readonly hello: Hello;
  readonly schedule: SubjectSchedule;
  /** Relative tolerance of exact comparisons (float64: 1e-9, float32: 1e-4; see runChecks.ts). */
  readonly rtol: number;
  /** False-alarm probability of one statistical assertion (Bonferroni share of the suite budget). */
  readonly falseAlarm: number;
}

/** One request that demonstrated a failure: what was sent, what was expected, what came back. */
export interface CaseOutcome {
  readonly ok: boolean;
  readonly requestId?: number;
  readonly op?: OpName;
  /** The request's args (large batches summarized). */
  readonly inputs?: unknown;
  readonly expected?: unknown;
  readonly got?: unknown;
  /** Largest |got − expected| (exact checks) or |z| (statistical checks). */
  readonly maxError?: number;
  readonly tolerance?: number;
  readonly z?: number;
  readonly zCritical?: number;
  readonly note?: string;
  /** Signed, scale-free distance to failing (> 0 fails), e.g. log10(error/tolerance) — for the engine's targeted search. */
  readonly margin?: number;
  /** Monte Carlo checks: the smallest discrepancy detected at 99 % power, relative to the quantity. */
  readonly detectable?: { readonly relative: number; readonly power: number };
}

export interface CheckDefinition<Case> {
  /** Stable id used by --only and in the report, e.g. "add_noise.exact". */
  readonly id: string;
  readonly op: OpName;
  readonly title: string;
  readonly kind: 'exact' | 'statistical';
  /** Statistical assertions per run (0 for exact checks), for the false-alarm budget. */
  readonly assertionsPerRun: number;
  /** Why the check cannot run on this subject (e.g. T = 1 has no t ≥ 2), or undefined. */
  unavailable?(ctx: CheckContext): string | undefined;
  cases(ctx: CheckContext): fc.Arbitrary<Case>;
  run(ctx: CheckContext, c: Case): Promise<CaseOutcome>;
  /** The shrunk case's size for the report: data dimension and batch size. */
  size(c: Case): { d: number; batch: number };
}

/** Largest |got − expected| and whether each coordinate is within rtol·scale. */
export function compareBatch(
  got: readonly ArrayLike<number>[], expected: readonly ArrayLike<number>[], scale: readonly ArrayLike<number>[], rtol: number,
): { ok: boolean; maxError: number; tolerance: number; at: [number, number] } {
  let ok = true, worst = -1, maxError = 0, tolerance = 0;
  let at: [number, number] = [0, 0];
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < expected[i].length; j++) {
      const err = Math.abs(got[i][j] - expected[i][j]);
      const tol = rtol * scale[i][j];
      const excess = err - tol;
      if (err > tol) ok = false;
      if (excess > worst || worst === -1) {
        worst = excess;
        maxError = err;
        tolerance = tol;
        at = [i, j];
      }
    }
  }
  return { ok, maxError, tolerance, at };
}

/** Rounds for readable reports without hiding a discrepancy (17 significant digits kept if needed). */
export function rows(xs: readonly ArrayLike<number>[]): number[][] {
  return xs.map((r) => Array.from(r));
}
