import { performance } from 'node:perf_hooks';
import { SCORECHECK_VERSION } from '../version.ts';
import { type ChoiceValue, CORNERS, type FreshRule, decodeChoices, encodeChoices, valuesOf } from './choices/choiceSource.ts';
import { type GeneratedCase, generateCase } from './choices/generateCase.ts';
import { shrinkChoices } from './choices/shrinkChoices.ts';
import { type Evaluation, type FailureKind, type FatalClassifier, FatalCheckError, errorLine, evaluate } from './evaluate.ts';
import { type Evidence, EvidenceAccumulator, type PhaseCounts } from './evidence.ts';
import { BudgetExceededError, type FalseAlarmPlan } from './falseAlarmPlan.ts';
import type { Figure } from './figure.ts';
import type { Outcome } from './outcome.ts';
import { plainCase, toPlain } from './plainCase.ts';
import { type CheckEnv, DEFAULT_SHARES, type Expectation, type Property, type SearchShares } from './property.ts';
import type { ExampleStore } from './store/exampleStore.ts';
import { targetSearch } from './targetSearch.ts';
import type { OutcomeSummary, StoredExample } from './store/storedExample.ts';

/** Where a case came from. */
export type Phase = 'replay' | 'saved' | 'corner' | 'random' | 'target';

export interface RunOptions {
  /** Seed of the search (every draw of every phase derives from it and the property id). */
  readonly seed: number;
  /** Cases to examine (corners + random + targeted); default `property.defaultRuns`. */
  readonly runs?: number;
  readonly shares?: SearchShares;
  /** The run's false-alarm plan: α of one assertion, and the per-property count it enforces. */
  readonly falseAlarm: FalseAlarmPlan;
  /** Replayed first; new counterexamples are saved here (when writable and `save` is not false). */
  readonly store?: ExampleStore;
  /** Store key; default the property id. */
  readonly storeKey?: string;
  readonly save?: boolean;
  readonly replaySaved?: boolean;
  /**
   * Check exactly this case (a saved counterexample's choices) instead of searching; when
   * the plain case it was saved with is given, a different rebuilt case is reported as stale.
   */
  readonly replay?: { readonly choices: readonly ChoiceValue[]; readonly case?: unknown };
  /** Stop starting new cases after this long (the cases so far count; the evidence says so). */
  readonly timeLimitMs?: number;
  /** Shrink evaluations at most (default 400). */
  readonly maxShrinks?: number;
  /** Errors that end the property's run (a crashed or hung subject) rather than fail one case. */
  readonly isFatal?: FatalClassifier;
  /** Stop between cases when aborted (SIGINT); the run is marked interrupted. */
  readonly signal?: AbortSignal;
  /** Called before each case is checked. */
  readonly onCase?: (phase: Phase | 'shrink', index: number, total: number) => void;
}

/** A failing case, shrunk: enough to print it, save it and replay it exactly. */
export interface Counterexample {
  readonly kind: FailureKind;
  readonly choices: readonly (number | string)[];
  /** Plain-JSON view of the case. */
  readonly case: unknown;
  readonly size?: Readonly<Record<string, number>>;
  /** The shrunk case's outcome (absent for kind `throws`). */
  readonly outcome?: Outcome;
  readonly error?: string;
  /** The first failing case's comparison, before shrinking (shows how bad the bug is where it was found). */
  readonly first?: OutcomeSummary;
  readonly foundIn: Phase;
  readonly note?: string;
}

/** What the run found: the statement held on every case, a case failed, the check errored, the evidence was too weak, or it was not run. */
export type Finding = 'holds' | 'fails' | 'error' | 'inconclusive' | 'skipped';

