import { controlClaims } from '../claims/control/selftest.ts';
import { allClaims } from '../claims/registry.ts';
import type { Claim } from '../claims/claim.ts';
import { CLAIM_SOURCES } from '../claims/claim.ts';
import { FalseAlarmPlan, RUN_FALSE_ALARM } from '../engine/falseAlarmPlan.ts';
import { readReplaySpec, replayToken } from '../engine/replaySpec.ts';
import { runAll } from '../engine/runAll.ts';
import { parseShard, selectByPatterns, shardOf } from '../engine/selectProperties.ts';
import { runStore } from '../engine/store/defaultStores.ts';
import { verdictOf } from '../engine/verdict.ts';
import { buildReport, resultRow } from '../report/reportModel.ts';
import { parseArgs } from './args.ts';
import { emitReport } from './emitReport.ts';
import { type CliIO, line } from './io.ts';
import { claimExtras, checkReportOptions } from './reportTargets.ts';
import { RUN_HELP, RUN_OPTIONS, interruptSignal, parseRunFlags } from './runFlags.ts';
import { UsageError } from './usageError.ts';

export const VERIFY_HELP = `Usage: scorecheck verify [options]

Runs every claim of the registry (or a selection): replays saved counterexamples,
then corner cases, random cases and a targeted search towards failure; shrinks any
failure. Prints a table (claim, source, verdict, evidence, time) and every
counterexample. Exit 0 if every verdict is the expected one, 1 if not (an unexpected
counterexample, an error, or "inconclusive": not enough statistical power),
2 for bad usage or input, 130 when interrupted (the finished part is reported).

Selection
  --claim PATTERN…       only these claims: an id, a prefix (xu2025.vincent) or a
                         glob ('xu2025.*.monte-carlo'); repeatable, also A,B
  --source S             only claims from ${CLAIM_SOURCES.join(', ')}
  --shard i/n            the i-th of n interleaved shards (join with scorecheck merge);
                         the false-alarm level is planned over the whole selection
  --controls             self-test: run only the deliberately broken negative controls;
                         passes exactly when each gets the verdict it must

${RUN_HELP}
  -h, --help             this help
`;

const SPEC = {
  claim: { type: 'string', multiple: true },
  source: { type: 'string', multiple: true },
  shard: { type: 'string' },
  controls: { type: 'boolean' },
  // The old name of --store (verify only).
  counterexamples: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...RUN_OPTIONS,
} as const;

