import type fc from 'fast-check';
import { ChoiceRandom } from './choiceRandom.ts';
import { type Choice, type ChoiceValue, ChoiceSource, type FreshRule } from './choiceSource.ts';

/** A generated case with the choices that rebuild it. */
export interface GeneratedCase<Case> {
  readonly value: Case;
  readonly choices: readonly Choice[];
}

/**
 * Builds one case of `arb` from `prefix` (replayed) and `fresh` (beyond it), without
 * fast-check's bias: the corner phase of the runner does what bias does (small and
 * extreme values), deterministically.
 */
export function generateCase<Case>(arb: fc.Arbitrary<Case>, prefix: readonly ChoiceValue[], fresh: FreshRule): GeneratedCase<Case> {
  const source = new ChoiceSource(prefix, fresh);
  const value = arb.generate(new ChoiceRandom(source), undefined).value;
  return { value, choices: source.record };
}
