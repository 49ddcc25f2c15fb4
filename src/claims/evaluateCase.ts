import type { CheckOutcome, Claim } from './claim.ts';
import type { FailureKind } from './verdict.ts';

/** One case checked: it holds, it fails (holds: false), or the check threw. */
export type CaseEvaluation =
  | { readonly kind: 'holds'; readonly outcome: CheckOutcome }
  | { readonly kind: 'fails'; readonly outcome: CheckOutcome }
  | { readonly kind: 'throws'; readonly error: string };

/**
 * Runs `claim.check(c)` without letting it escape: a throw becomes kind `throws`
 * with the error's first line. An outcome that says `holds` while reporting a
 * non-finite maxError or z is a silent NaN (DESIGN.md: never one) and is
 * classified as `throws` too.
 */
export function evaluateCase(claim: Pick<Claim, 'check'>, c: unknown): CaseEvaluation {
  let outcome: CheckOutcome;
  try {
    outcome = claim.check(c);
  } catch (e) {
    return { kind: 'throws', error: errorLine(e) };
  }
  if (outcome === null || typeof outcome !== 'object' || typeof outcome.holds !== 'boolean') {
    return { kind: 'throws', error: `check returned ${JSON.stringify(outcome)} instead of a CheckOutcome` };
  }
  if (outcome.holds) {
    for (const f of ['maxError', 'tolerance', 'z', 'zCritical'] as const) {
      const v = outcome[f];
      if (v !== undefined && !Number.isFinite(v) && !(f === 'tolerance' && v === Infinity)) {
        return { kind: 'throws', error: `check reported holds with non-finite ${f} = ${v}` };
      }
    }
  }
  return { kind: outcome.holds ? 'holds' : 'fails', outcome };
}

export function failureKind(e: CaseEvaluation): FailureKind | null {
  return e.kind === 'holds' ? null : e.kind;
}

/** `Name: message` of an error, first line only (no stack). */
export function errorLine(e: unknown): string {
  if (e instanceof Error) {
    const first = (e.message || '').split('\n')[0];
    return `${e.name || 'Error'}: ${first}`;
  }
  return String(e).split('\n')[0];
}
