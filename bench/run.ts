/**
 * `npm run bench` — throughput of the DSM − ESM gap estimator (affine and MLP
 * score models, d ∈ {2, 8, 32, 128}), of the normal sampler, and wall time of
 * `scorecheck verify`; the same estimator in NumPy side by side; the
 * variance-reduction factors. Writes bench/results/latest.json,
 * bench/results/RESULTS.md and appends a dated section to bench/RESULTS.md.
 *
 * Flags: --quick (fewer samples and repetitions), --no-numpy, --no-verify, --no-vr.
 * Timings are wall clock; each carries os.loadavg()[0] at the time it was taken.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../src/mc/rng.ts';
import { dsmMinusEsmMonteCarlo } from '../src/objectives/dsmMinusEsmMonteCarlo.ts';
import { vincentConstant } from '../src/theory/vincent.ts';
import { MlpBatchModel, affineBatchModel, plainGapEstimate, prepareGaussianGap, sampleGapTerms } from '../src/index.ts';
import { type Timing, machine, measure, summarize } from './harness.ts';
import { legacyPolarFillNormal } from './legacyPolarRng.ts';
import { BENCH_DIMS, MLP_HIDDEN, gapWorkload, workloadJson } from './gapWorkloads.ts';
import { type ReductionRow, varianceReductionRows } from './varianceReductionBench.ts';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const REPS = quick ? 3 : 7;
const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..');

interface GapRow {
  d: number; model: string; n: number;
  batched: Timing; batchedPerSec: number; batchedZ: number;
  /** The same kernel with the plain-JS model loops (SCORECHECK_SIMD=0), for the effect of the wasm kernels. */
  jsLoops: Timing; jsLoopsPerSec: number;
  pointwise: Timing; pointwiseN: number; pointwisePerSec: number;
  numpy?: { median: number; perSec: number; cpuPerSec: number; mean: number; z: number; batch: number };
  /** NumPy with OPENBLAS_NUM_THREADS=1 (scorecheck's kernel is single-threaded). */
  numpy1?: { perSec: number; cpuPerSec: number; batch: number };
  /** scorecheck batched samples/s ÷ NumPy samples/s (> 1: scorecheck faster). */
  ratioVsNumpy?: number;
}

const m = machine();
console.log(`scorecheck bench — ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}, load ${m.loadAtStart.map((x) => x.toFixed(2)).join(' ')}${quick ? ' (quick)' : ''}`);

// 1. Normal sampler.
const NS = 1 << 20;
const buf = new Float64Array(NS);
const rng = createRng('bench/sampler');
const samplerNew = measure(() => rng.fillNormal(buf), 3, REPS);
const legacy = legacyPolarFillNormal('bench/sampler');
const samplerOld = measure(() => legacy(buf), 3, REPS);

// 2. Gap estimator.
const workloads = BENCH_DIMS.map((d) => {
  const w = gapWorkload(d);
  return quick ? { ...w, n: Math.max(2000, w.n >> 3) } : w;
});
const gapRows: GapRow[] = [];
for (const w of workloads) {
  const C = vincentConstant(w.data, w.level);
  for (const kind of ['affine', 'mlp'] as const) {
    const batchModel = kind === 'affine' ? affineBatchModel(w.affine) : MlpBatchModel.fromWeights(w.mlp.weights);
    const prep = prepareGaussianGap(w.data, w.level, batchModel);
    const r = createRng(`bench/gap/${w.d}/${kind}`);
    let est = plainGapEstimate(sampleGapTerms(prep, r, w.n));
    const batched = measure(() => { est = plainGapEstimate(sampleGapTerms(prep, r, w.n)); }, 1, REPS);
    process.env.SCORECHECK_SIMD = '0'; // read when a model is first evaluated
    const jsModel = kind === 'affine' ? affineBatchModel(w.affine) : MlpBatchModel.fromWeights(w.mlp.weights);
    const jsPrep = prepareGaussianGap(w.data, w.level, jsModel);
    const jsLoops = measure(() => { plainGapEstimate(sampleGapTerms(jsPrep, r, w.n)); }, 1, Math.min(REPS, 3));
    delete process.env.SCORECHECK_SIMD;
    const pointN = Math.max(2000, Math.floor(w.n / (w.d >= 32 ? 4 : 2)));
    const pm = kind === 'affine' ? w.affine : w.mlp;
    const pointwise = measure(() => { dsmMinusEsmMonteCarlo(pm, w.data, w.level, r, pointN); }, 1, Math.min(REPS, 5));
    gapRows.push({
      d: w.d, model: kind, n: w.n,
      batched, batchedPerSec: w.n / batched.median, batchedZ: (est.mean - C) / est.stderr,
      jsLoops, jsLoopsPerSec: w.n / jsLoops.median,
      pointwise, pointwiseN: pointN, pointwisePerSec: pointN / pointwise.median,
    });
  }
}

