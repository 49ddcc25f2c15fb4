import type { Claim } from '../claims/claim.ts';
import { errorLine } from '../claims/evaluateCase.ts';
import type { ClaimExtras } from '../report/htmlReport.ts';
import { htmlReport } from '../report/htmlReport.ts';
import { jsonReport } from '../report/jsonReport.ts';
import { junitReport } from '../report/junitReport.ts';
import { markdownReport } from '../report/markdownReport.ts';
import type { VerifyReport } from '../report/reportModel.ts';
import type { ReportTarget } from '../report/writeReports.ts';
import { resolve } from 'node:path';

/** The report options shared by `verify` and `merge`. */
export const REPORT_OPTIONS = {
  json: { type: 'string' },
  junit: { type: 'string' },
  markdown: { type: 'string' },
  html: { type: 'string' },
} as const;

/** Report files asked for on the command line, each rendered and written independently. */
export function reportTargets(report: VerifyReport, opts: Readonly<Record<string, unknown>>, known: readonly Claim[], cwd = '.'): ReportTarget[] {
  const t: ReportTarget[] = [];
  const at = (f: string) => resolve(cwd, f);
  if (typeof opts.json === 'string') t.push({ kind: 'json', file: at(opts.json), render: () => jsonReport(report) });
  if (typeof opts.junit === 'string') t.push({ kind: 'junit', file: at(opts.junit), render: () => junitReport(report) });
  if (typeof opts.markdown === 'string') t.push({ kind: 'markdown', file: at(opts.markdown), render: () => markdownReport(report) });
  if (typeof opts.html === 'string') t.push({ kind: 'html', file: at(opts.html), render: () => htmlReport(report, (id) => claimExtras(known, id)) });
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
