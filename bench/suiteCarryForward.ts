/**
 * Carrying a suite seed's result forward to a newer tree (issue 18's long run).
 *
 * A test file's outcome under `SCORECHECK_SEED=S` is a function of the files it runs: its import
 * graph, plus what it reads or spawns at run time. So a full suite run of seed S on tree B, and a
 * re-run on tree H of every test file that changes between B and H could affect, give the whole
 * suite's outcome of seed S on H: the failing files of B that were not re-run, plus the re-run's
 * failures. This is the suite's analogue of `bench/claim-seed-sweep.ts` (re-running a changed
 * claim over the recorded verify seeds).
 *
 * Affected files, conservatively:
 *  - every test file whose import graph holds a changed file (`vitest list --changed B`);
 *  - every test file with a dependency outside the graph (it reads files, runs the CLI, imports by
 *    a computed path: `outOfGraphTests`), whatever changed;
 *  - when a file under fixtures/ changed, outside the package store fixtures/counterexamples/:
 *    every test file that names `fixtures`, itself or through a helper it imports from properties/
 *    or bench/ (`fixtureNamingTests`). src/ never builds a path to such a file (checked in
 *    properties/suiteCarryForward.prop.ts), so only a path that test code builds opens it;
 *  - every test file, when anything else changed: examples, the package store, bin, package.json,
 *    the lockfile, the vitest config or its setup file (Markdown, `bench/` and `notes/` are seen by
 *    the tests that read them, which are re-run anyway).
 * One assumption is not checked here: the modules under src/ read at run time only paths their
 * caller gives (specs, stores, reports), package.json and the package store — never a Markdown
 * file or a path under bench/ on their own — so a test that does not itself read, spawn or name
 * a fixture cannot see such a change.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import type { SuiteRecord } from './runRecords.ts';

/** A re-run on `tree`, for one seed, of the test files that changed since `base`. */
export interface SuiteReplayRecord extends Omit<SuiteRecord, 'kind' | 'tree'> {
  readonly kind: 'suite-replay';
  readonly tree: string;
  /** The tree whose result this re-run carries forward. */
  readonly base: string;
  /** The test files re-run; 'all' when every file was. */
  readonly files: string[] | 'all';
}

/** What composition needs of a full suite record. */
export type FullSuiteResult = Pick<SuiteRecord, 'kind' | 'seed' | 'tree' | 'failure'> & { readonly failed: readonly { file: string }[] };

/** A run that did not finish has no per-file result: it counts as one failure of every file. */
const WHOLE_RUN = '(run)';

/**
 * The failing files of each seed on each tree that the records determine: a full record gives its
 * tree's directly; a re-run on H over base B gives H's from B's (which must be determined, possibly
 * by an earlier re-run) minus the re-run files, plus the re-run's failures.
 */
export function composeSuiteStatus(records: readonly (FullSuiteResult | SuiteReplayRecord)[]): Map<number, Map<string, Set<string>>> {
  const status = new Map<number, Map<string, Set<string>>>();
  const at = (seed: number) => status.get(seed) ?? status.set(seed, new Map()).get(seed)!;
  const failing = (r: { failed: readonly { file: string }[]; failure?: string }) => new Set([...r.failed.map((f) => f.file), ...(r.failure ? [WHOLE_RUN] : [])]);
  for (const r of records) if (r.kind === 'suite' && r.tree) at(r.seed).set(r.tree, failing(r));
  // Re-runs may build on re-runs: repeat until nothing new is determined.
  const replays = records.filter((r): r is SuiteReplayRecord => r.kind === 'suite-replay');
  for (let changed = true; changed; ) {
    changed = false;
    for (const r of replays) {
      const seedStatus = at(r.seed);
      const base = seedStatus.get(r.base);
      if (!base || seedStatus.has(r.tree)) continue;
      const kept = r.files === 'all' ? [] : [...base].filter((f) => f !== WHOLE_RUN && !r.files.includes(f));
      // A base run that did not finish leaves files undetermined unless everything was re-run.
      if (base.has(WHOLE_RUN) && r.files !== 'all') continue;
      seedStatus.set(r.tree, new Set([...kept, ...failing(r)]));
      changed = true;
    }
  }
  return status;
}

