/**
 * The long false-alarm run (issue 18), outside CI: `scorecheck verify` and the property suite
 * over many seeds, one line per seed appended to a results file, resumable, with a summary of
 * every unexpected verdict and failing test and the command that replays it.
 *
 *   npx tsx bench/false-alarm-run.ts --verify 1000 --suite 200             # foreground
 *   npx tsx bench/false-alarm-run.ts --verify 1000 --suite 200 --background # detached, logs to <dir>/run.log
 *   npx tsx bench/false-alarm-run.ts --summary                             # summary of what is recorded
 *
 * Options: --verify N (verify seeds, default 0) --verify-from S (first verify seed, default 1000)
 *          --suite M (suite seeds, default 0) --suite-from S (first suite seed, default 1)
 *          --dir DIR (default reports/false-alarm) --verify-timeout SEC (default 900)
 *          --suite-timeout SEC (default 1800) --background --summary
 *          --carry-forward (also determine every recorded suite seed on this tree: re-run, with
 *            that seed, only the test files that changed since the tree of its record —
 *            bench/suiteCarryForward.ts; the checkout must be clean)
 *
 * Per verify seed: `node bin/scorecheck.mjs verify --no-save --seed S --json <file>` with an
 * empty SCORECHECK_STORE (no saved counterexample of this machine leaks in); a claim whose
 * result is not ok (an unexpected counterexample, an error, "inconclusive") is an unexpected
 * verdict. Per suite seed: `SCORECHECK_SEED=S npx vitest run --reporter=json`; a failed test
 * (or a run that does not finish) is a failure. Seeds are interleaved (about N/M verify seeds
 * per suite seed) so a partial run covers both. A seed is recorded only when it has finished,
 * so an interrupted run (Ctrl-C, SIGTERM, a reboot) resumes by running the same command again:
 * recorded seeds are skipped. One job at a time: the machine's cores are shared.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { SuiteRecord, VerifyRecord } from './runRecords.ts';
import { type SuiteReplayRecord, affectedTests, composeSuiteStatus, suiteFiles } from './suiteCarryForward.ts';

export type { SuiteRecord, VerifyRecord };

const root = resolve(new URL('.', import.meta.url).pathname, '..');
const argv = process.argv.slice(2);
function opt(name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`${name} must be a non-negative integer, got ${argv[i + 1]}`);
    process.exit(2);
  }
  return v;
}
const dirArg = argv.indexOf('--dir') >= 0 ? argv[argv.indexOf('--dir') + 1] : 'reports/false-alarm';
const dir = resolve(root, dirArg ?? 'reports/false-alarm');
/** The commit the run measures (records from different trees are told apart). */
const tree = (() => {
  try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(); } catch { return 'unknown'; }
})();
const files = { verify: join(dir, 'verify.jsonl'), suite: join(dir, 'suite.jsonl') };

type RunRecord = VerifyRecord | SuiteRecord | SuiteReplayRecord;

/** The recorded lines of a results file (a torn last line from a killed writer is ignored). */
export function readRecords<T extends RunRecord>(file: string): T[] {
  if (!existsSync(file)) return [];
  const out: T[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      /* a partial line: that seed is redone */
    }
  }
  return out;
}

/** Appends one record as one line; a torn last line (a writer killed mid-line) is closed off first. */
export function appendRecord(file: string, rec: RunRecord): void {
  const torn = existsSync(file) && statSync(file).size > 0 && !readFileSync(file, 'utf8').endsWith('\n');
  appendFileSync(file, `${torn ? '\n' : ''}${JSON.stringify(rec)}\n`);
}

/** verify and suite seeds in one queue: about verify/suite verify seeds per suite seed. */
export function interleave(verify: number[], suite: number[]): { kind: 'verify' | 'suite'; seed: number }[] {
  const out: { kind: 'verify' | 'suite'; seed: number }[] = [];
  let i = 0, j = 0;
  while (i < verify.length || j < suite.length) {
    // next the kind that is further behind its share
    const vShare = verify.length ? i / verify.length : 1, sShare = suite.length ? j / suite.length : 1;
    if (i < verify.length && (vShare <= sShare || j >= suite.length)) out.push({ kind: 'verify', seed: verify[i++] });
    else out.push({ kind: 'suite', seed: suite[j++] });
  }
  return out;
}

