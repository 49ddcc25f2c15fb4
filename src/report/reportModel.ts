import { ScorecheckError } from '../errors.ts';
import type { PropertyRun } from '../engine/runProperty.ts';
import { VERDICTS, type Verdict, verdictIsExpected, verdictOf } from '../engine/verdict.ts';
import { SCORECHECK_VERSION } from '../version.ts';

/** Version of the JSON report schema (docs/report-schema.md). Bumped on an incompatible change. */
export const REPORT_VERSION = 2;

/** One claim's or check's entry in a report: its run, its verdict, and how to replay it. */
export interface ResultRow extends PropertyRun {
  readonly kind: 'claim' | 'check';
  /** The claim's source paper, or the check's protocol op. */
  readonly group: string;
  readonly verdict: Verdict;
  /** The verdict is the expected one. */
  readonly ok: boolean;
  /** The command that replays the counterexample exactly (when there is one). */
  readonly replay?: string;
}

export interface ReportSummary {
  readonly total: number;
  readonly asExpected: number;
  readonly unexpected: number;
  readonly inconclusive: number;
  readonly errors: number;
  readonly skipped: number;
  /** Sum of the rows' times. */
  readonly ms: number;
}

/**
 * The one report of `verify`, `check` and `merge`: what `--json` writes and `merge` reads
 * (docs/report-schema.md), rendered to console, JUnit, Markdown and HTML.
 */
export interface Report {
  readonly version: typeof REPORT_VERSION;
  readonly tool: 'scorecheck';
  readonly command: 'verify' | 'check';
  readonly scorecheckVersion: string;
  readonly seed: number;
  /** ISO-8601 time the run finished. */
  readonly date: string;
  /**
   * Every id the run was asked for before sharding (merge checks that the shards cover it),
   * and the shard of this report.
   */
  readonly selection: { readonly ids: readonly string[]; readonly shard?: { readonly index: number; readonly count: number } };
  /** The run's false-alarm budget: total, per assertion, assertions planned and made. */
  readonly falseAlarm: { readonly total: number; readonly perAssertion: number; readonly planned: number; readonly made: number };
  /** `check`: the subject as started and as it described itself. */
  readonly subject?: { readonly spec: string; readonly name?: string; readonly hello?: unknown; readonly stderrTail?: string };
  /** A failure that stopped the run before or between properties (start-up, handshake). */
  readonly fatal?: string;
  /** The run was interrupted (SIGINT): only the finished rows are here. */
  readonly interrupted?: boolean;
  /** Every verdict is the expected one, nothing errored, and the run was complete. */
  readonly ok: boolean;
  readonly summary: ReportSummary;
  readonly results: readonly ResultRow[];
}

export function summarize(rows: readonly ResultRow[]): ReportSummary {
  return {
    total: rows.length,
    asExpected: rows.filter((c) => c.ok).length,
    unexpected: rows.filter((c) => !c.ok && c.verdict !== 'error' && c.verdict !== 'inconclusive').length,
    inconclusive: rows.filter((c) => c.verdict === 'inconclusive').length,
    errors: rows.filter((c) => c.verdict === 'error').length,
    skipped: rows.filter((c) => c.verdict === 'skipped').length,
    ms: rows.reduce((s, c) => s + c.ms, 0),
  };
}

/** A report row from a run: its verdict against the expectation. */
export function resultRow(run: PropertyRun, kind: ResultRow['kind'], group: string, replay?: string): ResultRow {
  const verdict = verdictOf(run);
  return { ...run, kind, group, verdict, ok: verdictIsExpected(verdict), ...(replay && run.counterexample ? { replay } : {}) };
}

export function buildReport(rows: readonly ResultRow[], meta: Omit<Report, 'version' | 'tool' | 'scorecheckVersion' | 'date' | 'ok' | 'summary' | 'results'> & { readonly date?: Date }): Report {
  const { date, ...rest } = meta;
  return {
    version: REPORT_VERSION,
    tool: 'scorecheck',
    scorecheckVersion: SCORECHECK_VERSION,
    ...rest,
    date: (date ?? new Date()).toISOString(),
    ok: rows.every((c) => c.ok) && !meta.fatal && !meta.interrupted,
    summary: summarize(rows),
    results: rows,
  };
}

