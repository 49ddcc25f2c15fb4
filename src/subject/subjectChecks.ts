import { FalseAlarmPlan, RUN_FALSE_ALARM } from '../engine/falseAlarmPlan.ts';
import type { Property } from '../engine/property.ts';
import type { ReplayCase } from '../engine/replaySpec.ts';
import { runAll } from '../engine/runAll.ts';
import { type Phase, type PropertyRun, runProperty, skippedRun } from '../engine/runProperty.ts';
import { matches } from '../engine/selectProperties.ts';
import type { ExampleStore } from '../engine/store/exampleStore.ts';
import { InvalidArgumentError } from '../errors.ts';
import { checkProperty, scheduleProperty, SCHEDULE_CHECK_ID } from './checkProperty.ts';
import { type CheckContext, SUBJECT_CHECKS } from './checks/index.ts';
import { OP_NAMES, type OpName } from './protocol.ts';
import type { Subject } from './subject.ts';
import { SubjectFatalError } from './subjectError.ts';
import type { SubjectSchedule } from './subjectSchedule.ts';
import { SAMPLER_CHECK_IDS, samplerCheckContext, samplerCheckFamily, samplerProperties } from './checks/sampler/index.ts';
import { FLOW_CHECKS, type FlowCheckContext } from './checks/flow/index.ts';
import { subjectPrecision } from './roundingTolerance.ts';

/**
 * Relative tolerance of exact comparisons. float64: u = 1.1e−16 and every expected value is
 * a sum of ≤ 3d² + 10 terms, so a correct subject is within ~1e−13·scale even in another
 * evaluation order; 1e−9 leaves 10⁴ of margin while every catalogued bug changes a
 * coefficient by ≥ 5e−5 relative. float32 (u = 6e−8): 1e−4, same reasoning.
 */
export const RTOL = { float64: 1e-9, float32: 1e-4 } as const;

/** Every check id (the schedule's first), for --only and the help. */
export const CHECK_IDS: readonly string[] = [SCHEDULE_CHECK_ID, ...SUBJECT_CHECKS.map((c) => c.id),
  // version 2: one property per declared sampler, `<check>:<sampler>` (src/subject/checks/sampler)
  ...SAMPLER_CHECK_IDS,
  // issue 19: the flow-matching checks (no ᾱ table needed)
  ...FLOW_CHECKS.map((c) => c.id)];

export interface SubjectRunOptions {
  readonly seed: number;
  /** Cases per check (default: each check's own). */
  readonly runs?: number;
  /** Check ids, op names, prefixes or globs; default every check. */
  readonly only?: readonly string[];
  /** Ops whose absence is an error (not a skip). */
  readonly requireOps?: readonly OpName[];
  readonly store?: ExampleStore;
  readonly save?: boolean;
  readonly replaySaved?: boolean;
  readonly replay?: ReadonlyMap<string, ReplayCase>;
  readonly bail?: boolean;
  readonly timeLimitMs?: number;
  readonly signal?: AbortSignal;
  readonly onCase?: (id: string, phase: Phase | 'shrink', index: number, total: number) => void;
}

/** One check's run and the op it checks. */
export interface CheckRun {
  readonly run: PropertyRun;
  readonly op: string;
}

export interface SubjectRun {
  /** In check order (schedule first); skipped and errored checks included, with their reasons. */
  readonly results: CheckRun[];
  readonly plan: FalseAlarmPlan;
  readonly selected: readonly string[];
  readonly interrupted: boolean;
}