let current: ChildProcess | undefined;
let stopping = false;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutSec: number, stdoutFile?: string): Promise<{ exit: number | null; ms: number; timedOut: boolean; stderr: string }> {
  return new Promise((done) => {
    const t0 = Date.now();
    const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', out, 'pipe'], detached: true });
    current = child;
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      stderr = (stderr + s).slice(-4000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutSec * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      current = undefined;
      done({ exit: code, ms: Date.now() - t0, timedOut, stderr });
    });
  });
}

async function verifySeed(seed: number, timeoutSec: number): Promise<VerifyRecord> {
  const scratch = mkdtempSync(join(tmpdir(), 'scorecheck-fa-'));
  const report = join(scratch, 'report.json');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, SCORECHECK_STORE: join(scratch, 'store') };
    delete env.SCORECHECK_SEED;
    const r = await run(process.execPath, ['bin/scorecheck.mjs', 'verify', '--no-save', '--seed', String(seed), '--json', report], env, timeoutSec);
    const base = { kind: 'verify' as const, seed, tree, date: new Date().toISOString(), ms: r.ms, exit: r.exit, load: loadavg()[0] };
    if (r.timedOut) return { ...base, unexpected: [], failure: `no report within ${timeoutSec} s` };
    if (!existsSync(report)) return { ...base, unexpected: [], failure: `no report (exit ${r.exit}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` };
    const json = JSON.parse(readFileSync(report, 'utf8')) as { summary: Record<string, number>; results: { id: string; ok: boolean; verdict: string; expected: string; reason?: string }[] };
    const unexpected = json.results.filter((x) => !x.ok).map((x) => ({ id: x.id, verdict: x.verdict, expected: x.expected, ...(x.reason ? { reason: x.reason.slice(0, 300) } : {}) }));
    return { ...base, unexpected, summary: json.summary };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface VitestJson {
  numTotalTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

/** One seed of the whole suite, or (carrying a result of `carry.base` forward) of the files that changed since. */
async function suiteSeed(seed: number, timeoutSec: number): Promise<SuiteRecord>;
async function suiteSeed(seed: number, timeoutSec: number, carry: { base: string; files: string[] | 'all' }): Promise<SuiteReplayRecord>;
async function suiteSeed(seed: number, timeoutSec: number, carry?: { base: string; files: string[] | 'all' }): Promise<SuiteRecord | SuiteReplayRecord> {
  const scratch = mkdtempSync(join(tmpdir(), 'scorecheck-fa-'));
  const report = join(scratch, 'vitest.json');
  try {
    const env = { ...process.env, SCORECHECK_SEED: String(seed), SCORECHECK_STORE: join(scratch, 'store') };
    const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
    const only = carry && carry.files !== 'all' ? carry.files : [];
    const r = await run(process.execPath, [vitest, 'run', '--reporter=json', `--outputFile=${report}`, ...only], env, timeoutSec);
    const base = { ...(carry ? { kind: 'suite-replay' as const, base: carry.base, files: carry.files } : { kind: 'suite' as const }), seed, tree, date: new Date().toISOString(), ms: r.ms, exit: r.exit, load: loadavg()[0] };
    if (r.timedOut) return { ...base, failed: [], failure: `not finished within ${timeoutSec} s` };
    if (!existsSync(report)) return { ...base, failed: [], failure: `no report (exit ${r.exit}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` };
    const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
    const failed: SuiteRecord['failed'] = [];
    for (const f of json.testResults) {
      const file = relative(root, f.name);
      for (const a of f.assertionResults) if (a.status === 'failed') failed.push({ file, name: a.fullName, message: (a.failureMessages[0] ?? '').split('\n')[0].slice(0, 300) });
      // a file that failed outside any test (import error, unhandled rejection)
      if (f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')) failed.push({ file, name: '(file)', message: (f.message ?? '').split('\n')[0].slice(0, 300) });
    }
    return { ...base, tests: json.numTotalTests, failed };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The summary of recorded seeds: unexpected verdicts per claim and failing tests, each with the seeds that replay it. */
export function summarize(verify: VerifyRecord[], suiteRecords: (SuiteRecord | SuiteReplayRecord)[], head?: string): string {
  const lines: string[] = [];
  const suite = suiteRecords.filter((r): r is SuiteRecord => r.kind === 'suite');
  const hours = (ms: number) => (ms / 3.6e6).toFixed(2);
  const vBad = verify.filter((r) => r.unexpected.length > 0 || r.failure);
  lines.push(`verify: ${verify.length} seeds${verify.length ? ` (${Math.min(...verify.map((r) => r.seed))}…${Math.max(...verify.map((r) => r.seed))})` : ''}, ${vBad.length} with an unexpected verdict or a failed run; ${hours(verify.reduce((s, r) => s + r.ms, 0))} h`);
  const byClaim = new Map<string, { verdict: string; seeds: number[]; reason?: string }>();
  for (const r of verify) {
    for (const u of r.unexpected) {
      const key = `${u.id} → ${u.verdict} (expected ${u.expected})`;
      const e = byClaim.get(key) ?? { verdict: u.verdict, seeds: [], reason: u.reason };
      e.seeds.push(r.seed);
      byClaim.set(key, e);
    }
  }
  for (const [key, e] of [...byClaim].sort((a, b) => b[1].seeds.length - a[1].seeds.length)) {
    const claim = key.split(' → ')[0];
    lines.push(`  ${key}: ${e.seeds.length}/${verify.length} seeds (${(100 * e.seeds.length / verify.length).toFixed(2)} %), seeds ${e.seeds.slice(0, 12).join(', ')}${e.seeds.length > 12 ? ', …' : ''}`);
    if (e.reason) lines.push(`    first reason: ${e.reason}`);
    lines.push(`    replay: node bin/scorecheck.mjs verify --no-save --seed ${e.seeds[0]} --claim ${claim}`);
  }
  for (const r of verify.filter((x) => x.failure)) lines.push(`  run failed at seed ${r.seed}: ${r.failure}\n    replay: node bin/scorecheck.mjs verify --no-save --seed ${r.seed}`);
  const sBad = suite.filter((r) => r.failed.length > 0 || r.failure);
  lines.push(`suite: ${suite.length} seeds${suite.length ? ` (${Math.min(...suite.map((r) => r.seed))}…${Math.max(...suite.map((r) => r.seed))})` : ''}, ${sBad.length} with a failure; ${hours(suite.reduce((s, r) => s + r.ms, 0))} h`);
  const byTest = new Map<string, { file: string; seeds: number[]; message: string }>();
  for (const r of suite) {
    for (const f of r.failed) {
      const key = `${f.file} > ${f.name}`;
      const e = byTest.get(key) ?? { file: f.file, seeds: [], message: f.message };
      e.seeds.push(r.seed);
      byTest.set(key, e);
    }
  }
  for (const [key, e] of [...byTest].sort((a, b) => b[1].seeds.length - a[1].seeds.length)) {
    lines.push(`  ${key}: ${e.seeds.length}/${suite.length} seeds, seeds ${e.seeds.slice(0, 12).join(', ')}${e.seeds.length > 12 ? ', …' : ''}`);
    lines.push(`    first message: ${e.message}`);
    lines.push(`    replay: SCORECHECK_SEED=${e.seeds[0]} npx vitest run ${e.file}`);
  }
  for (const r of suite.filter((x) => x.failure)) lines.push(`  run failed at seed ${r.seed}: ${r.failure}\n    replay: SCORECHECK_SEED=${r.seed} npx vitest run`);
  const unexpected = [...byClaim.values()].reduce((s, e) => s + e.seeds.length, 0) + verify.filter((r) => r.failure).length;
  const failures = [...byTest.values()].reduce((s, e) => s + e.seeds.length, 0) + suite.filter((r) => r.failure).length;
  const trees = (rs: RunRecord[]) => [...rs.reduce((m, r) => m.set(r.tree ?? 'unrecorded', (m.get(r.tree ?? 'unrecorded') ?? 0) + 1), new Map<string, number>())].map(([t, n]) => `${t} ${n}`).join(', ');
  if (verify.length || suite.length) lines.push(`trees: verify ${trees(verify) || '—'}; suite ${trees(suite) || '—'}`);
  lines.push(`total: ${unexpected} unexpected verdicts in ${verify.length} verify seeds, ${failures} test failures in ${suite.length} suite seeds`);
  if (head) lines.push(...carriedSummary(suiteRecords, head));
  return lines.join('\n');
}

/** The suite on one tree: full runs there, and full runs elsewhere carried forward by re-running what changed. */
function carriedSummary(records: (SuiteRecord | SuiteReplayRecord)[], head: string): string[] {
  const status = composeSuiteStatus(records);
  const seeds = [...status].filter(([, byTree]) => byTree.has(head)).map(([seed]) => seed).sort((a, b) => a - b);
  if (!seeds.length) return [`suite on ${head}: no seed determined (--carry-forward re-runs what changed since each recorded seed's tree)`];
  const full = new Set(records.filter((r) => r.kind === 'suite' && r.tree === head).map((r) => r.seed));
  const failing = seeds.filter((seed) => status.get(seed)!.get(head)!.size > 0);
  const out = [`suite on ${head}: ${seeds.length} seeds determined (${seeds.filter((x) => full.has(x)).length} full runs on ${head}, ${seeds.filter((x) => !full.has(x)).length} carried forward from older trees), ${failing.length} with a failing test file`];
  for (const seed of failing) {
    for (const file of status.get(seed)!.get(head)!) out.push(`  seed ${seed}: ${file} — replay: SCORECHECK_SEED=${seed} npx vitest run${file === '(run)' ? '' : ` ${file}`}`);
  }
  return out;
}

function printSummary(): void {
  console.log(summarize(readRecords<VerifyRecord>(files.verify), readRecords<SuiteRecord | SuiteReplayRecord>(files.suite), tree));
}

/** Re-runs that would determine each recorded seed on this tree, cheapest base first (files to re-run / all). */
function carryForwardTasks(records: (SuiteRecord | SuiteReplayRecord)[]): { seed: number; base: string; files: string[] | 'all'; cost: number }[] {
  const status = composeSuiteStatus(records);
  const affected = new Map<string, string[] | 'all'>();
  const suite = suiteFiles(root);
  const cost = (files: string[] | 'all') => (files === 'all' ? 1 : files.length / suite.all.length);
  const tasks: { seed: number; base: string; files: string[] | 'all'; cost: number }[] = [];
  for (const [seed, byTree] of status) {
    if (byTree.has(tree)) continue;
    let best: { base: string; files: string[] | 'all'; cost: number } | undefined;
    for (const base of byTree.keys()) {
      if (!affected.has(base)) affected.set(base, affectedTests(root, base, suite));
      const files = affected.get(base)!;
      if (!best || cost(files) < best.cost) best = { base, files, cost: cost(files) };
    }
    if (best) tasks.push({ seed, ...best });
  }
  return tasks.sort((a, b) => a.cost - b.cost || a.seed - b.seed);
}

async function main(): Promise<void> {
  // `… --background | head -1`: a closed stdout ends the launcher quietly (the detached run goes on).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
  mkdirSync(dir, { recursive: true });
  if (argv.includes('--summary')) return printSummary();
  const nVerify = opt('--verify', 0), nSuite = opt('--suite', 0), carry = argv.includes('--carry-forward');
  if (nVerify + nSuite === 0 && !carry) {
    console.error('nothing to run: give --verify N, --suite M and/or --carry-forward (or --summary)');
    process.exit(2);
  }
  if (argv.includes('--background')) {
    const log = join(dir, 'run.log');
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1).filter((a) => a !== '--background')], {
      cwd: root, detached: true, stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')],
    });
    writeFileSync(join(dir, 'run.pid'), `${child.pid}\n`);
    child.unref();
    console.log(`running in the background, pid ${child.pid} (also in ${relative(root, join(dir, 'run.pid'))}); log ${relative(root, log)}`);
    console.log(`follow: tail -f ${relative(root, log)} · summary: npx tsx bench/false-alarm-run.ts --summary --dir ${relative(root, dir)} · stop: kill ${child.pid} (resume with the same command)`);
    return;
  }
  const v0 = opt('--verify-from', 1000), s0 = opt('--suite-from', 1);
  const vTimeout = opt('--verify-timeout', 900), sTimeout = opt('--suite-timeout', 1800);
  const doneV = new Set(readRecords<VerifyRecord>(files.verify).map((r) => r.seed));
  const suiteRecords = readRecords<SuiteRecord | SuiteReplayRecord>(files.suite);
  const doneS = new Set(suiteRecords.map((r) => r.seed));
  const fresh = interleave(
    Array.from({ length: nVerify }, (_, i) => v0 + i).filter((s) => !doneV.has(s)),
    Array.from({ length: nSuite }, (_, i) => s0 + i).filter((s) => !doneS.has(s)),
  ).map((t) => ({ ...t, cost: 1 }));
  if (carry && execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim()) {
    console.error('--carry-forward needs a clean checkout: uncommitted changes would not be in the tree the records name');
    process.exit(2);
  }
  const carried = carry ? carryForwardTasks(suiteRecords).map((t) => ({ kind: 'carry' as const, ...t })) : [];
  // Cheapest first: a re-run of a few files determines a seed in seconds; new seeds and full re-runs cost a suite run.
  const todo: ({ kind: 'verify' | 'suite'; seed: number; cost: number } | (typeof carried)[number])[] = [...carried, ...fresh].sort((a, b) => a.cost - b.cost);
  console.log(`${new Date().toISOString()} ${todo.length} runs on ${tree}: ${carried.length} recorded suite seeds to carry forward, ${fresh.filter((x) => x.kind === 'suite').length} new suite and ${fresh.filter((x) => x.kind === 'verify').length} new verify seeds (${nVerify - fresh.filter((x) => x.kind === 'verify').length} verify and ${nSuite - fresh.filter((x) => x.kind === 'suite').length} suite seeds already recorded in ${relative(root, dir)})`);
  const stop = (sig: NodeJS.Signals) => {
    stopping = true;
    if (current?.pid) {
      try {
        process.kill(-current.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    console.log(`${new Date().toISOString()} ${sig}: stopped; the seed in progress is not recorded (resume with the same command)`);
    process.exit(130);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const [k, task] of todo.entries()) {
    if (stopping) break;
    const rec = task.kind === 'carry' ? await suiteSeed(task.seed, sTimeout, { base: task.base, files: task.files })
      : task.kind === 'verify' ? await verifySeed(task.seed, vTimeout) : await suiteSeed(task.seed, sTimeout);
    if (stopping) break;
    appendRecord(rec.kind === 'verify' ? files.verify : files.suite, rec);
    const bad = rec.kind === 'verify' ? rec.unexpected.map((u) => `${u.id}: ${u.verdict}`) : rec.failed.map((f) => `${f.file} > ${f.name}`);
    const what = task.kind === 'carry' ? `suite seed ${task.seed} carried from ${task.base} (${task.files === 'all' ? 'all' : task.files.length} files)` : `${task.kind} seed ${task.seed}`;
    console.log(`${rec.date} [${k + 1}/${todo.length}] ${what}: ${rec.failure ?? (bad.length ? `UNEXPECTED ${bad.join('; ')}` : 'ok')} (${(rec.ms / 1000).toFixed(1)} s, load ${rec.load.toFixed(1)})`);
  }
  printSummary();
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('false-alarm-run.ts')) await main();
