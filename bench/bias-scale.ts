/**
 * The bias calculator at the scale of real data (issue 17): `scorecheck bias` end to end on
 * synthetic seeded samples (bench/biasData.ts), n = 2048, d ∈ {10, 100, 1000, 16384}, all 1000
 * timesteps of the DDPM schedule, each run as its own process under /usr/bin/time -v (wall,
 * CPU = user + system over all threads, peak RSS). Then the issue's table re-measured (CSV of
 * samples: d = 100 all timesteps, d = 1000 and 2000 one timestep — and all timesteps), and the
 * spectral results compared with the dense O(d³)-per-timestep path (src/bias/dense.ts) on the
 * same sample covariance where that path runs in reasonable time.
 *
 *   npx tsx bench/bias-scale.ts            # print the markdown section
 *   npx tsx bench/bias-scale.ts --write    # and append it to bench/RESULTS.md
 *   npx tsx bench/bias-scale.ts --dense-1000   # also compare with the dense path at d = 1000 (1 timestep, ~1–5 min)
 *
 * Not a timed test: nothing here asserts a time.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeBiasSync } from '../src/bias/compute.ts';
import { readNpyRows } from '../src/bias/npy.ts';
import { readSamplesFile } from '../src/bias/readSamples.ts';
import { SampleAccumulator } from '../src/bias/samples.ts';
import { denseBiasRows } from '../src/bias/dense.ts';
import type { BiasRow } from '../src/bias/rows.ts';
import { linearSchedule } from '../src/diffusion/schedule.ts';
import { Gaussian } from '../src/gaussian/gaussian.ts';
import { GramEngine } from '../src/linalg/gramSimd.ts';
import { writeSyntheticCsv, writeSyntheticNpy } from './biasData.ts';

const repo = join(import.meta.dirname, '..');
const args = new Set(process.argv.slice(2));
const N = 2048;

interface Run {
  readonly label: string;
  readonly d: number;
  readonly n: number;
  readonly format: 'npy' | 'csv';
  readonly timesteps: string;
  readonly wall: number;
  readonly cpu: number;
  readonly rssMiB: number;
  readonly load: number;
  readonly phases: Record<string, number>;
  readonly route: string;
  readonly rank: number;
  readonly rows: BiasRow[];
  readonly json: string;
}

function timeRun(label: string, dir: string, d: number, format: 'npy' | 'csv', timesteps: unknown, name: string): Run {
  const spec = join(dir, `${name}.json`);
  const out = join(dir, `${name}-out.json`);
  writeFileSync(spec, JSON.stringify({ description: label, data: { samples: `x${d}.${format}` }, schedule: 'ddpm', ...(timesteps === undefined ? {} : { timesteps }) }));
  const load = loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, join(repo, 'bin/scorecheck.mjs'), 'bias', spec, '--json', out], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${label}: exit ${r.status}\n${r.stderr}`);
  const field = (re: RegExp) => {
    const m = re.exec(r.stderr);
    if (!m) throw new Error(`${label}: no ${re} in /usr/bin/time output`);
    return m[1];
  };
  const wallText = field(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)/);
  const wall = wallText.split(':').reduce((acc, x) => acc * 60 + Number(x), 0);
  const cpu = Number(field(/User time \(seconds\): ([\d.]+)/)) + Number(field(/System time \(seconds\): ([\d.]+)/));
  const rssMiB = Number(field(/Maximum resident set size \(kbytes\): (\d+)/)) / 1024;
  const j = JSON.parse(readFileSync(out, 'utf8'));
  return { label, d, n: N, format, timesteps: timesteps === undefined ? 'all 1000' : JSON.stringify(timesteps), wall, cpu, rssMiB, load, phases: j.timings, route: j.setting.route, rank: j.setting.rank, rows: j.rows, json: out };
}

/** Largest relative difference over the compared fields (dense DSM/ESM at the collapse on the d/s² scale: they cancel there). */
function compareDense(dir: string, d: number, timesteps: number[], spectral: BiasRow[]): { worst: number; field: string; seconds: number } {
  const engine = new GramEngine({ threads: 1 });
  const { moments } = readSamplesFile({ path: join(dir, `x${d}.npy`) }, engine);
  if (moments.route !== 'covariance') throw new Error('expected n > d');
  const t0 = performance.now();
  const dense = denseBiasRows({ data: new Gaussian(new Float64Array(d), moments.cov), schedule: linearSchedule(1000), timesteps });
  const seconds = (performance.now() - t0) / 1000;
  const byT = new Map(spectral.map((r) => [r.t, r]));
  let worst = 0, field = '';
  const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-300);
  for (const r of dense) {
    const s = byT.get(r.t)!;
    const scale = d / (r.s * r.s);
    const pairs: [string, number][] = [
      ['Ct', rel(s.Ct, r.Ct)], ['inputBiasTerm', rel(s.inputBiasTerm, r.inputBiasTerm)], ['inputBiasGap', rel(s.inputBiasGap, r.inputBiasGap)],
      ['scoreNormAtTarget', rel(s.sds.scoreNormAtTarget, r.sds.scoreNormAtTarget)], ['esmOptimalVariance', rel(s.sds.esmOptimalVariance, r.sds.esmOptimalVariance)],
      ['dsmAtTarget', rel(s.sds.dsmAtTarget, r.sds.dsmAtTarget)],
      ['dsmAtCollapse (÷ d/s²)', Math.abs(s.sds.dsmAtCollapse - r.sds.dsmAtCollapse) / scale], ['esmAtCollapse (÷ d/s²)', Math.abs(s.sds.esmAtCollapse - r.sds.esmAtCollapse) / scale],
    ];
    for (const [f, e] of pairs) if (e > worst) [worst, field] = [e, `${f} at t = ${r.t}`];
  }
  return { worst, field, seconds };
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'scorecheck-bias-bench-'));
  const lines: string[] = [];
  const started = new Date().toISOString();
  const uptime = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
  try {
    lines.push(`## ${started} — bias calculator at scale (bench/bias-scale.ts)`, '');
    lines.push(`Machine: ${cpus()[0]?.model ?? '?'}, nproc ${cpus().length}, Node ${process.version}. Load at start: \`${uptime}\`. Each run is \`node bin/scorecheck.mjs bias SPEC --json OUT\` under \`/usr/bin/time -v\`; CPU = user + system (all threads), memory = peak RSS. Samples: synthetic, seeded (bench/biasData.ts: decaying diagonal + rank-8 shared part), written to a temporary file first (not timed).`, '');
    const runs: Run[] = [];
    const fmt = (x: number, k = 1) => x.toFixed(k);
    const phaseText = (p: Record<string, number>) => Object.entries(p).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`).join(', ');
    // 1. Scale: .npy (float32), n = 2048, all 1000 timesteps.
    for (const d of [10, 100, 1000, 16384]) {
      writeSyntheticNpy(join(dir, `x${d}.npy`), N, d, 1);
      runs.push(timeRun(`d = ${d}, n = ${N}, .npy float32, all 1000 timesteps`, dir, d, 'npy', undefined, `npy${d}`));
      process.stderr.write(`${runs[runs.length - 1].label}: ${fmt(runs[runs.length - 1].wall)} s\n`);
    }
    lines.push('### Scale: n = 2048 samples from a .npy (float32), DDPM schedule, all 1000 timesteps', '');
    lines.push('| d | route | rank | wall s | CPU s | peak RSS MiB | phases (s, wall) | load (1 min) at start |', '|---|---|---|---|---|---|---|---|');
    for (const r of runs) lines.push(`| ${r.d} | ${r.route} | ${r.rank} | ${fmt(r.wall)} | ${fmt(r.cpu)} | ${fmt(r.rssMiB, 0)} | ${phaseText(r.phases)} | ${r.load.toFixed(2)} |`);
    lines.push('');
    // 2. The issue's table, re-measured with a CSV of samples (n = 2048).
    const table: Run[] = [];
    for (const [d, ts] of [[100, undefined], [1000, [1]], [2000, [1]], [1000, undefined], [2000, undefined]] as const) {
      const csv = join(dir, `x${d}.csv`);
      if (!existsSync(csv)) writeSyntheticCsv(csv, N, d, 2);
      table.push(timeRun(`CSV d = ${d}, ${ts ? '1 timestep' : 'all 1000'}`, dir, d, 'csv', ts, `csv${d}-${ts ? 1 : 'all'}`));
      process.stderr.write(`${table[table.length - 1].label}: ${fmt(table[table.length - 1].wall)} s\n`);
    }
    lines.push('### The issue\'s table on the new code (CSV of n = 2048 samples, DDPM schedule)', '');
    lines.push('| d | timesteps | before: wall / CPU (issue 17) | now: wall s | CPU s | peak RSS MiB | phases (s, wall) | load at start |', '|---|---|---|---|---|---|---|---|');
    const before: Record<string, string> = { '100 all 1000': '138 s / 66 s', '1000 [1]': '316 s / 61 s', '2000 [1]': '1,350 s / 568 s', '1000 all 1000': '(not run)', '2000 all 1000': '"days"' };
    for (const r of table) lines.push(`| ${r.d} | ${r.timesteps} | ${before[`${r.d} ${r.timesteps}`] ?? ''} | ${fmt(r.wall)} | ${fmt(r.cpu)} | ${fmt(r.rssMiB, 0)} | ${phaseText(r.phases)} | ${r.load.toFixed(2)} |`);
    lines.push('');
    // 3. Spectral vs dense on the same sample covariance.
    lines.push('### Spectral vs dense (src/bias/dense.ts, O(d³) per timestep) on the same sample covariance', '');
    lines.push('| d | timesteps compared | largest difference | where | dense time s |', '|---|---|---|---|---|');
    const cmp: [number, number[]][] = [[10, Array.from({ length: 1000 }, (_, i) => i + 1)], [100, Array.from({ length: 25 }, (_, i) => 1 + 40 * i).concat([1000])]];
    if (args.has('--dense-1000')) cmp.push([1000, [1]]);
    for (const [d, ts] of cmp) {
      const spectral = runs.find((r) => r.d === d)!.rows;
      const c = compareDense(dir, d, ts, spectral);
      lines.push(`| ${d} | ${ts.length} | ${c.worst.toExponential(2)} | ${c.field} | ${c.seconds.toFixed(1)} |`);
    }
    lines.push('', 'Relative differences; DSM and ESM at the collapse are compared on the scale d/s², since the dense path forms them as sums of O(d/s²) terms that cancel.', '');
    // 4. The Gram route against the covariance route on the same n ≤ d samples (both spectral; in-process).
    {
      const d = 2200;
      writeSyntheticNpy(join(dir, `x${d}.npy`), N, d, 3);
      const schedule = linearSchedule(1000);
      const viaGram = computeBiasSync({ data: { kind: 'moments', moments: readSamplesFile({ path: join(dir, `x${d}.npy`) }, new GramEngine({ threads: 1 })).moments }, schedule });
      const acc = new SampleAccumulator(d, 'x', { maxRows: 0 });
      readNpyRows(join(dir, `x${d}.npy`), 'x', () => {}, (b, c) => acc.push(b, c));
      const viaCov = computeBiasSync({ data: { kind: 'moments', moments: acc.finish() }, schedule });
      let worst = 0, where = '';
      const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-300);
      viaGram.rows.forEach((g, i) => {
        const c = viaCov.rows[i];
        for (const [f, e] of [['Ct', rel(g.Ct, c.Ct)], ['scoreNormAtTarget', rel(g.sds.scoreNormAtTarget, c.sds.scoreNormAtTarget)], ['dsmAtCollapse', rel(g.sds.dsmAtCollapse, c.sds.dsmAtCollapse)], ['collapseAdvantage', rel(g.sds.collapseAdvantage, c.sds.collapseAdvantage)]] as const) {
          if (e > worst) [worst, where] = [e, `${f} at t = ${g.t}`];
        }
      });
      lines.push(`### Gram route (2048 × 2048) against covariance route (${d} × ${d}) on the same n = ${N} < d samples, all 1000 timesteps`, '');
      lines.push(`Largest relative difference ${worst.toExponential(2)} (${where}); ranks ${viaGram.spectrum.rank} and ${viaCov.spectrum.rank}; time ${((viaGram.timings.gram ?? 0) / 1000 + viaGram.timings.eigen / 1000).toFixed(1)} s vs ${((viaCov.timings.eigen) / 1000).toFixed(1)} s (+ accumulation) on one thread.`, '');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const text = `${lines.join('\n')}\n`;
  process.stdout.write(text);
  if (args.has('--write')) appendFileSync(join(repo, 'bench/RESULTS.md'), `\n${text}`);
}

main();
