/**
 * `npm run mutate -- <folder> [--sample N] [--seed S] [--list] [--summary]` — StrykerJS mutation
 * testing of one folder of src/ (theory, objectives, diffusion, gaussian, subject, …), outside
 * `npm test` and CI. Configuration: stryker.config.mjs (perTest coverage, one worker,
 * incremental). Results under reports/mutation/ (git-ignored): `<target>.json` (the mutation
 * report), `<target>.html`, `<target>.incremental.json` (a re-run tests only the mutants whose code
 * or covering tests changed), and for a sampled run `<target>.sample.json` + `<target>.summary.md`.
 *
 *   <folder>         every mutant of src/<folder>/**\/*.ts except *.test.ts (target `<folder>`)
 *   --sample N       a simple random sample of N mutants (without replacement, seeded), target
 *                    `<folder>.sample-N-S`; the score is reported with a 95 % Wilson interval
 *   --seed S         the sample's seed (default 1)
 *   --ignore-static  skip static mutants (code run at module load: each needs every related test
 *                    file, ~100 s on this machine); they are reported as Ignored, out of the score
 *   --list           only count the folder's mutants by mutator, run nothing
 *   --summary        only summarize the existing report of the target, run nothing
 *
 * Sampling: the mutants are enumerated with Stryker's own instrumenter (same mutators, same
 * locations as `stryker run`); Stryker is given one mutate range per sampled mutant and the
 * `sample` ignorer (bench/mutation/sampleIgnorer.mjs) drops the descendants of those nodes; the
 * few extra mutants at a sampled node are run but left out of the count.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import seedrandom from 'seedrandom';
import { wilsonInterval } from '../wilsonInterval.ts';

interface Position { line: number; column: number }
interface Location { start: Position; end: Position }
interface SampledMutant { file: string; mutatorName: string; replacement: string; location: Location }

const root = join(new URL('.', import.meta.url).pathname, '..', '..');
const argv = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const folderArg = argv.find((a, i) => !a.startsWith('--') && !['--sample', '--seed'].includes(argv[i - 1] ?? ''));
if (!folderArg) {
  console.error('usage: npm run mutate -- <folder under src/> [--sample N] [--seed S] [--list] [--summary]');
  process.exit(2);
}
const folder = folderArg.replace(/^src\//, '').replace(/\/$/, '');
const folderPath = join(root, 'src', folder);
if (!existsSync(folderPath)) {
  console.error(`no folder src/${folder}`);
  process.exit(2);
}
const sampleSize = flag('--sample') === undefined ? undefined : Number(flag('--sample'));
const seed = Number(flag('--seed') ?? 1);
if (sampleSize !== undefined && !(Number.isInteger(sampleSize) && sampleSize > 0)) throw new Error(`--sample must be a positive integer, got ${flag('--sample')}`);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${flag('--seed')}`);
const target = sampleSize === undefined ? folder : `${folder}.sample-${sampleSize}-${seed}`;
const outDir = join(root, 'reports', 'mutation');
mkdirSync(outDir, { recursive: true });

const sourceFiles = (readdirSync(folderPath, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
  .map((f) => relative(root, join(folderPath, f)))
  .sort();

/** Every mutant Stryker would make in the folder, in a stable order (file, position, mutator). */
async function enumerateMutants(): Promise<SampledMutant[]> {
  const quiet = () => undefined;
  const logger = { isDebugEnabled: () => false, isTraceEnabled: () => false, isInfoEnabled: () => false, debug: quiet, trace: quiet, info: quiet, warn: console.warn, error: console.error, fatal: console.error };
  const instrumenter = new Instrumenter(logger as never);
  const result = await instrumenter.instrument(
    sourceFiles.map((name) => ({ name, content: readFileSync(join(root, name), 'utf8'), mutate: true as const })),
    { plugins: null, excludedMutations: [], ignorers: [], noHeader: false } as never,
  );
  return result.mutants
    .filter((m) => m.status !== 'Ignored')
    .map((m) => ({ file: m.fileName, mutatorName: m.mutatorName, replacement: m.replacement, location: m.location }));
}

/** Fisher–Yates on a seeded generator: the first n of a random permutation. */
function sample<T>(items: readonly T[], n: number, s: number): T[] {
  const rng = seedrandom(`mutate-sample-${s}`);
  const a = items.slice();
  const k = Math.min(n, a.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k);
}

/** API locations are 0-based lines; the mutate-range syntax and Babel use 1-based lines. */
const babelLocation = (l: Location): Location => ({ start: { line: l.start.line + 1, column: l.start.column }, end: { line: l.end.line + 1, column: l.end.column } });
/** The JSON report (mutation-testing-report-schema) uses 1-based lines and columns. */
const reportKey = (file: string, mutator: string, replacement: string, l: Location) =>
  `${file}|${l.start.line}:${l.start.column}-${l.end.line}:${l.end.column}|${mutator}|${replacement}`;
const sampledKey = (m: SampledMutant) => reportKey(m.file, m.mutatorName, m.replacement,
  { start: { line: m.location.start.line + 1, column: m.location.start.column + 1 }, end: { line: m.location.end.line + 1, column: m.location.end.column + 1 } });

interface ReportMutant { mutatorName: string; replacement?: string; location: Location; status: string; killedBy?: string[]; coveredBy?: string[] }
interface Report { files: Record<string, { source: string; mutants: ReportMutant[] }> }

const DETECTED = new Set(['Killed', 'Timeout']);
const VALID = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

