import { type Outcome, marginOf } from './outcome.ts';
import type { CheckEnv, Property } from './property.ts';

/** One case checked: it holds, it fails, or the check threw. */
export type Evaluation =
  | { readonly kind: 'holds'; readonly outcome: Outcome; readonly margin: number }
  | { readonly kind: 'fails'; readonly outcome: Outcome; readonly margin: number }
  | { readonly kind: 'throws'; readonly error: string; readonly margin: number };

export type FailureKind = 'fails' | 'throws';

/** An error that ends the whole run of a property (a subject that crashed or hung), not a failing case. */
export interface FatalClassifier {
  (e: unknown): boolean;
}

/** Thrown by `evaluate` for an error the classifier calls fatal: the runner stops the property with an error. */
export class FatalCheckError extends Error {
  override name = 'FatalCheckError';
  constructor(override readonly cause: unknown) {
    super(errorLine(cause));
  }
}

/**
 * Runs `property.check(c, env)` without letting it escape: a throw becomes kind
 * `throws` (margin +∞) with the error's first line; an outcome that says `holds`
 * while reporting a non-finite comparison is a silent NaN (DESIGN.md: never one)
 * and is classified as `throws` too. Fatal errors are re-thrown as FatalCheckError.
 */
export async function evaluate<Case>(property: Pick<Property<Case>, 'check'>, c: Case, env: CheckEnv, isFatal?: FatalClassifier): Promise<Evaluation> {
  let outcome: Outcome;
  try {
    outcome = await property.check(c, env);
  } catch (e) {
    if (isFatal?.(e)) throw new FatalCheckError(e);
    return { kind: 'throws', error: errorLine(e), margin: Infinity };
  }
  if (outcome === null || typeof outcome !== 'object' || typeof outcome.holds !== 'boolean') {
    return { kind: 'throws', error: `check returned ${JSON.stringify(outcome)} instead of an Outcome`, margin: Infinity };
  }
  if (outcome.unresolved !== undefined && !outcome.holds) {
    return { kind: 'throws', error: `check reported a failing case as unresolved (${outcome.unresolved}): unresolved cases hold`, margin: Infinity };
  }
  if (outcome.holds) {
    for (const f of ['maxError', 'tolerance', 'z', 'zCritical', 'margin'] as const) {
      const v = outcome[f];
      if (v !== undefined && !Number.isFinite(v) && !(f === 'tolerance' && v === Infinity)) {
        return { kind: 'throws', error: `check reported holds with non-finite ${f} = ${v}`, margin: Infinity };
      }
    }
  }
  return { kind: outcome.holds ? 'holds' : 'fails', outcome, margin: marginOf(outcome) };
}

/** `Name: message` of an error, first line only (no stack). */
export function errorLine(e: unknown): string {
  if (e instanceof Error) {
    const first = (e.message || '').split('\n')[0];
    return `${e.name || 'Error'}: ${first}`;
  }
  return String(e).split('\n')[0];
}
