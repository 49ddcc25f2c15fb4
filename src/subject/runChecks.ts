import fc from 'fast-check';
import { perAssertionFalseAlarm } from '../mc/falseAlarmBudget.ts';
import { type CaseOutcome, type CheckContext, type CheckDefinition, SCHEDULE_CHECK_ID, SUBJECT_CHECKS } from './checks/index.ts';
import type { OpName } from './protocol.ts';
import type { Subject } from './subject.ts';
import { InvalidResponseError, SubjectFatalError, SubjectReplyError } from './subjectError.ts';
import { ScheduleInvalidError, type SubjectSchedule, fetchSchedule } from './subjectSchedule.ts';

/** The budget family of the statistical checks (src/mc/falseAlarmBudget.ts). */
export const SUBJECT_MC_FAMILY = 'subject.mc';

/**
 * Relative tolerance of exact comparisons. float64: u = 1.1e−16 and every expected value is
 * a sum of ≤ 3d² + 10 terms, so a correct subject is within ~1e−13·scale even in another
 * evaluation order; 1e−9 leaves 10⁴ of margin while every catalogued bug changes a
 * coefficient by ≥ 5e−5 relative. float32 (u = 6e−8): 1e−4, same reasoning.
 */
export const RTOL = { float64: 1e-9, float32: 1e-4 } as const;

export type CheckStatus = 'pass' | 'fail' | 'error' | 'skipped';

export interface CheckResult {
  readonly id: string;
  readonly op: OpName;
  readonly title: string;
  readonly kind: 'exact' | 'statistical';
  readonly status: CheckStatus;
  readonly reason?: string;
  /** fast-check runs executed (before shrinking) and shrink steps. */
  readonly runs: number;
  readonly shrinks: number;
  /** Subject requests this check made (runs + shrinking + the final replay). */
  readonly calls: number;
  readonly seed: number;
  /** fast-check path of the counterexample (replay with the same seed). */
  readonly path?: string;
  readonly counterexample?: { readonly size: { d: number; batch: number }; readonly case: unknown; readonly outcome: CaseOutcome };
  readonly error?: { readonly kind: string; readonly op: string; readonly requestId: number; readonly message: string };
  /** Statistical checks: α of one assertion and how many assertions were made. */
  readonly falseAlarm?: number;
  readonly assertions?: number;
}

export interface RunOptions {
  /** fast-check runs of each exact check (default 40). */
  readonly runs?: number;
  /** Runs of each statistical check (default ⌈runs/10⌉). */
  readonly statisticalRuns?: number;
  readonly seed?: number;
  /** Restrict to these check ids or op names. */
  readonly only?: readonly string[];
}

function totalCalls(s: Subject): number {
  return Object.values(s.callCounts).reduce((a, b) => a + b, 0);
}

function errorOf(e: SubjectFatalError): CheckResult['error'] {
  return { kind: e.kind, op: e.ref.op, requestId: e.ref.requestId, message: e.message };
}

function outcomeOfError(e: SubjectReplyError | InvalidResponseError): CaseOutcome {
  return { ok: false, requestId: e.ref.requestId, op: e.ref.op as OpName, note: e.message };
}