/** A report file that does not follow the schema: names the file and the field. */
export class ReportFormatError extends ScorecheckError {
  override name = 'ReportFormatError';
  constructor(
    readonly file: string,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${file}: ${field}: ${detail}`);
  }
}

/**
 * Validates a parsed JSON report against schema version 2 (the fields `merge` and the
 * writers rely on) and returns it typed, with `ok` and `summary` recomputed; throws
 * ReportFormatError naming the file and the field.
 */
export function validateReport(v: unknown, file: string): Report {
  const fail = (field: string, detail: string): never => {
    throw new ReportFormatError(file, field, detail);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('(root)', 'expected a JSON object');
  const o = v as Record<string, unknown>;
  if (o.version !== REPORT_VERSION) fail('version', `this scorecheck reads report version ${REPORT_VERSION} (got ${JSON.stringify(o.version)}; re-run the shard with this version)`);
  if (o.command !== 'verify' && o.command !== 'check') fail('command', `must be "verify" or "check" (got ${JSON.stringify(o.command)})`);
  if (typeof o.seed !== 'number' || !Number.isSafeInteger(o.seed)) fail('seed', `must be an integer (got ${JSON.stringify(o.seed)})`);
  const sel = o.selection as Record<string, unknown> | undefined;
  if (typeof sel !== 'object' || sel === null || !Array.isArray(sel.ids) || !sel.ids.every((x) => typeof x === 'string')) fail('selection.ids', 'must be an array of ids');
  if (sel!.shard !== undefined) {
    const sh = sel!.shard as Record<string, unknown>;
    if (typeof sh !== 'object' || sh === null || !Number.isInteger(sh.index) || !Number.isInteger(sh.count) || (sh.index as number) < 1 || (sh.index as number) > (sh.count as number)) fail('selection.shard', 'must be { index, count } with 1 ≤ index ≤ count');
  }
  if (!Array.isArray(o.results)) fail('results', 'must be an array');
  (o.results as unknown[]).forEach((c, i) => {
    const f = `results[${i}]`;
    if (typeof c !== 'object' || c === null) fail(f, 'must be an object');
    const r = c as Record<string, unknown>;
    if (typeof r.id !== 'string' || r.id === '') fail(`${f}.id`, 'must be a non-empty string');
    if (r.kind !== 'claim' && r.kind !== 'check') fail(`${f}.kind`, `must be "claim" or "check" (got ${JSON.stringify(r.kind)})`);
    if (r.expected !== 'holds' && r.expected !== 'refuted') fail(`${f}.expected`, `must be "holds" or "refuted" (got ${JSON.stringify(r.expected)})`);
    if (!VERDICTS.includes(r.verdict as Verdict)) fail(`${f}.verdict`, `must be one of ${VERDICTS.join(', ')} (got ${JSON.stringify(r.verdict)})`);
    if (typeof r.cases !== 'number' || !(r.cases >= 0)) fail(`${f}.cases`, 'must be a number ≥ 0');
    if (typeof r.ms !== 'number' || !(r.ms >= 0)) fail(`${f}.ms`, 'must be a number ≥ 0');
    if (typeof r.evidence !== 'object' || r.evidence === null) fail(`${f}.evidence`, 'must be an object');
  });
  const rows = (o.results as ResultRow[]).map((r) => ({ ...r, storeNotes: r.storeNotes ?? [], ok: verdictIsExpected(r.verdict) }));
  const report = o as unknown as Report;
  return { ...report, ok: rows.every((r) => r.ok) && !report.fatal && !report.interrupted, summary: summarize(rows), results: rows };
}

/**
 * Joins shard reports into one (`scorecheck merge`). Fails closed: the shards must share a
 * command, a seed and a selection, come from one shard count, cover every shard index
 * exactly once, and together hold every selected id exactly once; an id outside `known`
 * (the registry, when merging `verify` reports) is refused.
 */
export function mergeReports(reports: readonly { report: Report; file: string }[], known?: readonly string[]): Report {
  if (reports.length === 0) throw new ReportFormatError('(merge)', 'inputs', 'no reports to merge');
  const first = reports[0];
  const want = first.report.selection.ids;
  const count = first.report.selection.shard?.count ?? 1;
  const indices = new Map<number, string>();
  for (const { report, file } of reports) {
    if (report.command !== first.report.command) throw new ReportFormatError(file, 'command', `shards must come from one command (${first.file}: ${first.report.command}, this: ${report.command})`);
    if (report.seed !== first.report.seed) throw new ReportFormatError(file, 'seed', `shards must share a seed (${first.file} has ${first.report.seed}, this has ${report.seed})`);
    if (JSON.stringify(report.selection.ids) !== JSON.stringify(want)) throw new ReportFormatError(file, 'selection.ids', `shards must come from the same selection as ${first.file}`);
    const sh = report.selection.shard ?? { index: 1, count: 1 };
    if (sh.count !== count) throw new ReportFormatError(file, 'selection.shard.count', `shards must share a shard count (${first.file}: ${count}, this: ${sh.count})`);
    const prev = indices.get(sh.index);
    if (prev) throw new ReportFormatError(file, 'selection.shard.index', `shard ${sh.index}/${count} given twice (also ${prev})`);
    indices.set(sh.index, file);
  }
  const missingShards = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !indices.has(i));
  if (missingShards.length > 0) throw new ReportFormatError('(merge)', 'shards', `incomplete: missing shard${missingShards.length === 1 ? '' : 's'} ${missingShards.map((i) => `${i}/${count}`).join(', ')} of ${count}`);
  const byId = new Map<string, { row: ResultRow; file: string }>();
  for (const { report, file } of reports) {
    for (const row of report.results) {
      if (known && !known.includes(row.id)) throw new ReportFormatError(file, `results[id=${row.id}]`, 'unknown id (not in this scorecheck\'s registry)');
      if (!want.includes(row.id)) throw new ReportFormatError(file, `results[id=${row.id}]`, 'not in the run\'s selection');
      const prev = byId.get(row.id);
      if (prev) throw new ReportFormatError(file, `results[id=${row.id}]`, `also in ${prev.file}: shards overlap`);
      byId.set(row.id, { row, file });
    }
  }
  const interrupted = reports.some((r) => r.report.interrupted);
  const missing = want.filter((id) => !byId.has(id));
  if (missing.length > 0 && !interrupted) throw new ReportFormatError('(merge)', 'results', `incomplete: no result for ${missing.length} selected id${missing.length === 1 ? '' : 's'} (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`);
  const rows = want.filter((id) => byId.has(id)).map((id) => byId.get(id)!.row);
  const fatal = reports.map((r) => r.report.fatal).filter(Boolean).join('; ');
  const made = reports.reduce((s, r) => s + r.report.falseAlarm.made, 0);
  return buildReport(rows, {
    command: first.report.command,
    seed: first.report.seed,
    selection: { ids: want },
    falseAlarm: { ...first.report.falseAlarm, made },
    ...(first.report.subject ? { subject: first.report.subject } : {}),
    ...(fatal ? { fatal } : {}),
    ...(interrupted ? { interrupted } : {}),
    date: new Date(reports.map((r) => r.report.date).sort().at(-1)!),
  });
}
