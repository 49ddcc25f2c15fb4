import { oneLine } from './bias/biasSpec.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { controlClaims } from '../claims/controls.ts';
import { allClaims } from '../claims/registry.ts';
import { consoleReport } from '../report/consoleTable.ts';
import { mergeReports, validateReport, type VerifyReport } from '../report/reportModel.ts';
import { writeReports } from '../report/writeReports.ts';
import { parseArgs } from './args.ts';
import { type CliIO, line } from './io.ts';
import { REPORT_OPTIONS, reportTargets } from './reportTargets.ts';
import { UsageError } from './usageError.ts';

export const MERGE_HELP = `Usage: scorecheck merge A.json B.json … [--json OUT] [--junit FILE] [--markdown FILE] [--html FILE]

Joins the JSON reports of 'scorecheck verify --shard i/n --json …' runs into one
(validated against docs/report-schema.md; shards must share a seed and not
overlap), prints the table and writes the requested reports.
Exit 0 if every verdict is the expected one, 1 if not, 2 for bad input.
  -h, --help   this help
`;

export async function mergeCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, { ...REPORT_OPTIONS, help: { type: 'boolean', short: 'h' } });
  if (o.help) {
    io.stdout.write(MERGE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('merge needs at least one JSON report (scorecheck merge --help)');
  const inputs: { report: VerifyReport; file: string }[] = positionals.map((file) => {
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
      throw new UsageError(`${file}: not valid JSON (${oneLine((e as Error).message)})`);
    }
    return { report: validateReport(json, file), file };
  });
  const known = [...allClaims, ...controlClaims];
  const merged = mergeReports(inputs, known.map((c) => c.id));
  io.stdout.write(line(consoleReport(merged)));
  let failedWrite = false;
  for (const w of writeReports(reportTargets(merged, o, known, io.cwd))) {
    if (w.error) {
      failedWrite = true;
      io.stderr.write(line(`scorecheck merge: ${w.error}`));
    } else io.stdout.write(line(`${w.kind} report: ${w.file}`));
  }
  if (failedWrite) return 2;
  return merged.ok ? 0 : 1;
}