function summarize(sampled: SampledMutant[] | undefined, population: number | undefined, seconds: number | undefined): string {
  const reportPath = join(outDir, `${target}.json`);
  if (!existsSync(reportPath)) throw new Error(`no report ${relative(root, reportPath)}: run without --summary first`);
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  const rows: { file: string; m: ReportMutant }[] = [];
  for (const [file, { mutants }] of Object.entries(report.files)) for (const m of mutants) rows.push({ file: relative(root, join(root, file)), m });
  let counted = rows;
  if (sampled) {
    const wanted = new Set(sampled.map(sampledKey));
    counted = rows.filter(({ file, m }) => wanted.has(reportKey(file, m.mutatorName, m.replacement ?? '', m.location)));
    if (counted.length !== sampled.length) console.warn(`warning: ${sampled.length} mutants sampled, ${counted.length} found in the report`);
  }
  const count: Record<string, number> = {};
  for (const { m } of counted) count[m.status] = (count[m.status] ?? 0) + 1;
  const valid = counted.filter(({ m }) => VALID.has(m.status)).length;
  const detected = counted.filter(({ m }) => DETECTED.has(m.status)).length;
  const [lo, hi] = wilsonInterval(detected, valid);
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const lines = [
    `## Mutation score: src/${folder}${sampled ? ` (random sample of ${sampled.length} of ${population} mutants, seed ${seed})` : ''}`,
    '',
    `Date: ${new Date().toISOString()}; Stryker ${strykerVersion()}; load average at the end: ${loadAverage()}${seconds === undefined ? '' : `; wall time ${(seconds / 60).toFixed(1)} min`}.`,
    `Command: \`npm run mutate -- ${folder}${sampled ? ` --sample ${sampled.length} --seed ${seed}` : ''}${argv.includes('--ignore-static') ? ' --ignore-static' : ''}\``,
    '',
    '| mutants | killed | timeout | survived | no coverage | static (ignored) | errors | score (valid) | 95 % interval |',
    '|---|---|---|---|---|---|---|---|---|',
    `| ${counted.length} | ${count.Killed ?? 0} | ${count.Timeout ?? 0} | ${count.Survived ?? 0} | ${count.NoCoverage ?? 0} | ${count.Ignored ?? 0} | ${counted.length - valid - (count.Ignored ?? 0)} | ${pct(valid ? detected / valid : 0)} (${detected}/${valid}) | [${pct(lo)}, ${pct(hi)}] |`,
    '',
    'Surviving / uncovered:',
    '',
  ];
  const survivors = counted.filter(({ m }) => m.status === 'Survived' || m.status === 'NoCoverage');
  survivors.sort((a, b) => a.file.localeCompare(b.file) || a.m.location.start.line - b.m.location.start.line);
  for (const { file, m } of survivors) {
    const src = report.files[Object.keys(report.files).find((f) => relative(root, join(root, f)) === file)!]!.source.split('\n')[m.location.start.line - 1]?.trim() ?? '';
    lines.push(`- ${m.status} ${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} → \`${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80)}\` — in \`${src.slice(0, 100)}\``);
  }
  return lines.join('\n') + '\n';
}

function strykerVersion(): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules/@stryker-mutator/core/package.json'), 'utf8')) as { version: string }).version;
}
function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function main() {
  if (argv.includes('--list')) {
    const all = await enumerateMutants();
    const by: Record<string, number> = {};
    for (const m of all) by[m.mutatorName] = (by[m.mutatorName] ?? 0) + 1;
    console.log(`src/${folder}: ${all.length} mutants in ${sourceFiles.length} files`, by);
    return;
  }
  let sampled: SampledMutant[] | undefined;
  let population: number | undefined;
  const samplePath = join(outDir, `${target}.sample.json`);
  if (sampleSize !== undefined) {
    const all = await enumerateMutants();
    population = all.length;
    sampled = sample(all, sampleSize, seed);
    writeFileSync(samplePath, JSON.stringify({ folder, seed, population, mutants: sampled, locations: sampled.map((m) => babelLocation(m.location)) }, null, 1));
  }
  let seconds: number | undefined;
  if (!argv.includes('--summary')) {
    const mutate = sampled
      ? [...new Set(sampled.map((m) => { const l = babelLocation(m.location); return `${m.file}:${l.start.line}:${l.start.column}-${l.end.line}:${l.end.column}`; }))]
      : [`src/${folder}/**/*.ts`, `!src/${folder}/**/*.test.ts`];
    const t0 = Date.now();
    const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, STRYKER_IGNORE_STATIC: argv.includes('--ignore-static') ? '1' : '0', STRYKER_TARGET: target, STRYKER_MUTATE: mutate.join(','), ...(sampled ? { STRYKER_SAMPLE: samplePath } : {}) },
    });
    seconds = (Date.now() - t0) / 1000;
    if (run.status !== 0) {
      console.error(`stryker exited with ${run.status}`);
      process.exit(run.status ?? 1);
    }
  } else if (sampled === undefined && existsSync(samplePath)) {
    sampled = (JSON.parse(readFileSync(samplePath, 'utf8')) as { mutants: SampledMutant[] }).mutants;
  }
  const text = summarize(sampled, population, seconds);
  writeFileSync(join(outDir, `${target}.summary.md`), text);
  console.log(`\n${text}\n(written to ${relative(root, join(outDir, `${target}.summary.md`))})`);
}

await main();
