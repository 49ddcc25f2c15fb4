import { ScorecheckError } from '../errors.ts';
import { CLAIM_SOURCES } from '../claims/claim.ts';
import { SCORECHECK_VERSION } from '../claims/scorecheckVersion.ts';
import { type ClaimResult, VERDICTS, verdictIsExpected } from '../claims/verdict.ts';

/** Version of the JSON report schema (docs/report-schema.md). Bump on an incompatible change. */
export const REPORT_VERSION = 1;

/** One claim's entry in a report: a ClaimResult plus whether its verdict is the expected one. */
export interface ClaimReport extends ClaimResult {
  readonly ok: boolean;
  /** Set by `verify` when it saved a new counterexample file. */
  readonly savedTo?: string;
}

/** The `verify` report: what `--json` writes and `merge` reads (docs/report-schema.md). */
export interface VerifyReport {
  readonly version: typeof REPORT_VERSION;
  readonly tool: 'scorecheck';
  readonly scorecheckVersion: string;
  readonly seed: number;
  /** ISO-8601 time the run finished. */
  readonly date: string;
  /** `--shard i/n` of the run; absent for a whole (or merged) run. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Every verdict is what the registry expects. */
  readonly ok: boolean;
  readonly summary: ReportSummary;
  readonly claims: readonly ClaimReport[];
}

export interface ReportSummary {
  readonly total: number;
  readonly asExpected: number;
  readonly unexpected: number;
  readonly errors: number;
  /** Sum of the claims' times. */
  readonly ms: number;
}

export function summarize(claims: readonly ClaimReport[]): ReportSummary {
  return {
    total: claims.length,
    asExpected: claims.filter((c) => c.ok).length,
    unexpected: claims.filter((c) => !c.ok && c.verdict !== 'error').length,
    errors: claims.filter((c) => c.verdict === 'error').length,
    ms: claims.reduce((s, c) => s + c.ms, 0),
  };
}