/** Runs every declared check against a started subject; never throws for subject misbehaviour. */
export async function runChecks(subject: Subject, opts: RunOptions = {}): Promise<CheckResult[]> {
  const seed = opts.seed ?? 20261122;
  const runs = opts.runs ?? 40;
  const statRuns = opts.statisticalRuns ?? Math.max(1, Math.ceil(runs / 10));
  const wanted = (id: string, op: string) => !opts.only || opts.only.length === 0 || opts.only.includes(id) || opts.only.includes(op);
  const explicitly = (id: string, op: string) => !!opts.only?.some((o) => o === id || o === op);
  const hello = subject.hello;
  const results: CheckResult[] = [];
  const base = (def: { id: string; op: OpName; title: string; kind: 'exact' | 'statistical' }) => ({ id: def.id, op: def.op, title: def.title, kind: def.kind, seed, runs: 0, shrinks: 0, calls: 0 });
  const scheduleDef = { id: SCHEDULE_CHECK_ID, op: 'schedule' as const, title: 'schedule: ᾱ finite, in (0,1), strictly decreasing; t_base ∈ {0,1}', kind: 'exact' as const };

  // 1. The schedule: every other check compares against the subject's own ᾱ table.
  let sched: SubjectSchedule | undefined;
  let stop: string | undefined;
  const needSchedule = SUBJECT_CHECKS.some((c) => wanted(c.id, c.op) && c.op in hello.ops) || wanted(scheduleDef.id, 'schedule');
  if (!('schedule' in hello.ops)) {
    if (needSchedule) {
      const undeclared = explicitly(scheduleDef.id, 'schedule');
      results.push({ ...base(scheduleDef), status: undeclared ? 'error' : 'skipped', reason: 'op "schedule" not declared by the subject; every other check needs the subject’s ᾱ table', ...(undeclared ? { error: { kind: 'undeclared', op: 'schedule', requestId: -1, message: 'op "schedule" was requested but not declared in the hello' } } : {}) });
    }
    stop = 'needs the subject’s schedule (op "schedule" not declared)';
  } else {
    const before = totalCalls(subject);
    try {
      sched = await fetchSchedule(subject);
      results.push({ ...base(scheduleDef), status: 'pass', runs: 1, calls: totalCalls(subject) - before, reason: `T = ${sched.schedule.T}, t_base = ${sched.tBase}, ᾱ from ${sched.schedule.alphaBar(1)} to ${sched.schedule.alphaBar(sched.schedule.T)}` });
    } catch (e) {
      const calls = totalCalls(subject) - before;
      if (e instanceof SubjectFatalError) {
        results.push({ ...base(scheduleDef), status: 'error', calls, reason: e.message, error: errorOf(e) });
        stop = `not run: the subject failed during the schedule request (${e.kind})`;
      } else if (e instanceof ScheduleInvalidError || e instanceof InvalidResponseError || e instanceof SubjectReplyError) {
        const requestId = e instanceof ScheduleInvalidError ? e.requestId : e.ref.requestId;
        results.push({ ...base(scheduleDef), status: 'fail', runs: 1, calls, reason: e.message, counterexample: { size: { d: 0, batch: 1 }, case: {}, outcome: { ok: false, requestId, op: 'schedule', note: e.message } } });
        stop = 'not run: the subject’s schedule is invalid';
      } else throw e;
    }
  }

  const ctx: CheckContext | undefined = sched && {
    subject,
    hello,
    schedule: sched,
    rtol: RTOL[hello.precision ?? 'float64'],
    falseAlarm: perAssertionFalseAlarm(SUBJECT_MC_FAMILY),
  };

  // 2. Every other check.
  for (const def of SUBJECT_CHECKS) {
    if (!wanted(def.id, def.op)) continue;
    if (!(def.op in hello.ops)) {
      if (explicitly(def.id, def.op)) {
        results.push({ ...base(def), status: 'error', reason: `op "${def.op}" was requested but is not declared in the subject's hello`, error: { kind: 'undeclared', op: def.op, requestId: -1, message: `op "${def.op}" not declared` } });
      } else results.push({ ...base(def), status: 'skipped', reason: `op "${def.op}" not declared` });
      continue;
    }
    if (stop || !ctx) {
      results.push({ ...base(def), status: 'skipped', reason: stop ?? 'no schedule' });
      continue;
    }
    const why = def.unavailable?.(ctx);
    if (why) {
      results.push({ ...base(def), status: 'skipped', reason: why });
      continue;
    }
    const r = await runOne(def, ctx, def.kind === 'statistical' ? statRuns : runs, seed);
    results.push(r);
    if (r.status === 'error' && r.error?.kind !== 'undeclared') stop = `not run: the subject stopped working during ${def.id} (${r.error?.kind})`;
  }
  return results;
}

async function runOne<Case>(def: CheckDefinition<Case>, ctx: CheckContext, numRuns: number, seed: number): Promise<CheckResult> {
  const before = totalCalls(ctx.subject);
  let fatal: SubjectFatalError | undefined;
  let fatalCase: Case | undefined;
  let internal: Error | undefined;
  let evaluations = 0;
  const prop = fc.asyncProperty(def.cases(ctx), async (c: Case) => {
    if (fatal || internal) return true;
    evaluations++;
    try {
      return (await def.run(ctx, c)).ok;
    } catch (e) {
      if (e instanceof SubjectReplyError || e instanceof InvalidResponseError) return false;
      if (e instanceof SubjectFatalError) {
        fatal = e;
        fatalCase = c;
      } else internal = e as Error;
      return true;
    }
  });
  const details = await fc.check(prop, { seed, numRuns });
  const common = {
    id: def.id, op: def.op, title: def.title, kind: def.kind, seed,
    runs: details.numRuns, shrinks: details.numShrinks,
    ...(def.kind === 'statistical' ? { falseAlarm: ctx.falseAlarm, assertions: details.numRuns * def.assertionsPerRun } : {}),
  };
  if (fatal) {
    return {
      ...common, status: 'error', calls: totalCalls(ctx.subject) - before, reason: fatal.message, error: errorOf(fatal),
      counterexample: fatalCase === undefined ? undefined : { size: def.size(fatalCase), case: fatalCase, outcome: { ok: false, requestId: fatal.ref.requestId, op: def.op, note: fatal.message } },
    };
  }
  if (internal) {
    return { ...common, status: 'error', calls: totalCalls(ctx.subject) - before, reason: `internal error in scorecheck: ${internal.message}`, error: { kind: 'internal', op: def.op, requestId: -1, message: internal.stack ?? internal.message } };
  }
  if (!details.failed || !details.counterexample) {
    return { ...common, status: 'pass', calls: totalCalls(ctx.subject) - before };
  }
  // Replay the shrunk case once to capture the request, expected and got.
  const c = details.counterexample[0] as Case;
  let outcome: CaseOutcome;
  try {
    outcome = await def.run(ctx, c);
  } catch (e) {
    if (e instanceof SubjectReplyError || e instanceof InvalidResponseError) outcome = outcomeOfError(e);
    else if (e instanceof SubjectFatalError) outcome = { ok: false, requestId: e.ref.requestId, op: def.op, note: e.message };
    else throw e;
  }
  void evaluations;
  return {
    ...common,
    status: 'fail',
    calls: totalCalls(ctx.subject) - before,
    path: details.counterexamplePath ?? undefined,
    reason: outcome.note ?? (outcome.ok ? 'failed during shrinking but passed on replay (statistical check)' : 'mismatch'),
    counterexample: { size: def.size(c), case: c, outcome },
  };
}
