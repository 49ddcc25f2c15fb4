import fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import type { Claim } from './claim.ts';
import { loadSavedFor, saveCounterexample } from './counterexampleStore.ts';
import { type CaseEvaluation, errorLine, evaluateCase } from './evaluateCase.ts';
import { EvidenceAccumulator } from './evidenceAccumulator.ts';
import { plainCase, toPlain } from './plainCase.ts';
import { replayAndCheck } from './replay.ts';
import type { ClaimResult, CounterexampleRecord, Evidence, FailureKind, Verdict } from './verdict.ts';

/** The fast-check seed `verify` uses when none is given (and the property suite's default). */
export const DEFAULT_SEED = 20261122;

export interface ClaimRunOptions {
  /** fast-check seed of the search. */
  readonly seed: number;
  /** Cases to generate; default `claim.defaultRuns`. */
  readonly numRuns?: number;
  /**
   * Counterexample store (e.g. `fixtures/counterexamples`): a saved counterexample
   * for the claim is replayed first, and a new one is saved there. `null`: neither.
   */
  readonly counterexampleDir?: string | null;
  /**
   * A read-only store (the package's shipped counterexamples) replayed when `counterexampleDir`
   * has no file for the claim; never written to.
   */
  readonly shippedCounterexampleDir?: string | null;
  /** Save new counterexamples (default true when a store is given). */
  readonly save?: boolean;
  /** Replay the saved counterexample before searching (default true when a store is given). */
  readonly replaySaved?: boolean;
  /** Replay exactly this case instead of searching (`verify --replay seed:path`). */
  readonly replay?: { readonly seed: number; readonly path: string };
  /** Stop generating new cases after this long (the cases so far count). */
  readonly timeLimitMs?: number;
}

export interface RunResult extends ClaimResult {
  /** Where a new counterexample was saved, if one was. */
  readonly savedTo?: string;
  /** A saved counterexample that could not be read (reported, then ignored). */
  readonly storeWarning?: string;
}

/**
 * Runs one claim (docs/cli.md, "verify"): replays its saved counterexample first;
 * if that no longer fails, searches `numRuns` fast-check cases, gathering
 * evidence over all of them; shrinks the first failure (keeping its kind: a
 * case that throws shrinks among cases that throw); saves the shrunk case.
 * Never throws for a failing or throwing check: that is a verdict.
 */