export interface PropertyRun {
  readonly id: string;
  readonly statement: string;
  readonly expected: Expectation;
  readonly finding: Finding;
  readonly reason?: string;
  readonly cases: number;
  readonly evidence: Evidence;
  readonly counterexample?: Counterexample;
  readonly seed: number;
  readonly runs: number;
  readonly ms: number;
  /** Stopped by a signal before its budget was spent. */
  readonly interrupted?: boolean;
  /** Ended by a fatal error (a subject that crashed or hung): later properties cannot trust it. */
  readonly fatal?: boolean;
  readonly savedTo?: string;
  /** What happened to saved counterexamples and the store (one line each). */
  readonly storeNotes: readonly string[];
  /** Figures measured by the check (the last case's that had any). */
  readonly figures?: readonly Figure[];
}

/** Least margin a statistical failure keeps while shrinking: its error ≥ 10^0.2 ≈ 1.6× the tolerance. */
export const STATISTICAL_SHRINK_MARGIN = 0.2;

/** Case budget split: deterministic corners first, then corner-biased, random, and targeted cases. */
export function splitBudget(runs: number, shares: SearchShares = DEFAULT_SHARES): { corner: number; random: number; target: number } {
  const target = Math.floor(shares.target * runs);
  const corner = Math.min(runs - target, Math.max(Math.min(runs, CORNERS.length), Math.round(shares.corner * runs)));
  return { corner, random: runs - target - corner, target };
}

/**
 * Runs one property (claim or subject check): replays its saved counterexamples; then
 * searches — choice corners (every choice at min, max, min+1, max−1, middle; then
 * corner-biased random), random cases, and a targeted climb of the margin from the
 * worst cases found — stopping at the first failure, which it shrinks on the choice
 * sequence and saves. Never throws for a failing, throwing or fatal check: that is a
 * finding.
 */
