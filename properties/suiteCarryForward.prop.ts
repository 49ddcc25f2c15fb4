import { describe, expect, test } from 'vitest';
import { type FullSuiteResult, type SuiteReplayRecord, composeSuiteStatus, hasOutOfGraphDependency, isGraphVisible } from '../bench/suiteCarryForward.ts';

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
});
