/** Report writers (library view): each renders a Report to text; writeReports does the I/O. */
export { REPORT_VERSION, buildReport, resultRow, validateReport, mergeReports, summarize, ReportFormatError } from './reportModel.ts';
export type { Report, ResultRow, ReportSummary } from './reportModel.ts';
export { consoleReport, summaryLine, textTable } from './consoleTable.ts';
export { jsonReport } from './jsonReport.ts';
export { junitReport } from './junitReport.ts';
export { markdownReport } from './markdownReport.ts';
export { htmlReport } from './htmlReport.ts';
export { renderFigureSvg } from './svgChart.ts';
export { formatCounterexample } from './formatCounterexample.ts';
export { verdictText } from './verdictText.ts';
export { writeReports } from './writeReports.ts';