/** Store key of a check's examples for one subject: `check/<subject name>/<check id>`. */
export function subjectStoreKey(subjectName: string, checkId: string): string {
  const slug = subjectName.replace(/[^A-Za-z0-9._@+-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'subject';
  return `check/${slug}/${checkId}`;
}

/**
 * Does `pattern` name one declared sampler's instance of the sampler check `family`
 * (`sample.exact.ddim`, or a glob such as `sample.*.ddim`)? Those ids exist only once the
 * subject has said which samplers it declares, so --only accepts them by their family.
 */
function samplerInstanceOf(family: string, pattern: string): boolean {
  if (!SAMPLER_CHECK_IDS.includes(family)) return false;
  if (/[*?]/.test(pattern)) {
    // A glob that selects checks by their own ids (`*.exact`) is a check glob: read as an instance
    // glob its last segment would be a sampler name and `*.exact` would pull in every sampler family.
    if (CHECK_IDS.some((id) => matches(id, pattern))) return false;
    return matches(`${family}.x`, pattern.replace(/\.[^.]*$/, '.x')) || matches(`${family}.x`, pattern);
  }
  // An instance id has one more segment than its family (`sample.exact` + `.ddim`).
  return pattern.startsWith(`${family}.`) && pattern.split('.').length === family.split('.').length + 1;
}

/** The checks --only selects (ids, op names, prefixes, globs); a pattern that matches nothing is an error. */
export function selectChecks(only: readonly string[] | undefined): string[] {
  if (!only || only.length === 0) return [...CHECK_IDS];
  const ops = new Map<string, string>([[SCHEDULE_CHECK_ID, 'schedule'], ...SUBJECT_CHECKS.map((c) => [c.id, c.op] as [string, string]), ...SAMPLER_CHECK_IDS.map((id) => [id, 'sample'] as [string, string]), ...FLOW_CHECKS.map((c) => [c.id, c.op] as [string, string])]);
  const picked = new Set<string>();
  for (const pat of only) {
    const hits = CHECK_IDS.filter((id) => matches(id, pat) || ops.get(id) === pat || samplerInstanceOf(id, pat));
    if (hits.length === 0) throw new InvalidArgumentError('--only', pat, `matches no check or op (checks: ${CHECK_IDS.join(', ')}; ops: ${OP_NAMES.join(', ')})`);
    for (const h of hits) picked.add(h);
  }
  return CHECK_IDS.filter((id) => picked.has(id));
}

/**
 * Runs the selected checks on a started subject through the engine (src/engine): the
 * schedule first (every other check compares against the subject's own ᾱ table), then
 * every declared op's checks, one false-alarm plan over the statistical ones. Undeclared
 * ops are listed as skipped with the reason — or as errors when required (`requireOps`, or
 * named exactly in `only`). A subject that crashes or hangs ends its check with an error
 * and the remaining checks are listed as not run. Never throws for subject misbehaviour.
 */
export async function runSubjectChecks(subject: Subject, opts: SubjectRunOptions): Promise<SubjectRun> {
  const hello = subject.hello;
  const selected = selectChecks(opts.only);
  const explicit = new Set((opts.only ?? []).filter((o) => CHECK_IDS.includes(o) || OP_NAMES.includes(o as OpName)));
  const required = new Set<string>(opts.requireOps ?? []);
  const defs = SUBJECT_CHECKS.filter((d) => selected.includes(d.id));
  const declared = (op: string) => op in hello.ops;
  const flowDefs = FLOW_CHECKS.filter((d) => selected.includes(d.id));
  const plan = new FalseAlarmPlan(RUN_FALSE_ALARM, [...defs, ...flowDefs].filter((d) => declared(d.op)).map((d) => ({ id: d.id, assertionsPerCase: d.assertionsPerCase, runs: opts.runs ?? d.defaultRuns })));
  const key = (id: string) => subjectStoreKey(hello.name, id);
  const common = {
    falseAlarm: plan, isFatal: (e: unknown) => e instanceof SubjectFatalError,
    ...(opts.store ? { store: opts.store } : {}),
    ...(opts.save !== undefined ? { save: opts.save } : {}),
    ...(opts.replaySaved !== undefined ? { replaySaved: opts.replaySaved } : {}),
    ...(opts.timeLimitMs !== undefined ? { timeLimitMs: opts.timeLimitMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  const rows: CheckRun[] = [];
  const row = (run: PropertyRun, op: string) => rows.push({ run, op });
  const missing = (id: string, op: string, statement: string) => {
    const needed = required.has(op) || explicit.has(id) || explicit.has(op);
    row(skippedRun({ id, statement, expected: 'holds', defaultRuns: 0 }, opts.seed, needed ? `op "${op}" is required (${required.has(op) ? '--require-ops' : '--only'}) but not declared in the subject's hello` : `op "${op}" not declared by the subject`, needed ? 'error' : 'skipped'), op);
  };

  // 1. The schedule.
  let schedule: SubjectSchedule | undefined;
  let stop: string | undefined;
  const sched = scheduleProperty(subject, (s) => (schedule = s));
  const needSchedule = selected.includes(SCHEDULE_CHECK_ID) || defs.some((d) => declared(d.op));
  if (!declared('schedule')) {
    if (needSchedule) missing(SCHEDULE_CHECK_ID, 'schedule', sched.statement);
    stop = 'needs the subject’s schedule (op "schedule" not declared)';
  } else if (needSchedule) {
    const r = await runProperty(sched, { ...common, seed: opts.seed, runs: 1, storeKey: key(sched.id), replaySaved: false, save: false });
    if (selected.includes(SCHEDULE_CHECK_ID)) row(r, 'schedule');
    if (!schedule) stop = r.finding === 'error' ? `not run: the subject failed during the schedule request (${r.reason})` : 'not run: the subject’s schedule is invalid';
  }
  const ctx: CheckContext | undefined = schedule && { subject, hello, schedule, rtol: RTOL[hello.precision ?? 'float64'] };

  // 2. Every other selected check.
  const runnable: Property[] = [];
  const opOf = new Map<string, string>();
  for (const def of defs) {
    opOf.set(def.id, def.op);
    if (!declared(def.op)) missing(def.id, def.op, def.title);
    else if (stop || !ctx) row(skippedRun({ id: def.id, statement: def.title, expected: 'holds', defaultRuns: def.defaultRuns }, opts.seed, stop ?? 'no schedule'), def.op);
    else {
      const why = def.unavailable?.(ctx);
      if (why) row(skippedRun({ id: def.id, statement: def.title, expected: 'holds', defaultRuns: def.defaultRuns }, opts.seed, why), def.op);
      else runnable.push(checkProperty(def, ctx));
    }
  }
  // Version 2: the sampler checks of every declared sampler. They read the subject's table
  // themselves (a zero-terminal-SNR last entry allowed), so they do not wait on schedule.valid.
  const samplerIds = SAMPLER_CHECK_IDS.filter((id) => selected.includes(id));
  if (samplerIds.length > 0) {
    if (!declared('sample')) {
      for (const id of samplerIds) missing(id, 'sample', `${id} of every declared sampler`);
    } else {
      try {
        const sctx = await samplerCheckContext(subject);
        // Patterns naming one sampler's instance (`sample.exact.ddim`) keep only the instances they match.
        const instancePatterns = (opts.only ?? []).filter((pat) => samplerIds.some((f) => samplerInstanceOf(f, pat)) && !samplerIds.some((f) => matches(f, pat) || pat === 'sample'));
        for (const p of samplerProperties(sctx)) {
          if (!samplerIds.includes(samplerCheckFamily(p.id))) continue;
          const family = samplerCheckFamily(p.id);
          const byFamily = (opts.only ?? []).some((pat) => matches(family, pat) || pat === 'sample');
          if (instancePatterns.length > 0 && !byFamily && !instancePatterns.some((pat) => matches(p.id, pat))) continue;
          runnable.push(p);
          opOf.set(p.id, 'sample');
        }
      } catch (e) {
        for (const id of samplerIds) row(skippedRun({ id, statement: `${id} of every declared sampler`, expected: 'holds', defaultRuns: 0 }, opts.seed, `the sampler checks could not start: ${(e as Error).message}`, 'error'), 'sample');
      }
    }
  }
  // 3. The flow-matching checks (issue 19): the path is the hello's `flow` section, no ᾱ table.
  const flowCtx: FlowCheckContext | undefined = hello.flow && { subject, hello, flow: hello.flow, precision: subjectPrecision(hello) };
  for (const def of flowDefs) {
    opOf.set(def.id, def.op);
    if (!declared(def.op) || !flowCtx) missing(def.id, def.op, def.title);
    else runnable.push(checkProperty(def, flowCtx));
  }
  const order = new Map(CHECK_IDS.map((id, i) => [id, i]));
  let fatal: string | undefined;
  const result = await runAll(runnable, {
    ...common, seed: opts.seed,
    ...(opts.runs !== undefined ? { runs: opts.runs } : {}),
    ...(opts.bail ? { bail: true } : {}),
    ...(opts.replay ? { replay: opts.replay } : {}),
    storeKey: (p) => key(p.id),
    stopAfter: (r) => {
      if (r.fatal) fatal = `not run: the subject stopped working during ${r.id}`;
      return r.fatal === true;
    },
    ...(opts.onCase ? { onCase: (p, phase, k, n) => opts.onCase!(p.id, phase, k, n) } : {}),
  });
  for (const r of result.runs) row(r, opOf.get(r.id)!);
  for (const p of runnable.slice(result.runs.length)) {
    if (result.interrupted) break;
    row(skippedRun(p, opts.seed, fatal ?? (opts.bail ? 'not run: --bail after an unexpected verdict' : 'not run')), opOf.get(p.id)!);
  }
  rows.sort((a, b) => (order.get(samplerCheckFamily(a.run.id)) ?? 0) - (order.get(samplerCheckFamily(b.run.id)) ?? 0));
  return { results: rows, plan, selected, interrupted: result.interrupted };
}