export function buildReport(
  results: readonly (ClaimResult & { savedTo?: string })[],
  opts: { seed: number; shard?: { index: number; count: number }; date?: Date },
): VerifyReport {
  const claims: ClaimReport[] = results.map((r) => ({ ...r, ok: verdictIsExpected(r.verdict) }));
  return {
    version: REPORT_VERSION,
    tool: 'scorecheck',
    scorecheckVersion: SCORECHECK_VERSION,
    seed: opts.seed,
    date: (opts.date ?? new Date()).toISOString(),
    ...(opts.shard ? { shard: opts.shard } : {}),
    ok: claims.every((c) => c.ok),
    summary: summarize(claims),
    claims,
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
 * Validates a parsed JSON report against schema version 1 (the fields `merge`
 * and the writers rely on) and returns it typed; throws ReportFormatError.
 */
export function validateReport(v: unknown, file: string): VerifyReport {
  const fail = (field: string, detail: string): never => {
    throw new ReportFormatError(file, field, detail);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('(root)', 'expected a JSON object');
  const o = v as Record<string, unknown>;
  if (o.version !== REPORT_VERSION) fail('version', `this scorecheck reads report version ${REPORT_VERSION} (got ${JSON.stringify(o.version)})`);
  if (typeof o.seed !== 'number' || !Number.isSafeInteger(o.seed)) fail('seed', `must be an integer (got ${JSON.stringify(o.seed)})`);
  if (!Array.isArray(o.claims)) fail('claims', 'must be an array');
  const claims = o.claims as unknown[];
  claims.forEach((c, i) => {
    const f = `claims[${i}]`;
    if (typeof c !== 'object' || c === null) fail(f, 'must be an object');
    const r = c as Record<string, unknown>;
    if (typeof r.id !== 'string' || r.id === '') fail(`${f}.id`, 'must be a non-empty string');
    if (!CLAIM_SOURCES.includes(r.source as never)) fail(`${f}.source`, `must be one of ${CLAIM_SOURCES.join(', ')} (got ${JSON.stringify(r.source)})`);
    if (r.expected !== 'holds' && r.expected !== 'refuted') fail(`${f}.expected`, `must be "holds" or "refuted" (got ${JSON.stringify(r.expected)})`);
    if (!VERDICTS.includes(r.verdict as never)) fail(`${f}.verdict`, `must be one of ${VERDICTS.join(', ')} (got ${JSON.stringify(r.verdict)})`);
    if (typeof r.cases !== 'number' || !(r.cases >= 0)) fail(`${f}.cases`, 'must be a number ≥ 0');
    if (typeof r.ms !== 'number' || !(r.ms >= 0)) fail(`${f}.ms`, 'must be a number ≥ 0');
    if (typeof r.evidence !== 'object' || r.evidence === null) fail(`${f}.evidence`, 'must be an object');
    const ev = r.evidence as Record<string, unknown>;
    if (typeof ev.runs !== 'number') fail(`${f}.evidence.runs`, 'must be a number');
    if (r.counterexample !== undefined) {
      const cx = r.counterexample as Record<string, unknown>;
      if (typeof cx !== 'object' || cx === null) fail(`${f}.counterexample`, 'must be an object');
      if (typeof cx.seed !== 'number' || typeof cx.path !== 'string') fail(`${f}.counterexample`, 'needs a numeric seed and a string path');
    }
  });
  // Fill what older writers may omit, recomputing the derived fields.
  const full = (claims as Record<string, unknown>[]).map((c) => ({
    statement: '',
    seed: o.seed as number,
    numRuns: c.cases as number,
    ...c,
    ok: verdictIsExpected(c.verdict as ClaimReport['verdict']),
  })) as unknown as ClaimReport[];
  return {
    version: REPORT_VERSION,
    tool: 'scorecheck',
    scorecheckVersion: typeof o.scorecheckVersion === 'string' ? o.scorecheckVersion : 'unknown',
    seed: o.seed as number,
    date: typeof o.date === 'string' ? o.date : new Date(0).toISOString(),
    ...(o.shard ? { shard: o.shard as VerifyReport['shard'] } : {}),
    ok: full.every((c) => c.ok),
    summary: summarize(full),
    claims: full,
  } as VerifyReport;
}

/**
 * Joins shard reports into one (`scorecheck merge`): same seed required, claim
 * ids must not repeat; claims are ordered by `order` (the registry) when given,
 * unknown ids last in input order.
 */
export function mergeReports(reports: readonly { report: VerifyReport; file: string }[], order: readonly string[] = []): VerifyReport {
  if (reports.length === 0) throw new ReportFormatError('(merge)', 'inputs', 'no reports to merge');
  const seed = reports[0].report.seed;
  const byId = new Map<string, { c: ClaimReport; file: string }>();
  for (const { report, file } of reports) {
    if (report.seed !== seed) throw new ReportFormatError(file, 'seed', `shards must share a seed (${reports[0].file} has ${seed}, this has ${report.seed})`);
    for (const c of report.claims) {
      const prev = byId.get(c.id);
      if (prev) throw new ReportFormatError(file, `claims[id=${c.id}]`, `also in ${prev.file}: shards overlap`);
      byId.set(c.id, { c, file });
    }
  }
  const rank = new Map(order.map((id, i) => [id, i]));
  const all = [...byId.values()].map((x, i) => ({ ...x, i }));
  all.sort((a, b) => (rank.get(a.c.id) ?? order.length + a.i) - (rank.get(b.c.id) ?? order.length + b.i));
  const claims = all.map((x) => x.c);
  const latest = reports.map((r) => r.report.date).sort().at(-1)!;
  return {
    version: REPORT_VERSION,
    tool: 'scorecheck',
    scorecheckVersion: SCORECHECK_VERSION,
    seed,
    date: latest,
    ok: claims.every((c) => c.ok),
    summary: summarize(claims),
    claims,
  };
}
