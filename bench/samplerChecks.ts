/**
 * Every sampler check at image scale (issue "Check the samplers people actually run", target:
 * < 60 s on this 2-core machine): the NumPy reference adapter declaring sample_shape [3, 64, 64]
 * (12288 values per sample, base64 arrays), all its samplers, default runs, through the engine.
 * Prints one row per property (finding, cases, seconds, shrunk size) and the total, with the
 * machine, load and date; `--append` adds the run to bench/RESULTS.md.
 *
 *   npx tsx bench/samplerChecks.ts [--append] [--shape 3,64,64]
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { machine } from './harness.ts';
import { FalseAlarmPlan, RUN_FALSE_ALARM } from '../src/engine/falseAlarmPlan.ts';
import { runProperty } from '../src/engine/runProperty.ts';
import { ProcessSubject } from '../src/subject/processSubject.ts';
import { SubjectFatalError } from '../src/subject/subjectError.ts';
import { samplerCheckContext, samplerCheckFamily, samplerProperties } from '../src/subject/checks/sampler/index.ts';

const arg = (k: string) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : undefined);
const shape = (arg('--shape') ?? '3,64,64').split(',').map(Number);
const m = machine();
const t0 = performance.now();
const config = JSON.stringify({ sample_shape: shape, arrays: 'base64' });
const subject = await ProcessSubject.start(`python3 examples/sampler_adapter.py --config '${config}'`, 60_000);
const ctx = await samplerCheckContext(subject);
const props = samplerProperties(ctx);
const plan = new FalseAlarmPlan(RUN_FALSE_ALARM, props.map((p) => ({ id: p.id, assertionsPerCase: p.assertionsPerCase, runs: p.defaultRuns })));
const rows: string[] = [];
const byCheck: Record<string, number> = {};
for (const p of props) {
  const s0 = performance.now();
  const r = await runProperty(p, { seed: 20261122, falseAlarm: plan, isFatal: (e) => e instanceof SubjectFatalError });
  const sec = (performance.now() - s0) / 1000;
  const kind = samplerCheckFamily(p.id);
  byCheck[kind] = (byCheck[kind] ?? 0) + sec;
  rows.push(`| ${p.id} | ${r.finding} | ${r.cases} | ${sec.toFixed(2)} |`);
}
// CPU of the subject's processes (the shell and python3 under it): /proc utime + stime.
let subjectCpu = NaN;
try {
  const cpuOf = (pid: number): number => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return (Number(f[11]) + Number(f[12])) / 100 + kids.reduce((a, k) => a + cpuOf(k), 0);
  };
  subjectCpu = cpuOf((subject as unknown as { child: { pid: number } }).child.pid);
} catch {
  // not Linux, or the process is gone
}
await subject.close();
const total = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage();
const out = [
  `## ${m.date} — sampler checks at [${shape.join(', ')}] = ${shape.reduce((a, b) => a * b, 1)} values per sample`,
  '',
  `Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}. Load average at start: ${m.loadAtStart.map((v) => v.toFixed(2)).join(' ')}, at end: ${loadavg().map((v) => v.toFixed(2)).join(' ')}.`,
  `Subject: \`python3 examples/sampler_adapter.py --config '${config}'\` (NumPy, one process), ${props.length} properties over ${Object.keys(ctx.sampler.samplers).length} samplers, default runs, seed 20261122.`,
  `**Total ${total.toFixed(1)} s wall** (handshake, schedule and τ probes included); CPU: scorecheck ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, the NumPy subject ${subjectCpu.toFixed(1)} s (they take turns: on an idle machine the wall time is about their sum). By check: ${Object.entries(byCheck).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}.`,
  '',
  '| property | finding | cases | seconds |',
  '|---|---|---|---|',
  ...rows,
  '',
].join('\n');
console.log(out);
if (process.argv.includes('--append')) appendFileSync('bench/RESULTS.md', `\n${out}`);