export async function runProperty<Case>(property: Property<Case>, opts: RunOptions): Promise<PropertyRun> {
  const t0 = performance.now();
  const runs = opts.runs ?? property.defaultRuns;
  const key = opts.storeKey ?? property.id;
  const base = `${opts.seed}/${property.id}`;
  const acc = new EvidenceAccumulator();
  const notes: string[] = [];
  const plan = opts.falseAlarm;
  const arb = property.cases();
  let interrupted = false;
  let current: GeneratedCase<Case> | undefined;
  let target: Evidence['target'];
  let timeNote: string | undefined;
  let figures: readonly Figure[] | undefined;

  const expired = () => {
    if (opts.signal?.aborted) {
      interrupted = true;
      return true;
    }
    if (opts.timeLimitMs !== undefined && performance.now() - t0 > opts.timeLimitMs) {
      timeNote = `stopped after ${opts.timeLimitMs} ms (time limit)`;
      return true;
    }
    return false;
  };
  const check = async (g: GeneratedCase<Case>, phase: keyof PhaseCounts, replicate = 0): Promise<Evaluation> => {
    current = g;
    const env: CheckEnv = { falseAlarm: plan.perAssertion, replicate };
    const ev = await evaluate(property, g.value, env, opts.isFatal);
    if (ev.kind !== 'throws' && ev.outcome.figures && ev.outcome.figures.length > 0 && phase !== 'shrink') figures = ev.outcome.figures;
    if (phase !== 'shrink' && ev.kind !== 'throws') {
      const n = ev.outcome.assertions ?? property.assertionsPerCase;
      if (n === 0 && ev.outcome.z !== undefined) throw new BudgetExceededError(property.id, 0, 1, 'a statistical outcome (z) from a property that declares assertionsPerCase = 0');
      plan.charge(property.id, n);
    }
    acc.add(phase, ev);
    return ev;
  };
  const finish = (r: Pick<PropertyRun, 'finding'> & Partial<PropertyRun>): PropertyRun => ({
    id: property.id, statement: property.statement, expected: property.expected, seed: opts.seed, runs,
    cases: acc.runs,
    evidence: acc.evidence({
      falseAlarm: plan.perAssertion, assertions: plan.assertionsMade(property.id),
      ...(target ? { target } : {}),
      ...(timeNote || interrupted ? { note: interrupted ? 'interrupted' : timeNote } : {}),
    }),
    storeNotes: notes,
    ms: Math.round(performance.now() - t0),
    ...(interrupted ? { interrupted: true } : {}),
    ...(figures ? { figures } : {}),
    ...r,
  });

  let failure: { g: GeneratedCase<Case>; ev: Evaluation & { kind: FailureKind }; phase: Phase } | undefined;
  try {
    if (opts.replay) {
      const g = generateCase(arb, opts.replay.choices, { kind: 'simplest' });
      if (opts.replay.case !== undefined && JSON.stringify(describe(g.value)) !== JSON.stringify(opts.replay.case)) {
        return finish({ finding: 'error', reason: 'stale: the saved choices now build a different case than the one saved (the generator changed since); not replayed' });
      }
      opts.onCase?.('replay', 0, 1);
      const ev = await check(g, 'replayed');
      if (ev.kind !== 'holds') failure = { g, ev, phase: 'replay' };
      else return finish({ finding: 'holds' });
    }

    if (!failure && opts.store && opts.replaySaved !== false) failure = await replaySaved();

    const pool: { g: GeneratedCase<Case>; ev: Evaluation }[] = [];
    const remember = (g: GeneratedCase<Case>, ev: Evaluation) => {
      pool.push({ g, ev });
      pool.sort((a, b) => b.ev.margin - a.ev.margin);
      if (pool.length > 12) pool.length = 12;
    };
    const budget = splitBudget(runs, opts.shares);
    const total = budget.corner + budget.random + budget.target;

    if (!failure && !opts.replay) {
      const fresh = (i: number): { rule: FreshRule; phase: Phase } =>
        i < budget.corner
          ? { rule: i < CORNERS.length ? { kind: 'corner', corner: CORNERS[i] } : { kind: 'corner-mix', seed: `${base}/corner/${i}` }, phase: 'corner' }
          : { rule: { kind: 'random', seed: `${base}/random/${i}` }, phase: 'random' };
      for (let i = 0; i < budget.corner + budget.random && !failure; i++) {
        if (expired()) break;
        const { rule, phase } = fresh(i);
        opts.onCase?.(phase, i, total);
        const g = generateCase(arb, [], rule);
        const ev = await check(g, phase as 'corner' | 'random');
        if (ev.kind !== 'holds') failure = { g, ev, phase };
        else remember(g, ev);
      }
      if (!failure && budget.target > 0 && pool.length > 0 && !expired()) {
        failure = await climb(pool, budget.target, budget.corner + budget.random, total);
      }
    }

    if (!failure) {
      if (interrupted) return finish({ finding: 'inconclusive', reason: `interrupted after ${acc.runs} of ${runs} cases` });
      const weak = acc.underpoweredCases;
      if (weak > 0) {
        const d = acc.evidence().detectable;
        return finish({
          finding: 'inconclusive',
          reason: `not enough power: ${weak} of ${acc.runs} cases could not detect a discrepancy of ${fmtPct(d?.target)} at power ${d?.power ?? 0.99} (weakest detects ${fmtPct(d?.relative)})`,
        });
      }
      const unresolved = acc.unresolved;
      if (unresolved.cases > 0) {
        return finish({ finding: 'inconclusive', reason: `below resolution: ${unresolved.cases} of ${acc.runs} cases could not be decided (${unresolved.reason})` });
      }
      if (property.expected === 'refuted') return finish({ finding: 'holds', reason: `no counterexample in ${acc.runs} cases` });
      return finish({ finding: 'holds' });
    }

    // Shrink the first failure on its choice sequence, keeping its kind.
    const first = failure;
    let shrunk = first.g;
    let shrinkNote: string | undefined;
    if (first.phase !== 'saved' && first.phase !== 'replay') {
      const shrinkBudget = opts.maxShrinks ?? property.maxShrinks ?? 400;
      let n = 0;
      // A statistical failure shrinks only among cases that fail clearly (margin ≥ STATISTICAL_SHRINK_MARGIN,
      // or the first case's if smaller): the shrunk case must not be a borderline one that a stricter
      // level, or another draw, would not reproduce.
      const floor = property.assertionsPerCase > 0 ? Math.min(first.ev.margin, STATISTICAL_SHRINK_MARGIN) : -Infinity;
      const r = await shrinkChoices(arb, first.g, async (c) => {
        opts.onCase?.('shrink', n++, shrinkBudget);
        const ev = await check({ value: c, choices: [] }, 'shrink');
        return ev.kind === first.ev.kind && ev.margin >= floor;
      }, shrinkBudget);
      shrunk = r.shrunk;
    }
    let final: Evaluation = first.ev;
    if (shrunk !== first.g) {
      final = await check(shrunk, 'shrink');
      if (final.kind !== first.ev.kind) {
        shrinkNote = `the check is not deterministic: re-checking the shrunk case gave "${final.kind}" after "${first.ev.kind}"`;
        shrunk = first.g;
        final = first.ev;
      }
    }
    const cx = counterexample(shrunk, final as Evaluation & { kind: FailureKind }, first.ev, first.phase, shrinkNote);
    let savedTo: string | undefined;
    if (opts.store?.writable && opts.save !== false && first.phase !== 'saved' && first.phase !== 'replay') {
      try {
        savedTo = opts.store.save(key, stored(cx));
      } catch (e) {
        notes.push(`could not save the counterexample: ${errorLine(e)}`);
      }
    }
    const finding: Finding = cx.kind === 'throws' ? 'error' : 'fails';
    const reason = cx.kind === 'throws' ? `check threw: ${cx.error}` : undefined;
    return finish({ finding, counterexample: cx, ...(reason ? { reason } : {}), ...(savedTo ? { savedTo } : {}) });
  } catch (e) {
    if (e instanceof FatalCheckError || e instanceof BudgetExceededError) {
      const at = current;
      return finish({
        finding: 'error',
        reason: e.message,
        ...(e instanceof FatalCheckError ? { fatal: true } : {}),
        ...(at ? { counterexample: { kind: 'throws', choices: encodeChoices(valuesOf(at.choices)), case: describe(at.value), ...sizeOf(at.value), error: e.message, foundIn: 'random' } } : {}),
      });
    }
    throw e;
  }

  // ── phases ────────────────────────────────────────────────────────────────
  async function replaySaved(): Promise<typeof failure> {
    const store = opts.store!;
    const fetched = store.fetch(key);
    notes.push(...fetched.warnings);
    for (const ex of fetched.examples) {
      if (ex.property !== property.id) continue;
      let g: GeneratedCase<Case>;
      try {
        g = generateCase(arb, decodeChoices(ex.choices), { kind: 'simplest' });
      } catch (e) {
        notes.push(`saved counterexample is stale (its choices no longer build a case: ${errorLine(e)}); ignored`);
        store.delete(key, ex);
        continue;
      }
      if (JSON.stringify(describe(g.value)) !== JSON.stringify(ex.case)) {
        notes.push(`saved counterexample is stale: its choices now build a different case (the generator changed); ignored${store.writable ? ' and removed from the writable store' : ''}`);
        store.delete(key, ex);
        continue;
      }
      if (expired()) break;
      opts.onCase?.('saved', 0, fetched.examples.length);
      const ev = await check(g, 'replayed');
      if (ev.kind === ex.kind) {
        if (ev.kind === 'fails' && property.assertionsPerCase > 0 && property.expected === 'holds') {
          // A statistical failure replays on the same draws; count it only if fresh draws fail too.
          const again = await check(g, 'replayed', 1);
          if (again.kind !== 'fails') {
            notes.push('saved statistical counterexample did not fail again on fresh draws (a false alarm, or a borderline case); ignored');
            store.delete(key, ex);
            continue;
          }
        }
        notes.push('saved counterexample reproduced');
        return { g, ev: ev as Evaluation & { kind: FailureKind }, phase: 'saved' };
      }
      notes.push(`saved counterexample no longer ${ex.kind === 'throws' ? 'throws' : 'fails'}${property.expected === 'holds' && store.writable ? '; removed from the writable store' : ''}`);
      if (property.expected === 'holds') store.delete(key, ex);
    }
    return undefined;
  }

  async function climb(pool: { g: GeneratedCase<Case>; ev: Evaluation }[], steps: number, offset: number, total: number): Promise<typeof failure> {
    let k = 0;
    const r = await targetSearch(arb, pool, steps, base, async (g) => {
      if (expired()) return undefined;
      opts.onCase?.('target', offset + k++, total);
      return check(g, 'target');
    });
    target = { steps: r.steps, improvements: r.improvements, bestMargin: r.bestMargin, startMargin: r.startMargin };
    return r.failure ? { g: r.failure.g, ev: r.failure.ev as Evaluation & { kind: FailureKind }, phase: 'target' } : undefined;
  }

  function describe(c: Case): unknown {
    try {
      return plainCase(property, c);
    } catch (e) {
      return `(describeCase threw: ${errorLine(e)})`;
    }
  }

  function sizeOf(c: Case): { size?: Readonly<Record<string, number>> } {
    try {
      return property.size ? { size: property.size(c) } : {};
    } catch {
      return {};
    }
  }

  function counterexample(g: GeneratedCase<Case>, ev: Evaluation & { kind: FailureKind }, firstEv: Evaluation, foundIn: Phase, note?: string): Counterexample {
    return {
      kind: ev.kind,
      choices: encodeChoices(valuesOf(g.choices)),
      case: describe(g.value),
      ...sizeOf(g.value),
      ...(ev.kind === 'fails' ? { outcome: plainOutcome(ev.outcome) } : { error: ev.error }),
      ...(firstEv !== ev ? { first: summary(firstEv) } : {}),
      foundIn,
      ...(note ? { note } : {}),
    };
  }

  function stored(cx: Counterexample): StoredExample {
    return {
      property: property.id,
      kind: cx.kind,
      choices: cx.choices,
      case: cx.case,
      ...(cx.size ? { size: cx.size } : {}),
      outcome: cx.outcome ? summaryOfOutcome(cx.outcome) : { error: cx.error },
      ...(cx.first ? { first: cx.first } : {}),
      ...(cx.outcome?.quantities ? { quantities: cx.outcome.quantities } : {}),
      found: { seed: opts.seed, phase: cx.foundIn, date: new Date().toISOString(), scorecheckVersion: SCORECHECK_VERSION },
    };
  }
}

