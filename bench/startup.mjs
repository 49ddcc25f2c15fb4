#!/usr/bin/env node
// Start-up and whole-run CPU of the command and the library, before and after the package
// build (issue 14). Usage:  node bench/startup.mjs [BEFORE_REV] [--runs N] [--verify-runs M]
//
//   before: BEFORE_REV (default 5585899, the last commit that ran everything through tsx)
//           extracted with git archive into a temp folder, run as it was: bin through tsx,
//           import('scorecheck') with --import tsx; tsx's transform cache warm (its state
//           after a first run) and cold (a fresh TMPDIR each run: a fresh CI machine).
//   after:  this checkout packed and installed into a scratch project, run as a user runs it:
//           node_modules/.bin/scorecheck and import('scorecheck') with plain Node.
// Runs are interleaved (before, after, before, …) so both see the same machine load.
// Prints the machine, load and date, then median user+sys CPU and wall seconds per case,
// measured by /usr/bin/time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : dflt;
};
const runs = opt('--runs', 7);
const verifyRuns = opt('--verify-runs', 3);
const beforeRev = args[0] ?? '5585899';

function sh(cmd, argv, cwd, env = {}) {
  const r = spawnSync(cmd, argv, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} (in ${cwd}): exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** One timed run: { cpu: user+sys seconds, wall }. */
function timed({ cmd, argv, cwd, env = {}, coldTsx = false }) {
  const out = join(work, 'time.txt');
  const tmp = coldTsx ? mkdtempSync(join(work, 'tsx-cache-')) : undefined;
  const r = spawnSync('/usr/bin/time', ['-o', out, '-f', '%U %S %e', cmd, ...argv], { cwd, env: { ...process.env, ...env, ...(tmp ? { TMPDIR: tmp } : {}) }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const [u, s, e] = readFileSync(out, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { cpu: u + s, wall: e };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const work = mkdtempSync(join(tmpdir(), 'scorecheck-startup-'));
try {
  // before: the old tree, with this checkout's node_modules (tsx is a devDependency here).
  const before = join(work, 'before');
  sh('bash', ['-c', `mkdir -p '${before}' && git -C '${repo}' archive ${beforeRev} | tar -x -C '${before}'`], repo);
  symlinkSync(join(repo, 'node_modules'), join(before, 'node_modules'));
  // after: the packed package installed into a scratch project.
  const after = join(work, 'after');
  sh('mkdir', ['-p', after], work);
  const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', work], repo).replace(/^[^[]*/, ''))[0];
  writeFileSync(join(after, 'package.json'), '{"name":"startup-bench","private":true,"type":"module"}\n');
  sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(work, packed.filename)], after);

  const node = process.execPath;
  const importMod = ['--input-type=module', '-e', "await import('scorecheck')"];
  const cases = [
    { name: 'scorecheck --help', n: runs, before: { cmd: node, argv: ['bin/scorecheck.mjs', '--help'], cwd: before }, after: { cmd: join(after, 'node_modules/.bin/scorecheck'), argv: ['--help'], cwd: after }, cold: true },
    { name: "import('scorecheck')", n: runs, before: { cmd: node, argv: ['--import', 'tsx', ...importMod], cwd: before }, after: { cmd: node, argv: importMod, cwd: after }, cold: true },
    { name: 'scorecheck verify --no-save', n: verifyRuns, before: { cmd: node, argv: ['bin/scorecheck.mjs', 'verify', '--no-save'], cwd: before }, after: { cmd: join(after, 'node_modules/.bin/scorecheck'), argv: ['verify', '--no-save'], cwd: after }, cold: true },
  ];
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`machine: ${cpus().length} cores (nproc ${sh('nproc', [], repo).trim()}), ${cpus()[0]?.model ?? '?'}; node ${process.version}; ${new Date().toISOString()}`);
  console.log(`load at start: ${load()}; before = ${beforeRev} through tsx, after = ${packed.filename} installed; median of interleaved runs (user+sys CPU s / wall s)`);
  timed(cases[0].before); // warm tsx's transform cache for the "warm" rows
  timed(cases[1].before);
  for (const c of cases) {
    const rows = { 'before (tsx cache warm)': [], ...(c.cold ? { 'before (tsx cache cold)': [] } : {}), after: [] };
    for (let i = 0; i < c.n; i++) {
      rows['before (tsx cache warm)'].push(timed(c.before));
      if (c.cold) rows['before (tsx cache cold)'].push(timed({ ...c.before, coldTsx: true }));
      rows.after.push(timed(c.after));
    }
    console.log(`\n${c.name}  (${c.n} runs each)`);
    for (const [k, v] of Object.entries(rows)) console.log(`  ${k.padEnd(24)} CPU ${median(v.map((x) => x.cpu)).toFixed(2)} s   wall ${median(v.map((x) => x.wall)).toFixed(2)} s   (CPU ${v.map((x) => x.cpu.toFixed(2)).join(' ')})`);
    const cpu = (k) => median(rows[k].map((x) => x.cpu));
    console.log(`  CPU saved: ${(cpu('before (tsx cache warm)') - cpu('after')).toFixed(2)} s vs warm, ${(cpu('before (tsx cache cold)') - cpu('after')).toFixed(2)} s vs cold`);
  }
  console.log(`\nload at end: ${load()}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