// 3. NumPy, same workloads.
let numpyInfo: { version: string; samplerPerSec: number; samplerCpuPerSec: number } | undefined;
let numpyNote = '';
if (!args.has('--no-numpy')) {
  const probe = spawnSync('python3', ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' });
  if (probe.status === 0) {
    const dir = mkdtempSync(join(tmpdir(), 'scorecheck-bench-'));
    const file = join(dir, 'workloads.json');
    writeFileSync(file, JSON.stringify(workloads.map(workloadJson)));
    const res = spawnSync('python3', [join(here, 'numpy_gap.py'), file, String(REPS)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (res.status === 0) {
      const out = JSON.parse(res.stdout);
      numpyInfo = { version: out.numpy, samplerPerSec: out.sampler.n / out.sampler.median, samplerCpuPerSec: out.sampler.n / out.sampler.cpu_median };
      for (const g of out.gap) {
        const row = gapRows.find((x) => x.d === g.d && x.model === g.model)!;
        const w = workloads.find((x) => x.d === g.d)!;
        const C = vincentConstant(w.data, w.level);
        row.numpy = { median: g.median, perSec: g.n / g.median, cpuPerSec: g.n / g.cpu_median, mean: g.mean, z: (g.mean - C) / Math.sqrt(g.variance / g.n), batch: g.batch };
        row.ratioVsNumpy = row.batchedPerSec / row.numpy.perSec;
      }
      const one = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
      const res1 = spawnSync('python3', [join(here, 'numpy_gap.py'), file, String(REPS)], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ...one } });
      if (res1.status === 0) {
        for (const g of JSON.parse(res1.stdout).gap) {
          const row = gapRows.find((x) => x.d === g.d && x.model === g.model)!;
          row.numpy1 = { perSec: g.n / g.median, cpuPerSec: g.n / g.cpu_median, batch: g.batch };
        }
      }
    } else numpyNote = `numpy_gap.py failed: ${res.stderr.slice(0, 500)}`;
  } else numpyNote = 'python3 with numpy not available: NumPy comparison skipped';
} else numpyNote = 'NumPy comparison skipped (--no-numpy)';
if (numpyNote) console.log(numpyNote);

// 4. scorecheck verify on defaults.
let verify: { timing?: Timing; status?: number | null; note: string } = { note: 'skipped (--no-verify)' };
if (!args.has('--no-verify')) {
  if (!existsSync(join(root, 'src/cli/main.ts'))) verify = { note: 'src/cli/main.ts not present yet: `scorecheck verify` skipped' };
  else {
    const ts: number[] = [];
    let status: number | null = null;
    const vreps = quick ? 1 : 3;
    for (let i = 0; i < vreps; i++) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync('node', [join(root, 'bin/scorecheck.mjs'), 'verify'], { cwd: root, encoding: 'utf8', timeout: 600_000 });
      ts.push(Number(process.hrtime.bigint() - t0) / 1e9);
      status = r.status;
      if (r.status === null || (r.status !== 0 && r.status !== 1)) break;
    }
    verify = { timing: summarize(ts), status, note: `exit status ${status} (0: all claims as expected)` };
  }
}

// 5. Variance reduction.
const vr: ReductionRow[] = args.has('--no-vr') ? [] : varianceReductionRows(quick);