/** Paths changed between two commits (committed changes only: the run's clone must be clean). */
export function changedPaths(root: string, base: string, head = 'HEAD'): string[] {
  return execFileSync('git', ['diff', '--name-only', base, head], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
}

/**
 * Changes that reach a test only through its import graph or through the out-of-graph tests (which
 * are always re-run): TypeScript modules, and text such as docs that a test reads. Not the setup file
 * (it runs before every test file without being imported by one).
 */
export function isGraphVisible(path: string): boolean {
  if (path === 'properties/setup.ts') return false;
  return /^(src|properties|bench)\/.*\.ts$/.test(path) || /^(bench|notes)\//.test(path) || path.endsWith('.md');
}

/**
 * Test files with a dependency outside the import graph that the 'all' rule does not cover: they read
 * files (docs, sources, reports), run TypeScript in a child process (the command line, tsx) or import
 * by a path not inside examples/. A subject spawned or imported from examples/ is not one of these:
 * any change there re-runs every file.
 */
export function outOfGraphTests(root: string, testFiles: readonly string[]): string[] {
  return testFiles.filter((f) => hasOutOfGraphDependency(readFileSync(join(root, f), 'utf8')));
}

/**
 * A fixture that only test code opens, by a path it builds: anything under fixtures/ but the package
 * store, which src/ opens on its own (`PACKAGE_STORE_DIR`) during every in-process `verify`.
 */
export function isTestOpenedFixture(path: string): boolean {
  return path.startsWith('fixtures/') && !path.startsWith('fixtures/counterexamples/');
}

/** Source text that names the fixtures folder (a path it builds may lead there). */
export function namesFixtures(source: string): boolean {
  return /\bfixtures\b/.test(source);
}

/**
 * Source text that builds a path into fixtures/ (a string literal starting there, possibly after
 * `./` or `../` steps, or a 'fixtures' path segment) rather than mentioning it in prose.
 */
export function buildsFixturePath(source: string): boolean {
  return /['"`](\.{1,2}\/)*fixtures(['"`]|\/)/.test(source);
}

/** Relative imports of a module's source text, resolved against its path (relative to root). */
export function relativeImports(path: string, source: string): string[] {
  const specs = [...source.matchAll(/(?:from\s+|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => posix.normalize(posix.join(posix.dirname(path), s)));
}

/**
 * The test files that name fixtures/, themselves or through a helper they import (transitively)
 * from properties/ or bench/. Modules under src/ are not followed: they build no fixture path but
 * the package store's (checked in properties/suiteCarryForward.prop.ts).
 */
export function fixtureNamingTests(testFiles: readonly string[], read: (path: string) => string | undefined): string[] {
  const namesViaHelpers = (test: string): boolean => {
    const seen = new Set([test]);
    for (const queue = [test]; queue.length; ) {
      const path = queue.pop()!;
      const text = read(path);
      if (text === undefined) continue;
      if (namesFixtures(text)) return true;
      for (const p of relativeImports(path, text)) if (/^(properties|bench)\//.test(p) && !seen.has(p)) seen.add(p), queue.push(p);
    }
    return false;
  };
  return testFiles.filter(namesViaHelpers);
}

/** The source-text test behind `outOfGraphTests`. */
export function hasOutOfGraphDependency(source: string): boolean {
  return /readFileSync|readdirSync|scorecheck\.mjs|\btsx\b|(spawn|execFile)(Sync)?\(process\.execPath|import\((?!\s*['"`](\.\.\/)+examples\/)/.test(source);
}

/** Every test file of the suite, relative to root. */
export function allTestFiles(root: string): string[] {
  return listTests(root, []);
}

function listTests(root: string, extra: string[]): string[] {
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const out = execFileSync(process.execPath, [vitest, 'list', '--filesOnly', '--json', ...extra], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const parsed = JSON.parse(out.slice(out.indexOf('['))) as { file: string }[];
  return [...new Set(parsed.map((x) => relative(root, x.file)))].sort();
}

/** The suite's test files and those of them always re-run: listed once per run, shared by every base tree. */
export interface SuiteFiles {
  readonly all: readonly string[];
  readonly outOfGraph: readonly string[];
  /** The test files that name fixtures/, themselves or through a helper (re-run when a test-opened fixture changed). */
  readonly namingFixtures: readonly string[];
}

export function suiteFiles(root: string): SuiteFiles {
  const all = allTestFiles(root);
  const read = (f: string) => (existsSync(join(root, f)) ? readFileSync(join(root, f), 'utf8') : undefined);
  return { all, outOfGraph: outOfGraphTests(root, all), namingFixtures: fixtureNamingTests(all, read) };
}

/** The test files to re-run on HEAD to carry a full result of `base` forward (see the header). */
export function affectedTests(root: string, base: string, suite: SuiteFiles): string[] | 'all' {
  return testsToRerun(changedPaths(root, base), suite, () => listTests(root, ['--changed', base]));
}

/** `affectedTests` given the changed paths and the tests whose import graph holds one (asked only when needed). */
export function testsToRerun(paths: readonly string[], suite: SuiteFiles, inGraphTests: () => string[]): string[] | 'all' {
  const opaque = paths.filter((p) => !isGraphVisible(p));
  if (opaque.some((p) => !isTestOpenedFixture(p))) return 'all';
  const files = [...new Set([...(paths.length ? inGraphTests() : []), ...suite.outOfGraph, ...(opaque.length ? suite.namingFixtures : [])])].sort();
  return files.length === suite.all.length ? 'all' : files;
}
