#!/usr/bin/env node
// The package as a user gets it (npm run test:pack; run by .ci/run after npm test):
//   1. npm pack (which builds dist/ through `prepare`) and check what the tarball holds;
//   2. npm install the tarball into a scratch project in a temp folder — no tsx, no
//      TypeScript, no vitest: only scorecheck and its dependencies;
//   3. run README.md's "Library" examples from plain .mjs files and compare what they print
//      with the numbers README states; require() the package from CommonJS;
//   4. compile the same examples, verbatim, as a strict TypeScript consumer (module NodeNext,
//      noUncheckedIndexedAccess, exactOptionalPropertyTypes, skipLibCheck off) with this
//      repository's tsc, and run the result;
//   5. run the installed `scorecheck`: --help, verify of one claim, a refuted claim replaying
//      the counterexample shipped in the package (from the scratch folder, writing nothing
//      there), check --help (a lazily loaded module), replay and check of shipped files by
//      their node_modules paths, and a TypeScript subject without tsx.
// Any failed step prints what it ran and what it got, and the script exits 1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'scorecheck-pack-'));
const t0 = Date.now();

function fail(step, detail) {
  console.error(`\npack test FAILED at: ${step}\n${detail}\n(scratch project kept in ${scratch})`);
  process.exit(1);
}