export async function verifyCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, SPEC);
  if (o.help) {
    io.stdout.write(VERIFY_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}" (claim ids go after --claim)`);
  if (typeof o.counterexamples === 'string') {
    if (typeof o.store === 'string') throw new UsageError('--counterexamples is the old name of --store: give one');
    (o as Record<string, unknown>).store = o.counterexamples;
  }
  const flags = parseRunFlags(o, io);
  const { toStdout } = checkReportOptions(o, io.cwd);

  // Selection: every id asked for, before sharding (merge checks the shards cover it).
  const known: readonly Claim[] = [...allClaims, ...controlClaims];
  let selected: Claim[];
  if (o.controls) {
    if (o.claim || o.source) throw new UsageError('--controls runs the controls only: drop --claim/--source');
    selected = [...controlClaims];
  } else {
    selected = o.claim ? selectByPatterns(known, o.claim as string[], '--claim') : [...allClaims];
    const sources = o.source as string[] | undefined;
    if (sources) {
      for (const s of sources) if (!CLAIM_SOURCES.includes(s as never)) throw new UsageError(`--source must be one of ${CLAIM_SOURCES.join(', ')} (got "${s}")`);
      selected = selected.filter((c) => sources.includes(c.source));
    }
  }
  if (selected.length === 0) throw new UsageError(`no claim selected (--claim ${(o.claim as string[] | undefined)?.join(',') ?? '—'} --source ${(o.source as string[] | undefined)?.join(',') ?? '—'}): nothing to verify`);
  let shard: { index: number; count: number } | undefined;
  let claims = selected;
  if (typeof o.shard === 'string') {
    shard = parseShard(o.shard) ?? undefined;
    if (!shard) throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n (got "${o.shard}")`);
    if (shard.count > selected.length) throw new UsageError(`--shard ${o.shard}: only ${selected.length} claim${selected.length === 1 ? '' : 's'} selected, so shard ${shard.count > selected.length ? 'count' : 'index'} ${shard.count} leaves shards empty`);
    claims = shardOf(selected, shard);
  }
  const replay = flags.replay ? readReplaySpec(flags.replay, claims.length === 1 ? claims[0].id : undefined) : undefined;
  if (replay) for (const id of replay.keys()) if (!claims.some((c) => c.id === id)) throw new UsageError(`--replay: the file holds a case for ${id}, which is not selected`);

  // One plan over the whole selection (every shard uses the same per-assertion level).
  const plan = new FalseAlarmPlan(RUN_FALSE_ALARM, selected.map((c) => ({ id: c.id, assertionsPerCase: c.assertionsPerCase, runs: flags.runs ?? c.defaultRuns })));
  const store = runStore(flags.storeDir, { save: flags.save, includePackage: true });
  const { signal, dispose } = interruptSignal(io);
  const progress = io.stderrIsTTY && !toStdout ? io.stderr : undefined;
  let result;
  try {
    result = await runAll(claims, {
      seed: flags.seed, falseAlarm: plan, store, save: flags.save, replaySaved: flags.replaySaved, bail: flags.bail, signal,
      ...(flags.runs !== undefined ? { runs: flags.runs } : {}),
      ...(flags.timeLimitMs !== undefined ? { timeLimitMs: flags.timeLimitMs } : {}),
      ...(replay ? { replay: new Map([...replay].map(([id, cs]) => [id, cs[0]])) } : {}),
      ...(progress ? { onCase: (p, phase, k, n) => progress.write(`\r\x1b[2K[${claims.indexOf(p as Claim) + 1}/${claims.length}] ${p.id} · ${phase} ${k + 1}/${n}`) } : {}),
    });
  } finally {
    dispose();
    if (progress) progress.write('\r\x1b[2K');
  }
  for (const r of result.runs) for (const n of r.storeNotes) if (n.startsWith('could not') || n.startsWith('cannot read')) io.stderr.write(line(`scorecheck verify: warning: ${r.id}: ${n}`));

  const rows = result.runs.map((r) => {
    const claim = claims.find((c) => c.id === r.id)!;
    const replayCmd = r.counterexample ? `npx scorecheck verify --claim ${r.id} --replay ${r.savedTo ?? replayToken(r.counterexample.choices)}` : undefined;
    const row = resultRow(r, 'claim', claim.source, replayCmd);
    if (o.controls) {
      const must = (claim as (typeof controlClaims)[number]).mustBe;
      const v = verdictOf(r);
      return { ...row, ok: v === must, reason: `${v === must ? 'control behaves' : 'CONTROL BROKEN'}: verdict ${v}, must be ${must}${row.reason ? ` — ${row.reason}` : ''}` };
    }
    return row;
  });
  const report = buildReport(rows, {
    command: 'verify', seed: flags.seed,
    selection: { ids: selected.map((c) => c.id), ...(shard ? { shard } : {}) },
    falseAlarm: { total: plan.total, perAssertion: plan.perAssertion, planned: plan.plannedTotal, made: plan.assertionsMade() },
    ...(result.interrupted ? { interrupted: true } : {}),
  });
  if (result.bailed) io.stderr.write(line(`scorecheck verify: --bail: stopped after ${result.runs.at(-1)!.id} (${result.runs.length} of ${claims.length} claims run)`));
  return emitReport(report, o, io, { toStdout, format: flags.format, extras: (id) => claimExtras(known, id), command: 'verify' });
}
