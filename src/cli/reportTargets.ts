import { resolve } from 'node:path';
import { errorLine } from '../engine/evaluate.ts';
import type { Claim } from '../claims/claim.ts';
import type { ClaimExtras } from '../report/htmlReport.ts';
import { htmlReport } from '../report/htmlReport.ts';
import { jsonReport } from '../report/jsonReport.ts';
import { junitReport } from '../report/junitReport.ts';
import { markdownReport } from '../report/markdownReport.ts';
import type { Report } from '../report/reportModel.ts';
import type { ReportTarget } from '../report/writeReports.ts';
import { UsageError } from './usageError.ts';

/** The report options shared by `verify`, `check` and `merge`. */
export const REPORT_OPTIONS = {
  json: { type: 'string' },
  junit: { type: 'string' },
  markdown: { type: 'string' },
  html: { type: 'string' },
} as const;

export const REPORT_HELP = `Reports (each written independently and atomically; - means standard output)
  --json FILE            JSON report (docs/report-schema.md)
  --junit FILE           JUnit XML (CI test tabs)
  --markdown FILE        Markdown, APPENDED to FILE (fits "$GITHUB_STEP_SUMMARY")
  --html FILE            single-file HTML report with plots`;

const KINDS = ['json', 'junit', 'markdown', 'html'] as const;

/**
 * Checks the report options before a run: two options naming one path, or two reports
 * on standard output, are usage errors (one would silently overwrite the other).
 * Returns whether a report goes to standard output (the console table then goes to stderr).
 */
export function checkReportOptions(opts: Readonly<Record<string, unknown>>, cwd: string): { toStdout: boolean } {
  const seen = new Map<string, string>();
  for (const k of KINDS) {
    const f = opts[k];
    if (typeof f !== 'string') continue;
    const at = f === '-' ? '-' : resolve(cwd, f);
    const prev = seen.get(at);
    if (prev) throw new UsageError(`--${prev} and --${k} both write ${f === '-' ? 'to standard output' : `"${f}"`}: give each report its own path`);
    seen.set(at, k);
  }
  return { toStdout: seen.has('-') };
}

/** Report files asked for on the command line, each rendered and written independently. */
export function reportTargets(report: Report, opts: Readonly<Record<string, unknown>>, extras: (id: string) => ClaimExtras, cwd = '.'): ReportTarget[] {
  const t: ReportTarget[] = [];
  const at = (f: string) => (f === '-' ? '-' : resolve(cwd, f));
  if (typeof opts.json === 'string') t.push({ kind: 'json', file: at(opts.json), mode: 'replace', render: () => jsonReport(report) });
  if (typeof opts.junit === 'string') t.push({ kind: 'junit', file: at(opts.junit), mode: 'replace', render: () => junitReport(report) });
  if (typeof opts.markdown === 'string') t.push({ kind: 'markdown', file: at(opts.markdown), mode: 'append', render: () => markdownReport(report) });
  if (typeof opts.html === 'string') t.push({ kind: 'html', file: at(opts.html), mode: 'replace', render: () => htmlReport(report, extras) });
  return t;
}

/** Assumptions and figures of a claim for the HTML report; a throwing figures() becomes a message, not a crash. */
export function claimExtras(known: readonly Claim[], id: string): ClaimExtras {
  const c = known.find((k) => k.id === id);
  if (!c) return {};
  if (!c.figures) return { assumptions: c.assumptions };
  try {
    return { assumptions: c.assumptions, figures: c.figures() };
  } catch (e) {
    return { assumptions: c.assumptions, figureError: errorLine(e) };
  }
}
