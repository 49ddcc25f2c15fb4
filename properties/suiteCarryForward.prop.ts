import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  type FullSuiteResult, type SuiteFiles, type SuiteReplayRecord, buildsFixturePath, composeSuiteStatus, fixtureNamingTests, hasOutOfGraphDependency, isGraphVisible,
  isTestOpenedFixture, testsToRerun,
} from '../bench/suiteCarryForward.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

const full = (seed: number, tree: string, failedFiles: string[] = [], failure?: string): FullSuiteResult => ({ kind: 'suite', seed, tree, failed: failedFiles.map((file) => ({ file })), ...(failure ? { failure } : {}) });
const replay = (seed: number, base: string, tree: string, files: string[] | 'all', failedFiles: string[] = []): SuiteReplayRecord => ({
  kind: 'suite-replay', seed, base, tree, files, date: '', ms: 0, exit: 0, load: 0, failed: failedFiles.map((file) => ({ file, name: 't', message: '' })),
});
const at = (records: (FullSuiteResult | SuiteReplayRecord)[], seed: number, tree: string) => {
  const s = composeSuiteStatus(records).get(seed)?.get(tree);
  return s && [...s].sort();
};

describe('carrying a suite seed forward (bench/suiteCarryForward.ts)', () => {
  test('a clean full run and a clean re-run of the changed files determine the seed as clean on the new tree', () => {
    expect(at([full(1, 'B'), replay(1, 'B', 'H', ['a.ts'])], 1, 'H')).toEqual([]);
  });

  test('negative control: a failing file of the base run that was not re-run is still failing on the new tree; a re-run one is replaced', () => {
    const recs = [full(2, 'B', ['x.ts', 'y.ts']), replay(2, 'B', 'H', ['x.ts', 'z.ts'], ['z.ts'])];
    expect(at(recs, 2, 'H')).toEqual(['y.ts', 'z.ts']);
  });

  test('re-runs chain: B → H1 → H2 determines H2, in any record order; without a determined base nothing is', () => {
    const recs = [replay(3, 'H1', 'H2', ['b.ts']), replay(3, 'B', 'H1', ['a.ts'], ['a.ts']), full(3, 'B')];
    expect(at(recs, 3, 'H1')).toEqual(['a.ts']);
    expect(at(recs, 3, 'H2')).toEqual(['a.ts']); // a.ts failed on H1 and was not re-run on H2
    expect(at([replay(3, 'B', 'H', 'all')], 3, 'H')).toBeUndefined();
  });

  test('a base run that did not finish determines nothing per file: only a re-run of every file carries it', () => {
    expect(at([full(4, 'B', [], 'not finished within 1800 s'), replay(4, 'B', 'H', ['a.ts'])], 4, 'H')).toBeUndefined();
    expect(at([full(4, 'B', [], 'not finished within 1800 s'), replay(4, 'B', 'H', 'all')], 4, 'H')).toEqual([]);
    expect(at([full(4, 'B', [], 'crash')], 4, 'B')).toEqual(['(run)']);
  });

  test('what only an import graph or a re-run file-reading test sees, and what forces a re-run of everything', () => {
    for (const p of ['src/theory/a.ts', 'properties/x.prop.ts', 'bench/run.ts', 'bench/results/x.jsonl', 'README.md', 'docs/cli.md', 'notes/x.txt']) expect(isGraphVisible(p)).toBe(true);
    for (const p of ['examples/buggy/x.mjs', 'fixtures/a.json', 'bin/scorecheck.mjs', 'package.json', 'package-lock.json', 'vitest.config.ts', 'properties/setup.ts', 'adapters/x.py']) expect(isGraphVisible(p)).toBe(false);
  });

  test('a test with a dependency outside its import graph: it reads files, runs the CLI or tsx, or imports by a path not under examples/', () => {
    const outside = [
      "const t = readFileSync('docs/cli.md', 'utf8');", 'for (const f of readdirSync(dir)) {}', "spawnSync('bash', ['-c', 'node bin/scorecheck.mjs verify'])",
      "execFileSync(process.execPath, [resolve('node_modules/tsx/dist/cli.mjs'), parent])", 'const m = await import(file);', "await import('./subjectChecks.ts')",
    ];
    const inside = [
      "import { x } from '../src/a.ts';", "const m = await import('../examples/reference-flow.mjs');", 'await import(`../examples/buggy/${entry.file}`)',
      "await import('../../examples/sampler-subject.mjs')", "spawnSync('python3', ['examples/sampler_adapter.py'])",
    ];
    for (const src of outside) expect(hasOutOfGraphDependency(src), src).toBe(true);
    for (const src of inside) expect(hasOutOfGraphDependency(src), src).toBe(false);
  });

  test('a fixture outside the package store is opened only by test code; the store, examples and the rest are not', () => {
    for (const p of ['fixtures/bias/presets/perco.json', 'fixtures/golden/x.json', 'fixtures/public-api.json']) expect(isTestOpenedFixture(p), p).toBe(true);
    for (const p of ['fixtures/counterexamples/a.b.json', 'examples/buggy/x.mjs', 'bin/scorecheck.mjs', 'package.json', 'fixturesX/a.json']) expect(isTestOpenedFixture(p), p).toBe(false);
  });

  test('the tests that name fixtures/, directly or through helpers under properties/ or bench/ (not through src/)', () => {
    const files: Record<string, string> = {
      'properties/a.prop.ts': "const spec = 'fixtures/bias/presets/perco.json';",
      'properties/b.prop.ts': "import { h } from './support/h.ts';",
      'properties/support/h.ts': "import { g } from '../../bench/g.ts'; import { h2 } from './h2.ts';",
      'properties/support/h2.ts': "import { h3 } from './h3.ts';",
      'properties/support/h3.ts': "import { h2 } from './h2.ts';", // a cycle that reaches no fixture
      'bench/g.ts': "export const g = join(root, 'fixtures', 'golden');",
      'properties/c.prop.ts': "import { x } from '../src/x.ts'; import { h2 } from './support/h2.ts';",
      'src/x.ts': "caption: 'Preset: fixtures/bias/presets/mar.json'",
      'src/d.test.ts': "import { y } from '../properties/support/h2.ts';",
    };
    const read = (p: string) => files[p];
    expect(fixtureNamingTests(['properties/a.prop.ts', 'properties/b.prop.ts', 'properties/c.prop.ts', 'src/d.test.ts'], read)).toEqual(['properties/a.prop.ts', 'properties/b.prop.ts']);
    // Negative control: h3, inside the cycle, gains an import of the fixture-naming helper; c and d now reach it.
    files['properties/support/h3.ts'] = "import { h2 } from './h2.ts'; import { g } from '../../bench/g.ts';";
    expect(fixtureNamingTests(['properties/c.prop.ts', 'src/d.test.ts'], read)).toEqual(['properties/c.prop.ts', 'src/d.test.ts']);
  });

  test('what is re-run: the import graph and the out-of-graph tests; plus the fixture-naming ones for a fixture; everything for anything else', () => {
    const suite: SuiteFiles = { all: ['a', 'b', 'c', 'd', 'e'], outOfGraph: ['a'], namingFixtures: ['b'] };
    let asked = 0;
    const graph = () => (asked++, ['c']);
    expect(testsToRerun(['src/x.ts'], suite, graph)).toEqual(['a', 'c']);
    expect(testsToRerun(['src/x.ts', 'fixtures/bias/presets/perco.json'], suite, graph)).toEqual(['a', 'b', 'c']);
    expect(testsToRerun([], suite, graph)).toEqual(['a']);
    expect(asked).toBe(2);
    for (const p of ['fixtures/counterexamples/x.json', 'examples/x.py', 'package.json', 'properties/setup.ts']) expect(testsToRerun(['src/x.ts', p], suite, graph), p).toBe('all');
    expect(testsToRerun(['src/x.ts'], { ...suite, outOfGraph: ['a', 'b', 'd', 'e'] }, graph)).toBe('all');
  });

  test('building a path into fixtures/ (a literal or a path segment), as opposed to naming it in prose', () => {
    for (const src of ["join(PACKAGE_ROOT, 'fixtures', 'counterexamples')", "new URL('../../fixtures/bias/golden/golden.json', import.meta.url)", 'const p = `fixtures/${name}.json`', "'./fixtures/x'"])
      expect(buildsFixturePath(src), src).toBe(true);
    for (const src of ["caption: 'Preset: fixtures/bias/presets/perco.json.'", '// see fixtures/counterexamples', "'my-fixtures/x'"]) expect(buildsFixturePath(src), src).toBe(false);
  });

  test('the assumption behind the fixture rule: the only module under src/ (tests excluded) that builds a path into fixtures/ is the package store\'s', () => {
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(new URL(dir, `file://${root}`), { withFileTypes: true })) {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(rel);
        else if (rel.endsWith('.ts') && !rel.endsWith('.test.ts') && buildsFixturePath(readFileSync(new URL(rel, `file://${root}`), 'utf8'))) found.push(rel);
      }
    };
    walk('src');
    expect(found.sort()).toEqual(['src/engine/store/defaultStores.ts']);
  });
});
