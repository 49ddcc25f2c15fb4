/**
 * One claim over many seeds, in process (no CLI start-up per seed): how often each finding occurs, and the
 * seeds of every verdict that is not the expected one. For re-checking one changed claim across the seeds of
 * the long false-alarm run (bench/false-alarm-run.ts) without re-running every claim.
 *
 *   npx tsx bench/claim-seed-sweep.ts --claim ID --from 1000 --count 1000 [--runs N]
 *
 * Uses no counterexample store (nothing replayed, nothing saved), like `verify --no-save` on an empty store.
 */
import { findClaim } from '../src/claims/registry.ts';
import { FalseAlarmPlan, RUN_FALSE_ALARM } from '../src/engine/falseAlarmPlan.ts';
import { runProperty } from '../src/engine/runProperty.ts';
import { verdictIsExpected, verdictOf } from '../src/engine/verdict.ts';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const id = opt('--claim');
const claim = id ? findClaim(id) : undefined;
if (!claim) {
  console.error(`usage: npx tsx bench/claim-seed-sweep.ts --claim ID --from S --count N [--runs R]${id ? `\nno claim with id ${id}` : ''}`);
  process.exit(2);
}
const from = Number(opt('--from') ?? 1000), count = Number(opt('--count') ?? 100);
const runs = opt('--runs') !== undefined ? Number(opt('--runs')) : claim.defaultRuns;
for (const [name, v] of [['--from', from], ['--count', count], ['--runs', runs]] as const) {
  if (!Number.isInteger(v) || v < (name === '--from' ? 0 : 1)) { console.error(`${name} must be a positive integer, got ${v}`); process.exit(2); }
}
const findings = new Map<string, number>();
const unexpected: string[] = [];
const t0 = performance.now();
let worst = 0;
for (let seed = from; seed < from + count; seed++) {
  const plan = new FalseAlarmPlan(RUN_FALSE_ALARM, [{ id: claim.id, assertionsPerCase: claim.assertionsPerCase, runs }]);
  const s = performance.now();
  const run = await runProperty(claim, { seed, runs, falseAlarm: plan, save: false, replaySaved: false });
  worst = Math.max(worst, performance.now() - s);
  findings.set(run.finding, (findings.get(run.finding) ?? 0) + 1);
  if (!verdictIsExpected(verdictOf(run))) unexpected.push(`seed ${seed}: ${run.finding}${run.reason ? ` (${run.reason})` : ''}`);
  if ((seed - from + 1) % 100 === 0) process.stderr.write(`${seed - from + 1}/${count} seeds\n`);
}
const ms = performance.now() - t0;
console.log(`${claim.id}: seeds ${from}…${from + count - 1}, ${runs} cases each`);
console.log(`findings: ${[...findings].map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`unexpected verdicts: ${unexpected.length}${unexpected.length ? `\n  ${unexpected.join('\n  ')}` : ''}`);
console.log(`time: ${(ms / 1000).toFixed(1)} s (${(ms / count).toFixed(0)} ms per seed, slowest ${worst.toFixed(0)} ms)`);
