import { controlClaims } from '../claims/controls.ts';
import { DEFAULT_COUNTEREXAMPLE_DIR, SHIPPED_COUNTEREXAMPLE_DIR } from '../claims/counterexampleStore.ts';
import { allClaims } from '../claims/registry.ts';
import { parseReplaySpec } from '../claims/replay.ts';
import { DEFAULT_SEED, type RunResult, runClaim } from '../claims/runner.ts';
import { parseShard, selectClaims } from '../claims/selectClaims.ts';
import { consoleReport } from '../report/consoleTable.ts';
import { buildReport } from '../report/reportModel.ts';
import { writeReports } from '../report/writeReports.ts';
import { intOption, parseArgs } from './args.ts';
import { type CliIO, line } from './io.ts';
import { REPORT_OPTIONS, reportTargets } from './reportTargets.ts';
import { UsageError } from './usageError.ts';
import { resolve } from 'node:path';

export const VERIFY_HELP = `Usage: scorecheck verify [options]

Runs every claim of the registry (or a selection) with fast-check, prints a
table (claim, source, verdict, evidence, time) and every counterexample.
Exit 0 if every verdict is the expected one, 1 if not, 2 for bad usage/input.

Selection
  --claim ID…            only these claims (repeatable; also ID,ID)
  --source S             only claims from xu2025, liyan2024 or liang2025
  --shard i/n            the i-th of n interleaved shards (join with scorecheck merge)
  --controls             also run the deliberately broken negative controls

Run
  --runs N               cases per claim (default: each claim's defaultRuns)
  --seed S               fast-check seed (default: $SCORECHECK_SEED or ${DEFAULT_SEED})
  --replay SEED:PATH     check exactly one case (needs a single --claim)
  --counterexamples DIR  where counterexamples are replayed from and saved
                         (default: ${DEFAULT_COUNTEREXAMPLE_DIR}); a claim with none
                         there replays the one shipped with scorecheck, if any
  --no-save              do not save new counterexamples
  --no-replay-saved      do not replay saved counterexamples first

Reports (each written independently)
  --json FILE            JSON report (docs/report-schema.md)
  --junit FILE           JUnit XML
  --markdown FILE        Markdown (fits a CI step summary)
  --html FILE            single-file HTML report with plots
  -h, --help             this help
`;

const SPEC = {
  claim: { type: 'string', multiple: true },
  source: { type: 'string', multiple: true },
  shard: { type: 'string' },
  controls: { type: 'boolean' },
  runs: { type: 'string' },
  seed: { type: 'string' },
  replay: { type: 'string' },
  counterexamples: { type: 'string' },
  save: { type: 'boolean' },
  'replay-saved': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  ...REPORT_OPTIONS,
} as const;

export async function verifyCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, SPEC);
  if (o.help) {
    io.stdout.write(VERIFY_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (claim ids go after --claim)`);
  const runs = intOption(o.runs, 'runs', 1, 1_000_000);
  const seed = intOption(o.seed ?? io.env.SCORECHECK_SEED, o.seed !== undefined ? 'seed' : 'seed (from SCORECHECK_SEED)', -(2 ** 31), 2 ** 31 - 1) ?? DEFAULT_SEED;
  let shard: { index: number; count: number } | undefined;
  if (typeof o.shard === 'string') {
    shard = parseShard(o.shard) ?? undefined;
    if (!shard) throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n (got "${o.shard}")`);
  }
  const known = [...allClaims, ...controlClaims];
  const pool = o.controls ? known : allClaims;
  const claims = selectClaims(pool, known, { ids: o.claim as string[] | undefined, sources: o.source as string[] | undefined, shard });
  let replay: { seed: number; path: string } | undefined;
  if (typeof o.replay === 'string') {
    replay = parseReplaySpec(o.replay) ?? undefined;
    if (!replay) throw new UsageError(`--replay must be SEED:PATH as printed by verify, e.g. 42:3:0:1 (got "${o.replay}")`);
    if (claims.length !== 1) throw new UsageError(`--replay needs exactly one claim (--claim ID); ${claims.length} selected`);
  }
  const dir = resolve(io.cwd, typeof o.counterexamples === 'string' ? o.counterexamples : DEFAULT_COUNTEREXAMPLE_DIR);

  const results: RunResult[] = [];
  const progress = io.stderrIsTTY;
  claims.forEach((claim, i) => {
    if (progress) io.stderr.write(`\r\x1b[2K[${i + 1}/${claims.length}] ${claim.id} …`);
    const r = runClaim(claim, {
      seed,
      numRuns: runs,
      counterexampleDir: dir,
      shippedCounterexampleDir: SHIPPED_COUNTEREXAMPLE_DIR,
      save: o.save !== false,
      replaySaved: o['replay-saved'] !== false,
      ...(replay ? { replay } : {}),
    });
    results.push(r);
    if (r.storeWarning) io.stderr.write(line(`${progress ? '\r\x1b[2K' : ''}scorecheck verify: warning: ${r.storeWarning}`));
  });
  if (progress) io.stderr.write('\r\x1b[2K');

  const report = buildReport(
    results.map((r) => ({ ...r, ...(r.savedTo ? { savedTo: relativeTo(io.cwd, r.savedTo) } : {}) })),
    { seed, ...(shard ? { shard } : {}) },
  );
  io.stdout.write(line(consoleReport(report)));
  const written = writeReports(reportTargets(report, o, known, io.cwd));
  let failedWrite = false;
  for (const w of written) {
    if (w.error) {
      failedWrite = true;
      io.stderr.write(line(`scorecheck verify: ${w.error}`));
    } else io.stdout.write(line(`${w.kind} report: ${w.file}`));
  }
  if (failedWrite) return 2;
  return report.ok ? 0 : 1;
}

function relativeTo(cwd: string, file: string): string {
  return file.startsWith(`${cwd}/`) ? file.slice(cwd.length + 1) : file;
}
