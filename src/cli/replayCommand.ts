import { resolve } from 'node:path';
import { controlClaims } from '../claims/controls.ts';
import { loadCounterexample } from '../claims/counterexampleStore.ts';
import { allClaims } from '../claims/registry.ts';
import { runClaim } from '../claims/runner.ts';
import { verdictText } from '../claims/verdict.ts';
import { formatCounterexample } from '../report/formatCounterexample.ts';
import { formatEvidence } from '../report/formatEvidence.ts';
import { buildReport } from '../report/reportModel.ts';
import { parseArgs } from './args.ts';
import { type CliIO, line } from './io.ts';
import { UsageError } from './usageError.ts';

export const REPLAY_HELP = `Usage: scorecheck replay FILE

Rebuilds the exact case saved in FILE (a fixtures/counterexamples/<claim>.json
written by verify: claim id, fast-check seed and path) and checks it again.
Prints whether it still reproduces and the case, quantities and error.
Exit 0 if the verdict is the expected one (an expected-refuted claim is still
refuted, or a fixed claim now holds), 1 if not, 2 for a bad file.
  -h, --help   this help
`;

export async function replayCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { options: o, positionals } = parseArgs(argv, { help: { type: 'boolean', short: 'h' } });
  if (o.help) {
    io.stdout.write(REPLAY_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('replay needs exactly one counterexample file (scorecheck replay --help)');
  const saved = loadCounterexample(resolve(io.cwd, positionals[0]));
  const claim = [...allClaims, ...controlClaims].find((c) => c.id === saved.claim);
  if (!claim) throw new UsageError(`${positionals[0]}: unknown claim id "${saved.claim}" (scorecheck claims lists them)`);
  const r = runClaim(claim, { seed: saved.seed, replay: { seed: saved.seed, path: saved.path }, counterexampleDir: null });
  const reproduced = r.counterexample !== undefined && r.counterexample.kind === saved.kind;
  const report = buildReport([r], { seed: saved.seed });
  const c = report.claims[0];
  io.stdout.write(line(`${claim.id}: seed ${saved.seed}, path "${saved.path}" — ${reproduced ? `reproduces (${saved.kind})` : r.counterexample ? `now ${r.counterexample.kind} (saved: ${saved.kind})` : 'no longer fails'}`));
  io.stdout.write(line(`verdict: ${verdictText(c)}${c.reason ? ` — ${c.reason}` : ''} · ${formatEvidence(c)}`));
  if (c.counterexample) io.stdout.write(line(formatCounterexample(c)));
  return c.ok ? 0 : 1;
}
