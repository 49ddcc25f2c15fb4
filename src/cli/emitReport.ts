import type { ClaimExtras } from '../report/htmlReport.ts';
import { consoleReport } from '../report/consoleTable.ts';
import { comparison } from '../report/formatCounterexample.ts';
import type { Report } from '../report/reportModel.ts';
import { verdictText } from '../report/verdictText.ts';
import { writeReports } from '../report/writeReports.ts';
import { type CliIO, line } from './io.ts';
import { reportTargets } from './reportTargets.ts';
import { githubAnnotation } from './runFlags.ts';

/** Exit code of an interrupted run (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/**
 * Prints a finished (or interrupted) run and writes its reports: the console table to
 * stdout (stderr when a report goes to stdout), GitHub annotations with `--format github`,
 * then every requested report. Returns the exit code: 0 every verdict expected, 1 an
 * unexpected verdict, 2 a report could not be written or `errorExit` applies (a subject
 * that misbehaved), 130 interrupted.
 */
export function emitReport(
  report: Report, o: Readonly<Record<string, unknown>>, io: CliIO,
  opts: { readonly toStdout: boolean; readonly format: 'text' | 'github'; readonly extras?: (id: string) => ClaimExtras; readonly errorExit?: boolean; readonly command: string },
): number {
  const human = opts.toStdout ? io.stderr : io.stdout;
  human.write(line(consoleReport(report)));
  if (opts.format === 'github') {
    for (const r of report.results) {
      if (r.ok) continue;
      const detail = r.reason ?? (r.counterexample?.outcome ? comparison(r.counterexample.outcome) : r.counterexample?.error ?? '');
      io.stdout.write(line(githubAnnotation(r.verdict === 'inconclusive' ? 'warning' : 'error', `scorecheck ${r.id}`, `${verdictText(r)}${detail ? `: ${detail}` : ''}${r.replay ? `\nreplay: ${r.replay}` : ''}`)));
    }
    if (report.fatal) io.stdout.write(line(githubAnnotation('error', `scorecheck ${opts.command}`, report.fatal)));
  }
  let failedWrite = false;
  for (const w of writeReports(reportTargets(report, o, opts.extras ?? (() => ({})), io.cwd), io.stdout)) {
    if (w.error) {
      failedWrite = true;
      io.stderr.write(line(`scorecheck ${opts.command}: ${w.error}`));
    } else if (w.file !== '-') human.write(line(`${w.kind} report: ${w.file}`));
  }
  if (report.interrupted) return EXIT_INTERRUPTED;
  if (failedWrite) return 2;
  if (opts.errorExit && (report.fatal || report.results.some((r) => r.verdict === 'error'))) return 2;
  return report.ok ? 0 : 1;
}