/** Runs a command and returns { stdout, stderr }; fails the test unless it exits with `status`. */
function run(step, cmd, args, { cwd = scratch, env = {}, status = 0 } = {}) {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, SCORECHECK_STORE: join(scratch, '.scorecheck-store'), ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) fail(step, `${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== status) {
    fail(step, `$ ${cmd} ${args.join(' ')}   (in ${cwd})\nexit ${r.status ?? r.signal}, expected ${status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r;
}

function check(step, ok, detail) {
  if (!ok) fail(step, detail);
  console.log(`  ok  ${step}`);
}

// ── 1. pack ────────────────────────────────────────────────────────────────────────────
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const packed = run('npm pack', npm, ['pack', '--json', '--pack-destination', scratch], { cwd: repo });
const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))[0];
const files = info.files.map((f) => f.path);
const allowed = /^(dist\/|docs\/|examples\/|fixtures\/counterexamples\/|bin\/(scorecheck|entry)\.mjs$|package\.json$|README\.md$|LICENSE)/;
check(`tarball: ${files.length} files, all in dist/ docs/ examples/ fixtures/counterexamples/ bin/`, files.every((f) => allowed.test(f)), `unexpected: ${files.filter((f) => !allowed.test(f)).join(', ')}`);
const shipped = readdirSync(join(repo, 'fixtures/counterexamples')).map((f) => `fixtures/counterexamples/${f}`);
const needed = ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/cli/checkCommand.js', 'bin/scorecheck.mjs', 'bin/entry.mjs', 'README.md', 'docs/package.md', 'examples/reference-subject.mjs', ...shipped];
check('tarball holds the entry points, the docs, the examples and every shipped counterexample', needed.every((f) => files.includes(f)), `missing: ${needed.filter((f) => !files.includes(f)).join(', ')}`);
check('tarball holds no tests, sources or config', !files.some((f) => /\.test\.|\.prop\.|^src\/|vitest|tsconfig|^\.ci|^bench\//.test(f)), files.filter((f) => /\.test\.|\.prop\.|^src\/|vitest|tsconfig/.test(f)).join(', '));

// ── 2. install into a scratch project ───────────────────────────────────────────────────
writeFileSync(join(scratch, 'package.json'), `${JSON.stringify({ name: 'scratch', private: true, type: 'module' }, null, 2)}\n`);
run('npm install the tarball', npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(scratch, info.filename)]);
const modules = join(scratch, 'node_modules');
const devTools = ['tsx', 'typescript', 'vitest', 'esbuild', '@types/node'].filter((m) => existsSync(join(modules, m)));
check('scratch project has scorecheck and no dev tooling', existsSync(join(modules, 'scorecheck/dist/index.js')) && devTools.length === 0, `dev tooling installed: ${devTools.join(', ')}`);

// ── 3. README's library examples from plain JavaScript ──────────────────────────────────
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const library = readme.slice(readme.indexOf('\n## Library'), readme.indexOf('\n## ', readme.indexOf('\n## Library') + 1));
const examples = [...library.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
check("README's Library section has its two examples", examples.length === 2 && examples.every((e) => e.includes("from 'scorecheck'")), `found ${examples.length} ts blocks`);
const asJs = (ts) => ts.replace(/\s+as const\b/g, ''); // the only TypeScript syntax the examples use
examples.forEach((ts, i) => writeFileSync(join(scratch, `example${i + 1}.mjs`), asJs(ts)));

const num = String.raw`(-?\d+(?:\.\d+)?(?:e-?\d+)?)`;
const trunc7 = (x) => x.toFixed(12).replace(/(\.\d{7})\d*$/, '$1'); // README: 7 decimals, cut, then "…"
const minus = (s) => s.replace(/^-/, '−');

function checkExample1(out, how) {
  const m = out.trim().match(new RegExp(`^${num} ${num} ${num}$`));
  if (!m) fail(`example 1 (${how})`, `expected three numbers, got:\n${out}`);
  const [dsm, esm, c] = m.slice(1).map(Number);
  check(`example 1 (${how}): DSM − ESM = C_t`, Math.abs(dsm - esm - c) < 1e-12, `DSM ${dsm} − ESM ${esm} = ${dsm - esm}, C_t ${c}`);
  const stated = `\`${trunc7(dsm)}… ${trunc7(esm)}… ${trunc7(c)}…\``;
  check(`example 1 (${how}): prints ${stated} as README says`, library.includes(`It prints ${stated}`), `README's Library section does not say "It prints ${stated}"`);
}

function checkExample2(out, how) {
  const kinds = {};
  for (const kind of ['matched', 'bo-ddnm', 'ddnm']) {
    const block = out.match(new RegExp(`^${kind} \\{([\\s\\S]*?)\\}`, 'm'));
    const mean = block?.[1].match(new RegExp(`mean: ${num}`));
    const se = block?.[1].match(new RegExp(`stderr: ${num}`));
    if (!mean || !se) fail(`example 2 (${how})`, `no "${kind} { mean, stderr }" in:\n${out}`);
    kinds[kind] = { mean: Number(mean[1]), stderr: Number(se[1]) };
  }
  const last = out.trim().split('\n').at(-1).match(new RegExp(`^${num} ${num}$`));
  if (!last) fail(`example 2 (${how})`, `last line should be "z critical", got:\n${out}`);
  const [z, critical] = last.slice(1).map(Number);
  check(`example 2 (${how}): BO-DDNM beats DDNM (z ${z.toFixed(1)} < −${critical.toFixed(2)}); exact score closest`, z < -critical && kinds.matched.mean < kinds['bo-ddnm'].mean && kinds['bo-ddnm'].mean < kinds.ddnm.mean, JSON.stringify({ kinds, z, critical }));
  const pm = ({ mean, stderr }) => {
    const m = mean.toPrecision(2);
    return `${m} ± ${stderr.toFixed(m.split('.')[1]?.length ?? 0)}`;
  };
  const stated = [`MMD² ${pm(kinds.matched)} with the exact posterior score`, `${pm(kinds['bo-ddnm'])} for BO-DDNM`, `${pm(kinds.ddnm)} for DDNM`, `z = ${minus(z.toFixed(1))} against a critical ${critical.toFixed(2)}`];
  const flat = library.replace(/\s+/g, ' ');
  const missing = stated.filter((s) => !flat.includes(s));
  check(`example 2 (${how}): prints what README says (${stated.join('; ')})`, missing.length === 0, `README's Library section does not say: ${missing.join(' | ')}`);
}

checkExample1(run('node example1.mjs', process.execPath, ['example1.mjs']).stdout, 'plain .mjs');
checkExample2(run('node example2.mjs', process.execPath, ['example2.mjs']).stdout, 'plain .mjs');
const cjs = run('require() from CommonJS', process.execPath, ['-e', "const s = require('scorecheck'); console.log(typeof s.Gaussian, typeof s.vincentConstant)"]);
check('require("scorecheck") from CommonJS', cjs.stdout.trim() === 'function function', cjs.stdout);

// ── 4. a strict TypeScript consumer ─────────────────────────────────────────────────────
const ts = join(scratch, 'ts');
mkdirSync(join(ts, 'src'), { recursive: true });
examples.forEach((code, i) => writeFileSync(join(ts, 'src', `example${i + 1}.ts`), code));
const repoRequire = createRequire(join(repo, 'package.json'));
const tsc = join(dirname(repoRequire.resolve('typescript/package.json')), 'bin', 'tsc');
const nodeTypes = dirname(dirname(repoRequire.resolve('@types/node/package.json')));
writeFileSync(join(ts, 'tsconfig.json'), `${JSON.stringify({
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true,
    noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false,
    typeRoots: [nodeTypes], types: ['node'], rootDir: 'src', outDir: 'out',
  },
  include: ['src'],
}, null, 2)}\n`);
const compiled = run('tsc: strict NodeNext consumer', process.execPath, [tsc, '-p', join(ts, 'tsconfig.json')]);
check('TypeScript consumer compiles with no errors', compiled.stdout.trim() === '', compiled.stdout);
checkExample1(run('node ts/out/example1.js', process.execPath, [join(ts, 'out/example1.js')]).stdout, 'compiled TypeScript');

// ── 5. the installed command ───────────────────────────────────────────────────────────
const bin = join(modules, '.bin', process.platform === 'win32' ? 'scorecheck.cmd' : 'scorecheck');
const help = run('scorecheck --help', bin, ['--help'], { env: { SCORECHECK_DEBUG: '1' } });
check('scorecheck --help prints usage, running dist/ as an installed package', help.stdout.startsWith('Usage: scorecheck <command>') && help.stderr.includes('running dist/ (installed package)'), `stdout:\n${help.stdout}\nstderr:\n${help.stderr}`);
const version = run('scorecheck --version', bin, ['--version']);
check(`scorecheck --version is the package's (${info.version})`, version.stdout.trim() === info.version, version.stdout);
const verify = run('scorecheck verify --claim xu2025.vincent.per-timestep', bin, ['verify', '--claim', 'xu2025.vincent.per-timestep']);
check('verify --claim xu2025.vincent.per-timestep holds', /xu2025\.vincent\.per-timestep\s+xu2025\s+holds on \d+ cases/.test(verify.stdout) && /^1 claim: 1 as expected, 0 unexpected, 0 errors/m.test(verify.stdout), verify.stdout);
const refuted = 'xu2025.sds.dsm-minimizer-is-target';
run(`scorecheck verify --claim ${refuted}`, bin, ['verify', '--claim', refuted, '--json', 'refuted.json']);
const report = JSON.parse(readFileSync(join(scratch, 'refuted.json'), 'utf8'));
check(`a refuted claim replays the counterexample shipped in the package, writing nothing in the project`, report.results[0].verdict === 'refuted-as-expected' && report.results[0].storeNotes.includes('saved counterexample reproduced') && !existsSync(join(scratch, 'fixtures')), JSON.stringify(report.results[0], null, 1).slice(0, 2000));
const checkHelp = run('scorecheck check --help', bin, ['check', '--help']);
check('check --help', checkHelp.stdout.startsWith('Usage: scorecheck check'), checkHelp.stdout);
const replay = run('scorecheck replay <shipped counterexample>', bin, ['replay', 'node_modules/scorecheck/fixtures/counterexamples/control.selftest.broken-fisher.json'], { status: 1 });
check('replay of a shipped counterexample by its path in node_modules reproduces it (exit 1: a broken control)', /control\.selftest\.broken-fisher: COUNTEREXAMPLE/.test(replay.stdout) && !/stale/.test(replay.stdout), replay.stdout);
const reference = run('scorecheck check --subject <shipped reference subject>', bin, ['check', '--subject', 'node_modules/scorecheck/examples/reference-subject.mjs', '--runs', '10', '--json', 'check.json']);
check('check of the shipped reference subject passes', /^\d+ checks: \d+ as expected, 0 unexpected, 0 errors/m.test(reference.stdout), reference.stdout);
writeFileSync(join(scratch, 'subject.mts'), 'export const hello: unknown = {};\n');
const tsSubject = run('scorecheck check --subject subject.mts (no tsx)', bin, ['check', '--subject', 'subject.mts', '--json', 'check.json'], { status: 2 });
// Node ≥ 22.18 loads .mts itself (and then rejects the empty hello); older Node needs tsx, which is not installed here.
const reason = process.features.typescript ? /hello/ : /cannot load module .*subject\.mts: this Node \(v[\d.]+\) cannot run TypeScript by itself and tsx is not installed/;
check('a TypeScript subject without tsx: exit 2 and the reason', reason.test(tsSubject.stdout), tsSubject.stdout + tsSubject.stderr);

if (!process.env.SCORECHECK_PACK_KEEP) rmSync(scratch, { recursive: true, force: true });
console.log(`pack test: ${info.filename} (${files.length} files, ${(info.size / 1024).toFixed(0)} kB packed) — all steps passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
