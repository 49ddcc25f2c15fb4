import type fc from 'fast-check';
import { FLOAT32_UNIT, type Outcome } from '../../engine/outcome.ts';
import type { CheckEnv } from '../../engine/property.ts';
import type { Hello, OpName } from '../protocol.ts';
import type { Subject } from '../subject.ts';
import type { SubjectSchedule } from '../subjectSchedule.ts';

/**
 * Everything a check needs: the live subject, its validated schedule, and the comparison settings.
 * (Checks that need no ᾱ table — the flow-matching ones — take a FlowCheckContext instead: the
 * `Ctx` parameter of SubjectCheck.)
 */
export interface CheckContext {
  readonly subject: Subject;
  readonly hello: Hello;
  readonly schedule: SubjectSchedule;
  /** Relative tolerance of exact comparisons (float64: 1e-9, float32: 1e-4; see subjectChecks.ts). */
  readonly rtol: number;
}

/**
 * One check of a subject's op: the subject-side half of an engine Property
 * (src/engine/property.ts). `run` returns the engine's Outcome — `holds`, the comparison
 * (maxError/tolerance or a mean test's z), `inputs`/`expected`/`got` of the request that
 * showed it; a subject's error reply or a malformed answer is turned into a failing
 * Outcome by checkProperty.ts, a crash or hang ends the check with an error.
 */
export interface SubjectCheck<Case, Ctx = CheckContext> {
  /** Stable id used by --only and in the report, e.g. "add_noise.exact". */
  readonly id: string;
  readonly op: OpName;
  readonly title: string;
  readonly kind: 'exact' | 'statistical';
  /** Statistical assertions per case (0 for exact checks), for the false-alarm plan. */
  readonly assertionsPerCase: number;
  /** Cases per run by default. */
  readonly defaultRuns: number;
  /** Why the check cannot run on this subject (e.g. T = 1 has no t ≥ 2), or undefined. */
  unavailable?(ctx: Ctx): string | undefined;
  cases(ctx: Ctx): fc.Arbitrary<Case>;
  run(ctx: Ctx, c: Case, env: CheckEnv): Promise<Outcome>;
  /** The case's size for the report: data dimension and batch size. */
  size(c: Case): Readonly<Record<string, number>>;
}

/**
 * Compares a batch coordinate by coordinate: |got − expected| ≤ rtol·scale. Reports the
 * worst coordinate by err/tol (the margin the targeted search climbs) and that error in
 * units of float32 rounding of its terms (u₃₂·scale).
 */
export function compareBatch(
  got: readonly ArrayLike<number>[], expected: readonly ArrayLike<number>[], scale: readonly ArrayLike<number>[], rtol: number,
): { ok: boolean; maxError: number; tolerance: number; at: [number, number]; float32Multiple: number } {
  let ok = true, worstRatio = -1, maxError = 0, tolerance = 0;
  let at: [number, number] = [0, 0];
  for (let i = 0; i < expected.length; i++) {
    for (let j = 0; j < expected[i].length; j++) {
      const err = Math.abs(got[i][j] - expected[i][j]);
      const tol = rtol * Math.max(scale[i][j], Number.MIN_VALUE);
      if (!(err <= tol)) ok = false;
      const ratio = Number.isNaN(err) ? Infinity : err / tol;
      if (ratio > worstRatio) {
        worstRatio = ratio;
        maxError = err;
        tolerance = tol;
        at = [i, j];
      }
    }
  }
  return { ok, maxError, tolerance, at, float32Multiple: maxError / (FLOAT32_UNIT * (tolerance / rtol)) };
}

/** Plain rows of a batch (typed arrays to arrays) for reports. */
export function rows(xs: readonly ArrayLike<number>[]): number[][] {
  return xs.map((r) => Array.from(r));
}
