import type fc from 'fast-check';
import { createRng, type Rng } from '../mc/rng.ts';
import { type ChoiceValue, clampChoice } from './choices/choiceSource.ts';
import { type GeneratedCase, generateCase } from './choices/generateCase.ts';
import { mutateChoices } from './choices/mutateChoices.ts';
import type { Evaluation } from './evaluate.ts';

/** A case and how close it came to failing. */
export interface Scored<Case> {
  readonly g: GeneratedCase<Case>;
  readonly ev: Evaluation;
}

export interface TargetSearchResult<Case> {
  /** The first failing case the search reached, if any. */
  readonly failure?: Scored<Case>;
  readonly steps: number;
  readonly improvements: number;
  readonly startMargin: number;
  readonly bestMargin: number;
}

/** Climbers kept in parallel (restarted from a fresh case after STAGNATION non-improving passes). */
const CLIMBERS = 3;
const STAGNATION = 6;

interface Climber<Case> {
  g: GeneratedCase<Case>;
  ev: Evaluation;
  stale: number;
  /** Step of the coordinate search, per choice position. */
  readonly step: Map<number, ChoiceValue>;
}

/**
 * Targeted property-based testing (Löscher & Sagonas; Hypothesis' `target()`): climbs the
 * margin (> 0 fails) from the worst cases found so far, in the cases' own parameterization
 * (their choice sequences). Each climber alternates
 * - a coordinate pass (pattern search): one choice moved by ±step; a move that raises the
 *   margin is repeated with doubled steps while it keeps raising it, then the position's
 *   step is halved; a pass that finds nothing divides the step by 4 — so a continuous
 *   parameter is located to its resolution in O(log range) evaluations;
 * - a random local move (mutateChoices) that can change several choices and the structure.
 * Stops at the first failing case or when `budget` evaluations are spent.
 */
export async function targetSearch<Case>(
  arb: fc.Arbitrary<Case>,
  start: readonly Scored<Case>[],
  budget: number,
  seed: string,
  evaluate: (g: GeneratedCase<Case>) => Promise<Evaluation | undefined>,
): Promise<TargetSearchResult<Case>> {
  const rng = createRng(`${seed}/target`);
  const climbers: Climber<Case>[] = [];
  const seen = new Set<string>();
  for (const s of [...start].sort((a, b) => b.ev.margin - a.ev.margin)) {
    const id = s.g.choices.map((c) => String(c.value)).join(',');
    if (seen.has(id)) continue;
    seen.add(id);
    climbers.push({ g: s.g, ev: s.ev, stale: 0, step: new Map() });
    if (climbers.length === CLIMBERS) break;
  }
  const startMargin = climbers.length > 0 ? climbers[0].ev.margin : -Infinity;
  let bestMargin = startMargin, improvements = 0, used = 0, fresh = 0;
  let failure: Scored<Case> | undefined;

  /** Evaluates a candidate; undefined when the budget is spent (or the caller stops). */
  const tryValues = async (values: readonly ChoiceValue[] | null): Promise<Scored<Case> | undefined> => {
    if (failure || used >= budget) return undefined;
    const g = values === null
      ? generateCase(arb, [], { kind: 'random', seed: `${seed}/restart/${fresh++}` })
      : generateCase(arb, values, { kind: 'random', seed: `${seed}/target/${used}` });
    used++;
    const ev = await evaluate(g);
    if (ev === undefined) {
      used = budget;
      return undefined;
    }
    if (ev.kind !== 'holds') failure = { g, ev };
    bestMargin = Math.max(bestMargin, ev.margin);
    return { g, ev };
  };
  const accept = (c: Climber<Case>, s: Scored<Case>) => {
    improvements++;
    c.g = s.g;
    c.ev = s.ev;
    c.stale = 0;
  };

  while (climbers.length > 0 && used < budget && !failure) {
    // Work on the best climber that is not stuck; when all are stuck, restart the worst from a fresh case.
    const live = climbers.filter((x) => x.stale < STAGNATION).sort((a, b) => b.ev.margin - a.ev.margin);
    if (live.length === 0) {
      const c = climbers.reduce((a, b) => (b.ev.margin < a.ev.margin ? b : a));
      const s = await tryValues(null);
      if (!s) break;
      c.g = s.g;
      c.ev = s.ev;
      c.stale = 0;
      c.step.clear();
      for (const x of climbers) if (x !== c) x.stale = Math.min(x.stale, STAGNATION - 1);
      continue;
    }
    const c = live[0];
    const movable = c.g.choices.map((ch, i) => ({ ch, i })).filter(({ ch }) => ch.min !== ch.max);
    if (movable.length === 0 || rng.uniform() < 0.3) {
      const s = await tryValues(mutateChoices(c.g.choices, rng));
      if (!s) break;
      if (s.ev.margin > c.ev.margin) accept(c, s);
      else c.stale++;
      continue;
    }
    const { ch, i } = movable[Math.floor(rng.uniform() * movable.length)];
    const step = c.step.get(i) ?? initialStep(ch.min, ch.max);
    let improved = false;
    for (const dir of rng.uniform() < 0.5 ? [1, -1] : [-1, 1]) {
      let s = step;
      let moved = await moveAndTry(c, i, dir, s);
      if (moved === null) break;
      if (!moved) continue;
      improved = true;
      // Pattern move: keep going while it helps, with doubled steps.
      for (;;) {
        s = times(s, 2);
        moved = await moveAndTry(c, i, dir, s);
        if (!moved) break;
      }
      c.step.set(i, half(s));
      break;
    }
    if (!improved) {
      c.step.set(i, quarter(step));
      c.stale++;
    }
  }
  return { ...(failure ? { failure } : {}), steps: used, improvements, startMargin, bestMargin };

  /** true: moved to a better case; false: not better; null: budget spent or failure found. */
  async function moveAndTry(c: Climber<Case>, i: number, dir: number, step: ChoiceValue): Promise<boolean | null> {
    if (i >= c.g.choices.length) return false;
    const ch = c.g.choices[i];
    const next = clampChoice(typeof ch.value === 'bigint' ? ch.value + BigInt(dir) * BigInt(step) : ch.value + dir * Number(step), ch.min, ch.max);
    if (next === ch.value) return false;
    const values = c.g.choices.map((x) => x.value);
    values[i] = next;
    const s = await tryValues(values);
    if (!s) return null;
    if (s.ev.margin > c.ev.margin || s.ev.kind !== 'holds') {
      accept(c, s);
      return failure ? null : true;
    }
    return false;
  }
}

function initialStep(min: ChoiceValue, max: ChoiceValue): ChoiceValue {
  if (typeof min === 'bigint') {
    const s = ((max as bigint) - min) / 8n;
    return s < 1n ? 1n : s;
  }
  return Math.max(1, Math.floor(((max as number) - min) / 8));
}

function times(s: ChoiceValue, k: number): ChoiceValue {
  return typeof s === 'bigint' ? s * BigInt(k) : s * k;
}

function half(s: ChoiceValue): ChoiceValue {
  return typeof s === 'bigint' ? (s / 2n < 1n ? 1n : s / 2n) : Math.max(1, Math.floor(s / 2));
}

function quarter(s: ChoiceValue): ChoiceValue {
  return typeof s === 'bigint' ? (s / 4n < 1n ? 1n : s / 4n) : Math.max(1, Math.floor(s / 4));
}

export type { Rng };
