import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { controlClaims } from '../claims/control/selftest.ts';
import { allClaims } from '../claims/registry.ts';
import { type Report, mergeReports, validateReport } from '../report/reportModel.ts';
import { parseArgs } from './args.ts';
import { emitReport } from './emitReport.ts';
import type { CliIO } from './io.ts';
import { REPORT_HELP, REPORT_OPTIONS, checkReportOptions, claimExtras } from './reportTargets.ts';
import { UsageError } from './usageError.ts';

export const MERGE_HELP = `Usage: scorecheck merge A.json B.json … [reports]

Joins the JSON reports of 'scorecheck verify --shard i/n --json …' (or of check) runs
into one, validated against docs/report-schema.md. It fails closed: the shards must
come from one command, seed, selection and shard count, cover every shard exactly
once and every selected id exactly once; ids unknown to this scorecheck's registry
are refused. Prints the table and writes the requested reports.
Exit 0 if every verdict is the expected one, 1 if not, 2 for bad or incomplete input.

${REPORT_HELP}
  -h, --help             this help
`;

export async function mergeCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, { ...REPORT_OPTIONS, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (o.help) {
    io.stdout.write(MERGE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('merge needs at least one JSON report (scorecheck merge --help)');
  const { toStdout } = checkReportOptions(o, io.cwd);
  const format = o.format ?? 'text';
  if (format !== 'text' && format !== 'github') throw new UsageError(`--format must be text or github (got "${String(format)}")`);
  const inputs: { report: Report; file: string }[] = positionals.map((file) => {
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, file), 'utf8');
    } catch (e) {
      throw new UsageError(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot read'}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`${file}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
    }
    return { report: validateReport(json, file), file };
  });
  const known = [...allClaims, ...controlClaims];
  const merged = mergeReports(inputs, inputs[0].report.command === 'verify' ? known.map((c) => c.id) : undefined);
  return emitReport(merged, o, io, { toStdout, format, extras: (id) => claimExtras(known, id), command: 'merge', errorExit: merged.command === 'check' });
}
