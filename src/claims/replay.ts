import fc from 'fast-check';
import type { Claim } from './claim.ts';
import { type CaseEvaluation, errorLine, evaluateCase } from './evaluateCase.ts';

/** The case at fast-check's `seed` + `path`, or why it could not be rebuilt. */
export type ReplayedCase = { readonly ok: true; readonly case: unknown } | { readonly ok: false; readonly error: string };

/**
 * Rebuilds exactly the case fast-check reported as `{ seed, path }`: the same
 * generator walk as `fc.check(…, { seed, path })`, with a capturing predicate
 * that lets the first (replayed) value through. Needs the claim's `cases()`
 * arbitrary to be unchanged since the path was recorded.
 */
export function replayCase(claim: Pick<Claim, 'cases'>, seed: number, path: string): ReplayedCase {
  let captured = false;
  let value: unknown;
  try {
    fc.check(
      fc.property(claim.cases(), (c) => {
        if (!captured) {
          captured = true;
          value = c;
        }
        return true;
      }),
      { seed, path, numRuns: 1, endOnFailure: true, verbose: 0 },
    );
  } catch (e) {
    return { ok: false, error: errorLine(e) };
  }
  return captured ? { ok: true, case: value } : { ok: false, error: `path ${path} produced no case` };
}

export interface ReplayResult {
  readonly replayed: ReplayedCase;
  /** Absent when the case could not be rebuilt. */
  readonly evaluation?: CaseEvaluation;
}

/** Rebuilds the case at `{ seed, path }` and checks it. */
export function replayAndCheck(claim: Pick<Claim, 'cases' | 'check'>, seed: number, path: string): ReplayResult {
  const replayed = replayCase(claim, seed, path);
  if (!replayed.ok) return { replayed };
  return { replayed, evaluation: evaluateCase(claim, replayed.case) };
}

/** Parses `seed:path` (as printed by `verify`): the first segment is the seed, the rest the path. */
export function parseReplaySpec(spec: string): { seed: number; path: string } | null {
  const m = /^(-?\d+):(\d+(?::\d+)*)$/.exec(spec.trim());
  if (!m) return null;
  const seed = Number(m[1]);
  if (!Number.isSafeInteger(seed)) return null;
  return { seed, path: m[2] };
}