// Output.
const fmt = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(1));
const pct = (t: Timing) => `±${(50 * t.relSpread).toFixed(0)}%`;
const lines: string[] = [];
lines.push(`Machine: ${m.cpu}, ${m.cores} cores, Node ${m.node}${numpyInfo ? `, NumPy ${numpyInfo.version}` : ''}. Date: ${m.date}. Load average at start: ${m.loadAtStart.map((x) => x.toFixed(2)).join(' ')}${quick ? '. QUICK run (fewer samples/reps).' : '.'}`);
lines.push('');
lines.push(`### Normal sampler (${NS} draws, median of ${REPS})`);
lines.push('');
lines.push('| sampler | draws/s (wall) | spread | draws/s (CPU time) | load |');
lines.push('|---|---|---|---|---|');
lines.push(`| scorecheck createRng().fillNormal (xoshiro128** + ziggurat) | ${fmt(NS / samplerNew.median)} | ${pct(samplerNew)} | ${fmt(NS / samplerNew.cpuMedian!)} | ${samplerNew.load1.toFixed(2)} |`);
lines.push(`| previous: alea + polar | ${fmt(NS / samplerOld.median)} | ${pct(samplerOld)} | ${fmt(NS / samplerOld.cpuMedian!)} | ${samplerOld.load1.toFixed(2)} |`);
if (numpyInfo) lines.push(`| NumPy default_rng().standard_normal (PCG64 + ziggurat) | ${fmt(numpyInfo.samplerPerSec)} | | ${fmt(numpyInfo.samplerCpuPerSec)} | |`);
lines.push('');
lines.push(`### DSM − ESM gap estimator, samples/s (median of ${REPS}; MLP hidden width ${MLP_HIDDEN}; VP ᾱ = 0.75)`);
lines.push('');
lines.push('Wall clock. scorecheck: `src/objectives/reducedVariance` (`prepareGaussianGap` + `sampleGapTerms` + `plainGapEstimate`), single-threaded, WebAssembly SIMD model kernels; NumPy: `bench/numpy_gap.py`, OpenBLAS default threads and `OPENBLAS_NUM_THREADS=1`, batch = NumPy\'s fastest per workload.');
lines.push('');
lines.push('| d | model | n | scorecheck | spread | z vs C_t | NumPy | NumPy z | scorecheck ÷ NumPy | NumPy 1 BLAS thread | scorecheck ÷ NumPy 1 thread | pointwise (src/objectives/dsmMinusEsmMonteCarlo) | load |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of gapRows) {
  lines.push(`| ${r.d} | ${r.model} | ${r.n} | ${fmt(r.batchedPerSec)} | ${pct(r.batched)} | ${r.batchedZ.toFixed(2)} | ${r.numpy ? fmt(r.numpy.perSec) : '—'} | ${r.numpy ? r.numpy.z.toFixed(2) : '—'} | ${r.ratioVsNumpy ? r.ratioVsNumpy.toFixed(2) + '×' : '—'} | ${r.numpy1 ? fmt(r.numpy1.perSec) : '—'} | ${r.numpy1 ? (r.batchedPerSec / r.numpy1.perSec).toFixed(2) + '×' : '—'} | ${fmt(r.pointwisePerSec)} | ${r.batched.load1.toFixed(2)} |`);
}
lines.push('');
lines.push('CPU time (process user + system per repetition: what each takes on an idle core; robust to other load, except for cores shared by hyperthreads). NumPy default threads: CPU time summed over BLAS threads.');
lines.push('');
lines.push('| d | model | scorecheck | same, JS model loops (SCORECHECK_SIMD=0) | NumPy 1 BLAS thread | scorecheck ÷ NumPy 1 thread | NumPy default threads | NumPy batch (default / 1 thread) |');
lines.push('|---|---|---|---|---|---|---|---|');
for (const r of gapRows) {
  const sc = r.n / r.batched.cpuMedian!;
  lines.push(`| ${r.d} | ${r.model} | ${fmt(sc)} | ${fmt(r.n / r.jsLoops.cpuMedian!)} | ${r.numpy1 ? fmt(r.numpy1.cpuPerSec) : '—'} | ${r.numpy1 ? (sc / r.numpy1.cpuPerSec).toFixed(2) + '×' : '—'} | ${r.numpy ? fmt(r.numpy.cpuPerSec) : '—'} | ${r.numpy ? r.numpy.batch : '—'} / ${r.numpy1 ? r.numpy1.batch : '—'} |`);
}
lines.push('');
lines.push('### `scorecheck verify` (defaults)');
lines.push('');
lines.push(verify.timing ? `Wall time: median ${verify.timing.median.toFixed(2)} s over ${verify.timing.reps} (min ${verify.timing.min.toFixed(2)}, max ${verify.timing.max.toFixed(2)}), ${verify.note}, load ${verify.timing.load1.toFixed(2)}.` : verify.note);
if (vr.length) {
  lines.push('');
  lines.push('### Variance reduction: samples for equal CI width, plain ÷ reduced (= variance ratio per model evaluation)');
  lines.push('');
  lines.push('| check | case | estimator | factor | z (reduced) vs exact |');
  lines.push('|---|---|---|---|---|');
  for (const r of vr) lines.push(`| ${r.check} | ${r.case} | ${r.estimator} | ${r.factor === Infinity ? '∞ (variance at rounding level: control = model)' : r.factor.toFixed(1) + '×'} | ${Number.isNaN(r.z) ? 'means differ > 1e-9 rel.' : r.z.toFixed(2)} |`);
  lines.push('');
  lines.push('z for the learned density predictor is against a plain run with 8× the samples (its stderr included).');
}
const table = lines.join('\n');
console.log('\n' + table);

const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify({ machine: m, quick, reps: REPS, sampler: { n: NS, scorecheck: samplerNew, legacyPolar: samplerOld, numpyPerSec: numpyInfo?.samplerPerSec }, gap: gapRows, numpy: numpyInfo ?? numpyNote, verify, varianceReduction: vr }, null, 2));
writeFileSync(join(resultsDir, 'RESULTS.md'), `# scorecheck bench — latest\n\nRepeat with \`npm run bench\` (flags: --quick, --no-numpy, --no-verify, --no-vr).\n\n${table}\n`);
const history = join(here, 'RESULTS.md');
if (!existsSync(history)) writeFileSync(history, '# scorecheck bench — history\n\nOne section per `npm run bench`; newest last.\n');
appendFileSync(history, `\n## ${m.date}${quick ? ' (quick)' : ''}\n\n${table}\n`);