export function runClaim(claim: Claim, opts: ClaimRunOptions): RunResult {
  const t0 = performance.now();
  const numRuns = opts.numRuns ?? claim.defaultRuns;
  const base = { id: claim.id, source: claim.source, statement: claim.statement, expected: claim.expected, seed: opts.seed, numRuns };
  let storeWarning: string | undefined;
  const finish = (r: Omit<RunResult, keyof typeof base | 'ms'>): RunResult => ({ ...base, ...r, ...(storeWarning ? { storeWarning } : {}), ms: Math.round(performance.now() - t0) });

  if (opts.replay) {
    const { seed, path } = opts.replay;
    const rr = replayAndCheck(claim, seed, path);
    if (!rr.evaluation) {
      return finish({ verdict: 'error', reason: `cannot replay ${seed}:${path}: ${rr.replayed.ok ? '' : rr.replayed.error}`, cases: 0, evidence: { runs: 0, shrinks: 0 } });
    }
    const acc = new EvidenceAccumulator();
    acc.add(rr.evaluation);
    const c = rr.replayed.ok ? rr.replayed.case : undefined;
    return finish(conclude(claim, rr.evaluation, acc.evidence(), record(claim, c, rr.evaluation, seed, path), `replayed ${seed}:${path}`));
  }

  const dir = opts.counterexampleDir ?? null;
  let replayNote: Evidence['replay'];
  if (dir !== null && opts.replaySaved !== false) {
    let { saved, error } = loadSavedFor(dir, claim.id);
    if (!saved && !error && opts.shippedCounterexampleDir) ({ saved, error } = loadSavedFor(opts.shippedCounterexampleDir, claim.id));
    if (error) storeWarning = error;
    if (saved) {
      const rr = replayAndCheck(claim, saved.seed, saved.path);
      if (rr.evaluation && rr.evaluation.kind === saved.kind) {
        const acc = new EvidenceAccumulator();
        acc.add(rr.evaluation);
        const c = rr.replayed.ok ? rr.replayed.case : undefined;
        const rec = record(claim, c, rr.evaluation, saved.seed, saved.path);
        return finish(conclude(claim, rr.evaluation, acc.evidence({ replay: 'reproduced' }), rec, 'saved counterexample'));
      }
      replayNote = rr.evaluation ? 'no-longer-fails' : 'not-replayable';
    }
  }

  // The search. Every call before the first failure is a generated case; every call after it is a shrink step.
  const acc = new EvidenceAccumulator();
  let firstKind: FailureKind | null = null;
  let details: fc.RunDetails<[unknown]>;
  try {
    const property = fc.property(claim.cases(), (c: unknown) => {
      const ev = evaluateCase(claim, c);
      if (firstKind === null) {
        acc.add(ev);
        if (ev.kind === 'holds') return true;
        firstKind = ev.kind;
        return false;
      }
      return ev.kind !== firstKind;
    });
    details = fc.check(property, {
      seed: opts.seed,
      numRuns,
      verbose: 0,
      ...(opts.timeLimitMs !== undefined ? { interruptAfterTimeLimit: opts.timeLimitMs, markInterruptAsFailure: false } : {}),
    });
  } catch (e) {
    // The case generator itself threw (a broken arbitrary), before any check ran.
    return finish({ verdict: 'error', reason: `cases(): ${errorLine(e)}`, cases: acc.runs, evidence: acc.evidence(replayNote ? { replay: replayNote } : {}) });
  }
  const replayExtra = replayNote ? { replay: replayNote } : {};
  const interruptedNote = details.interrupted ? { note: `stopped after ${opts.timeLimitMs} ms (time limit)` } : {};

  if (!details.failed || details.counterexample === null || details.counterexamplePath === null) {
    if (details.failed) {
      return finish({ verdict: 'error', reason: 'fast-check could not generate cases (too many skipped or interrupted)', cases: acc.runs, evidence: acc.evidence({ ...replayExtra, ...interruptedNote }) });
    }
    const evidence = acc.evidence({ ...replayExtra, ...interruptedNote });
    if (claim.expected === 'holds') return finish({ verdict: 'holds', cases: acc.runs, evidence });
    return finish({ verdict: 'counterexample', reason: `expected to be refuted, but no counterexample in ${acc.runs} cases`, cases: acc.runs, evidence });
  }

  const shrunk = details.counterexample[0];
  const final = evaluateCase(claim, shrunk);
  const path = details.counterexamplePath;
  // A deterministic check gives the same kind again; if not, report the kind the search saw.
  const effective: CaseEvaluation =
    final.kind !== 'holds' ? final
    : firstKind === 'throws' ? { kind: 'throws', error: 'threw during the search but not when re-checked' }
    : { kind: 'fails', outcome: final.outcome };
  const nondeterministic = final.kind !== firstKind ? { note: `the check is not deterministic: re-checking the shrunk case gave "${final.kind}" after "${firstKind}"` } : {};
  const rec = record(claim, shrunk, effective, opts.seed, path);
  const evidence = acc.evidence({ ...replayExtra, ...interruptedNote, ...nondeterministic, shrinks: details.numShrinks });
  const concluded = conclude(claim, effective, evidence, rec, 'shrunk');
  let savedTo: string | undefined;
  if (dir !== null && opts.save !== false) {
    try {
      savedTo = saveCounterexample(dir, claim, rec);
    } catch (e) {
      storeWarning = `could not save counterexample: ${errorLine(e)}`;
    }
  }
  return finish({ ...concluded, cases: acc.runs, ...(savedTo ? { savedTo } : {}) });
}

/** The verdict for a failing (or, in replay mode, any) evaluated case. */
function conclude(
  claim: Claim,
  ev: CaseEvaluation,
  evidence: Evidence,
  rec: CounterexampleRecord,
  how: string,
): Pick<ClaimResult, 'verdict' | 'reason' | 'cases' | 'evidence' | 'counterexample'> {
  const cases = evidence.runs;
  const at = `seed ${rec.seed}, path "${rec.path}"`;
  let verdict: Verdict;
  let reason: string | undefined;
  if (ev.kind === 'throws') {
    verdict = 'error';
    reason = `check threw (${how}, ${at}): ${ev.error}`;
  } else if (ev.kind === 'fails') {
    if (claim.expected === 'refuted') verdict = 'refuted-as-expected';
    else {
      verdict = 'counterexample';
      reason = `expected to hold; fails (${how}, ${at})`;
    }
  } else if (claim.expected === 'holds') {
    return { verdict: 'holds', cases, evidence };
  } else {
    return { verdict: 'counterexample', reason: `expected to be refuted, but the ${how} case holds`, cases, evidence };
  }
  return { verdict, ...(reason ? { reason } : {}), cases, evidence, counterexample: rec };
}

function record(claim: Claim, c: unknown, ev: CaseEvaluation, seed: number, path: string): CounterexampleRecord {
  let described: unknown;
  try {
    described = plainCase(claim, c);
  } catch (e) {
    described = `(describeCase threw: ${errorLine(e)})`;
  }
  if (ev.kind === 'throws') return { seed, path, kind: 'throws', case: described, error: ev.error };
  const o = ev.outcome;
  return {
    seed,
    path,
    kind: 'fails',
    case: described,
    ...(o.quantities ? { quantities: toPlain(o.quantities) as CounterexampleRecord['quantities'] } : {}),
    ...(o.maxError !== undefined ? { maxError: o.maxError } : {}),
    ...(o.tolerance !== undefined ? { tolerance: o.tolerance } : {}),
    ...(o.metric !== undefined ? { metric: o.metric } : {}),
    ...(o.z !== undefined ? { z: o.z } : {}),
    ...(o.zCritical !== undefined ? { zCritical: o.zCritical } : {}),
    ...(o.note !== undefined ? { note: o.note } : {}),
  };
}
