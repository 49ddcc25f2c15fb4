import type fc from 'fast-check';
import { type Choice, type ChoiceValue, simplestChoice } from './choiceSource.ts';
import { type GeneratedCase, generateCase } from './generateCase.ts';

/**
 * Shrinks a failing case on its choice sequence (Hypothesis' shrinker, simplified):
 * a candidate is accepted when it still fails the same way and is simpler — fewer
 * choices, or the same number with the first differing choice nearer its simplest value
 * (the value nearest 0 in its range: what fast-check's own shrinkers move towards).
 * Passes, repeated until none helps or the budget is spent: set each choice to its
 * simplest value; delete blocks of 4, 2, 1 choices; bisect each towards its simplest value.
 */
export async function shrinkChoices<Case>(
  arb: fc.Arbitrary<Case>,
  start: GeneratedCase<Case>,
  stillFails: (c: Case) => Promise<boolean>,
  maxEvaluations: number,
): Promise<{ readonly shrunk: GeneratedCase<Case>; readonly evaluations: number; readonly accepted: number }> {
  let cur = start;
  let evaluations = 0, accepted = 0;

  const attempt = async (values: readonly ChoiceValue[]): Promise<boolean> => {
    if (evaluations >= maxEvaluations) return false;
    let cand: GeneratedCase<Case>;
    try {
      cand = generateCase(arb, values, { kind: 'simplest' });
    } catch {
      return false;
    }
    if (compareSimplicity(cand.choices, cur.choices) >= 0) return false;
    evaluations++;
    if (!(await stillFails(cand.value))) return false;
    cur = cand;
    accepted++;
    return true;
  };

  // 1. Each choice to its simplest value (cheap, and what makes d = 1, batch 1, zeros).
  const zeroPass = async (): Promise<boolean> => {
    let improved = false;
    for (let i = 0; i < cur.choices.length && evaluations < maxEvaluations; i++) {
      const c = cur.choices[i];
      const target = simplestChoice(c.min, c.max);
      if (c.value === target) continue;
      const v = cur.choices.map((x) => x.value);
      v[i] = target;
      if (await attempt(v)) improved = true;
    }
    return improved;
  };
  // 2. Delete blocks of 4, 2, 1 choices (shorter sequences: fewer elements, smaller structures).
  const deletePass = async (): Promise<boolean> => {
    for (const size of [4, 2, 1]) {
      for (let i = cur.choices.length - size; i >= 0 && evaluations < maxEvaluations; i--) {
        const v = cur.choices.map((c) => c.value);
        v.splice(i, size);
        if (await attempt(v)) return true;
      }
    }
    return false;
  };
  // 3. Bisect each remaining choice between its simplest value (passes) and its value (fails).
  const bisectPass = async (): Promise<boolean> => {
    let improved = false;
    for (let i = 0; i < cur.choices.length && evaluations < maxEvaluations; i++) {
      const c = cur.choices[i];
      let lo = simplestChoice(c.min, c.max), hi = c.value;
      for (let step = 0; step < 16 && evaluations < maxEvaluations && i < cur.choices.length; step++) {
        const mid = midpoint(lo, hi);
        if (mid === lo || mid === hi) break;
        const w = cur.choices.map((x) => x.value);
        w[i] = mid;
        if (await attempt(w)) {
          improved = true;
          hi = mid;
        } else lo = mid;
      }
    }
    return improved;
  };
  // After any success go back to the cheapest pass: a zero that failed before may succeed now.
  while (evaluations < maxEvaluations && ((await zeroPass()) || (await deletePass()) || (await bisectPass())));
  return { shrunk: cur, evaluations, accepted };
}

function midpoint(a: ChoiceValue, b: ChoiceValue): ChoiceValue {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const A = BigInt(a), B = BigInt(b);
    return A + (B - A) / 2n;
  }
  return a + Math.trunc((b - a) / 2);
}

function distance(c: Choice): bigint | number {
  const s = simplestChoice(c.min, c.max);
  if (typeof c.value === 'bigint' || typeof s === 'bigint') {
    const d = BigInt(c.value) - BigInt(s);
    return d < 0n ? -d : d;
  }
  return Math.abs(c.value - s);
}

/** Shortlex order on choice sequences: < 0 when `a` is simpler than `b`. */
export function compareSimplicity(a: readonly Choice[], b: readonly Choice[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const da = distance(a[i]), db = distance(b[i]);
    if (da !== db) {
      if (typeof da === 'bigint' || typeof db === 'bigint') return BigInt(da) < BigInt(db) ? -1 : 1;
      return da < db ? -1 : 1;
    }
  }
  return 0;
}
