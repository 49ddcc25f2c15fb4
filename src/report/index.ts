/** Report writers (library view): each renders a VerifyReport to text; writeReports does the I/O. */
export { REPORT_VERSION, buildReport, validateReport, mergeReports, ReportFormatError } from './reportModel.ts';
export type { VerifyReport, ClaimReport, ReportSummary } from './reportModel.ts';
export { consoleReport } from './consoleTable.ts';
export { jsonReport } from './jsonReport.ts';
export { junitReport } from './junitReport.ts';
export { markdownReport } from './markdownReport.ts';
export { htmlReport } from './htmlReport.ts';
export { renderFigureSvg } from './svgChart.ts';
export { formatCounterexample } from './formatCounterexample.ts';
export { writeReports } from './writeReports.ts';