function plainOutcome(o: Outcome): Outcome {
  const { figures: _figures, ...rest } = o;
  return toPlain(rest) as Outcome;
}

function summaryOfOutcome(o: Outcome): OutcomeSummary {
  const pick = ['holds', 'margin', 'maxError', 'tolerance', 'metric', 'z', 'zCritical', 'float32Multiple', 'note'] as const;
  const out: Record<string, unknown> = {};
  for (const k of pick) if (o[k] !== undefined) out[k] = o[k];
  return out as OutcomeSummary;
}

function summary(ev: Evaluation): OutcomeSummary {
  return ev.kind === 'throws' ? { error: ev.error } : { ...summaryOfOutcome(ev.outcome), margin: ev.margin };
}

function fmtPct(x: number | undefined): string {
  return x === undefined ? '?' : `${(100 * x).toPrecision(2)} %`;
}

/** A property that was not run, with the reason (an op the subject does not declare, a check that cannot apply). */
export function skippedRun(p: Pick<Property, 'id' | 'statement' | 'expected' | 'defaultRuns'>, seed: number, reason: string, finding: 'skipped' | 'error' = 'skipped'): PropertyRun {
  return {
    id: p.id, statement: p.statement, expected: p.expected, finding, reason, cases: 0, seed, runs: p.defaultRuns, ms: 0, storeNotes: [],
    evidence: { runs: 0, shrinks: 0, phases: { replayed: 0, corner: 0, random: 0, target: 0, shrink: 0 } },
  };
}
