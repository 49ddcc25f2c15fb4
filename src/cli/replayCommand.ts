import { resolve } from 'node:path';
import { controlClaims } from '../claims/control/selftest.ts';
import { allClaims } from '../claims/registry.ts';
import { FalseAlarmPlan, RUN_FALSE_ALARM } from '../engine/falseAlarmPlan.ts';
import { type ReplayCase, readReplaySpec } from '../engine/replaySpec.ts';
import { runProperty } from '../engine/runProperty.ts';
import { buildReport, resultRow } from '../report/reportModel.ts';
import { parseArgs } from './args.ts';
import { emitReport } from './emitReport.ts';
import type { CliIO } from './io.ts';
import { DEFAULT_SEED } from './runFlags.ts';
import { UsageError } from './usageError.ts';

export const REPLAY_HELP = `Usage: scorecheck replay FILE [--claim ID]

Rebuilds every case saved in FILE — a counterexample file written by verify (in
your store, or fixtures/counterexamples/ of the package) or a JSON report — from
its choice sequence, and checks it again. A case whose rebuilt form differs from
the one saved (the generator changed since) is reported as stale, never as
reproduced. Subject checks are replayed with 'scorecheck check … --replay FILE'.
Exit 0 if every verdict is the expected one (an expected-refuted claim is still
refuted, a fixed claim now holds), 1 if not, 2 for a bad file.
  --claim ID   only this claim's cases
  -h, --help   this help
`;

export async function replayCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, { claim: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (o.help) {
    io.stdout.write(REPLAY_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('replay needs exactly one counterexample file or JSON report (scorecheck replay --help)');
  const cases = readReplaySpec(resolve(io.cwd, positionals[0]), typeof o.claim === 'string' ? o.claim : undefined);
  const known = [...allClaims, ...controlClaims];
  const work: { claim: (typeof known)[number]; replay: ReplayCase }[] = [];
  for (const [id, list] of cases) {
    const claim = known.find((c) => c.id === id);
    if (!claim) throw new UsageError(`${positionals[0]}: "${id}" is not a claim of this scorecheck (subject checks replay with scorecheck check … --replay FILE)`);
    for (const replay of list) work.push({ claim, replay });
  }
  const plan = new FalseAlarmPlan(RUN_FALSE_ALARM, work.map((w) => ({ id: w.claim.id, assertionsPerCase: w.claim.assertionsPerCase, runs: 1 })));
  const rows = [];
  for (const w of work) {
    const run = await runProperty(w.claim, { seed: DEFAULT_SEED, falseAlarm: plan, replay: w.replay });
    rows.push(resultRow(run, 'claim', w.claim.source, run.counterexample ? `npx scorecheck replay ${positionals[0]}` : undefined));
  }
  const report = buildReport(rows, {
    command: 'verify', seed: DEFAULT_SEED, selection: { ids: [...new Set(work.map((w) => w.claim.id))] },
    falseAlarm: { total: plan.total, perAssertion: plan.perAssertion, planned: plan.plannedTotal, made: plan.assertionsMade() },
  });
  return emitReport(report, {}, io, { toStdout: false, format: 'text', command: 'replay' });
}
