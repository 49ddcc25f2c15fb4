import { fc, test } from '@fast-check/vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli/args.ts';
import type { CliIO } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { CLAIM_SOURCES } from '../src/claims/claim.ts';
import { allClaims } from '../src/claims/registry.ts';

/** Runs the CLI in-process with captured output, in a fresh working folder. */
async function run(argv: string[], cwd = mkdtempSync(join(tmpdir(), 'scorecheck-cli-')), env: Record<string, string> = {}, signal?: AbortSignal) {
  let out = '';
  let err = '';
  // Every run keeps its counterexample store inside its own scratch folder (never the user's cache).
  const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stderrIsTTY: false, env: { SCORECHECK_STORE: join(cwd, 'store'), ...env }, cwd, ...(signal ? { signal } : {}) };
  const code = await main(argv, io);
  return { code, out, err, cwd };
}

const BROKEN = 'control.selftest.broken-fisher';
const THROWS = 'control.selftest.throwing-check';
const repo = join(import.meta.dirname, '..');

/** A user error: exit 2, exactly one line on stderr, no stack trace. */
function expectOneLineUsageError(r: { code: number; err: string }, pattern: RegExp) {
  expect(r.code).toBe(2);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
  expect(r.err).not.toMatch(/\n\s+at /);
}

describe('scorecheck CLI', () => {
  it('every command has --help (exit 0); no command is a usage error', async () => {
    for (const cmd of ['verify', 'claims', 'replay', 'merge', 'bias']) {
      const r = await run([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.out, cmd).toMatch(/^Usage: scorecheck /);
    }
    expect((await run(['--help'])).code).toBe(0);
    expect((await run([])).code).toBe(2);
    expectOneLineUsageError(await run(['frobnicate']), /unknown command "frobnicate"/);
  });

  it('bad usage exits 2 with one line', async () => {
    expectOneLineUsageError(await run(['verify', '--claim', 'xu2025.no.such-claim']), /matches no id/);
    expectOneLineUsageError(await run(['verify', '--runs', '0']), /--runs must be an integer in \[1/);
    expectOneLineUsageError(await run(['verify', '--runs', '1000000000']), /--runs must be an integer in \[1, 100000\]/);
    expectOneLineUsageError(await run(['verify', '--shard', '3/2']), /--shard must be i\/n/);
    expectOneLineUsageError(await run(['verify', '--source', 'nobody2030']), /--source/);
    expectOneLineUsageError(await run(['verify', '--claim', BROKEN, '--replay', 'x']), /--replay .*no such file/);
    expectOneLineUsageError(await run(['verify', '--replay', 'choices:W10']), /select exactly one/);
    expectOneLineUsageError(await run(['verify', '--frobnicate']), /unknown option --frobnicate/);
    expectOneLineUsageError(await run(['replay', 'missing.json']), /no such file/);
    expectOneLineUsageError(await run(['merge', 'missing.json']), /no such file/);
  });

  it('a gate that fails closed: selecting nothing is exit 2, never a green run of 0 claims', async () => {
    expectOneLineUsageError(await run(['verify', '--source', 'xu2025', '--claim', 'liyan2024.elbo.gap-vanishes']), /no claim selected/);
    expectOneLineUsageError(await run(['verify', '--shard', `${allClaims.length + 1}/${allClaims.length + 1}`]), /leaves shards empty/);
    expectOneLineUsageError(await run(['verify', '--claim', BROKEN, '--json', 'r.json', '--junit', 'r.json']), /both write "r.json"/);
    expectOneLineUsageError(await run(['verify', '--claim', BROKEN, '--json', '-', '--markdown', '-']), /both write to standard output/);
  });

  it('a deliberately broken claim: COUNTEREXAMPLE, exit 1, saved in the store (not in the working folder), and replay reproduces it', async () => {
    const r = await run(['verify', '--claim', BROKEN, '--json', 'r.json', '--no-replay-saved']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/COUNTEREXAMPLE/);
    expect(r.out).toMatch(/tr\(Σ_t⁻¹\)\s+\S+/);
    expect(existsSync(join(r.cwd, 'fixtures'))).toBe(false);
    const file = join(r.cwd, 'store', `${BROKEN}.json`);
    expect(existsSync(file)).toBe(true);
    const rep = await run(['replay', file], r.cwd);
    expect(rep.code).toBe(1);
    expect(rep.out).toMatch(/COUNTEREXAMPLE/);
    // The report's choices:… token rebuilds the same case.
    const report = JSON.parse(readFileSync(join(r.cwd, 'r.json'), 'utf8'));
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(report.results[0].counterexample.case).toEqual(saved.examples[0].case);
    const token = /--replay (choices:\S+)/.exec((await run(['verify', '--claim', BROKEN, '--no-save', '--no-replay-saved'])).out)![1];
    const rr = await run(['verify', '--claim', BROKEN, '--replay', token, '--json', 'rr.json']);
    expect(rr.code).toBe(1);
    expect(JSON.parse(readFileSync(join(rr.cwd, 'rr.json'), 'utf8')).results[0].counterexample.case).toEqual(saved.examples[0].case);
  });

  it('a stale saved file (its choices now build another case) is reported stale, never as reproducing', async () => {
    const r = await run(['verify', '--claim', BROKEN, '--no-replay-saved']);
    const file = join(r.cwd, 'store', `${BROKEN}.json`);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    saved.examples[0].case = { d: 99 };
    writeFileSync(file, JSON.stringify(saved));
    const rep = await run(['replay', file], r.cwd);
    expect(rep.out).toMatch(/stale/);
    expect(rep.out).not.toMatch(/COUNTEREXAMPLE/);
    // In verify: a user-store example (for a claim the package ships none for) whose case no longer matches.
    const id = 'xu2025.vincent.per-timestep';
    writeFileSync(join(r.cwd, 'store', `${id}.json`), JSON.stringify({ ...saved, key: id, examples: [{ ...saved.examples[0], property: id }] }));
    const again = await run(['verify', '--claim', id, '--no-save', '--runs', '5'], r.cwd);
    expect(again.out).toMatch(/stale/);
    expect(again.code).toBe(0);
  });

  it('the package\'s shipped counterexamples are replayed wherever verify runs', async () => {
    const r = await run(['verify', '--claim', 'xu2025.sds.dsm-minimizer-is-target', '--json', 'r.json']);
    expect(r.code).toBe(0);
    const row = JSON.parse(readFileSync(join(r.cwd, 'r.json'), 'utf8')).results[0];
    expect(row.storeNotes).toContain('saved counterexample reproduced');
    expect(row.evidence.phases.replayed).toBe(1);
  });

  it('--controls is a self-test: exit 0 exactly when every control fails the way it must', async () => {
    const r = await run(['verify', '--controls', '--no-save']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/control behaves/);
    expect(r.out).not.toMatch(/CONTROL BROKEN/);
  });

  it('--claim takes prefixes and globs; --bail stops at the first unexpected verdict', async () => {
    const p = await run(['verify', '--claim', 'control.selftest', '--no-save', '--json', 'p.json']);
    expect(JSON.parse(readFileSync(join(p.cwd, 'p.json'), 'utf8')).results.map((x: { id: string }) => x.id)).toEqual([BROKEN, THROWS]);
    const g = await run(['verify', '--claim', 'control.*.broken-*', '--no-save', '--json', 'g.json']);
    expect(JSON.parse(readFileSync(join(g.cwd, 'g.json'), 'utf8')).results.map((x: { id: string }) => x.id)).toEqual([BROKEN]);
    const b = await run(['verify', '--claim', 'control.selftest', '--bail', '--no-save', '--json', 'b.json']);
    expect(b.code).toBe(1);
    expect(JSON.parse(readFileSync(join(b.cwd, 'b.json'), 'utf8')).results).toHaveLength(1);
  });

  it('- is standard output for every report (the table moves to stderr); --markdown appends; --format github annotates', async () => {
    const r = await run(['verify', '--claim', BROKEN, '--no-save', '--json', '-']);
    expect(JSON.parse(r.out).results[0].id).toBe(BROKEN);
    expect(r.err).toMatch(/COUNTEREXAMPLE/);
    const cwd = mkdtempSync(join(tmpdir(), 'scorecheck-cli-'));
    writeFileSync(join(cwd, 'summary.md'), '# earlier step\n');
    await run(['verify', '--claim', BROKEN, '--no-save', '--markdown', 'summary.md'], cwd);
    const md = readFileSync(join(cwd, 'summary.md'), 'utf8');
    expect(md.startsWith('# earlier step\n')).toBe(true);
    expect(md).toMatch(/scorecheck verify/);
    const gh = await run(['verify', '--claim', BROKEN, '--no-save', '--format', 'github']);
    expect(gh.out).toMatch(/^::error title=scorecheck control.selftest.broken-fisher::COUNTEREXAMPLE/m);
  });

  it('an interrupted run writes the finished part of its report, says so, and exits 130', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await run(['verify', '--claim', BROKEN, THROWS, '--no-save', '--json', 'r.json'], undefined, {}, ac.signal);
    expect(r.code).toBe(130);
    const rep = JSON.parse(readFileSync(join(r.cwd, 'r.json'), 'utf8'));
    expect(rep.interrupted).toBe(true);
    expect(rep.ok).toBe(false);
    expect(r.out).toMatch(/INTERRUPTED/);
  });

  it('an unwritable report path: one line, exit 2, the other reports are still written', async () => {
    const r = await run(['verify', '--claim', THROWS, '--json', '/proc/no/such/r.json', '--markdown', 'r.md', '--junit', 'r.xml', '--no-save']);
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/cannot write json report to \/proc\/no\/such\/r.json/);
    expect(readFileSync(join(r.cwd, 'r.md'), 'utf8')).toMatch(/💥/);
    expect(readFileSync(join(r.cwd, 'r.xml'), 'utf8')).toMatch(/<error message="error: check threw/);
  });

  it('shards + merge: the merged report holds every claim once; an incomplete or overlapping shard set is bad input', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'scorecheck-cli-'));
    const a = await run(['verify', '--claim', BROKEN, THROWS, '--shard', '1/2', '--json', 'a.json', '--no-save'], cwd);
    const b = await run(['verify', '--claim', BROKEN, THROWS, '--shard', '2/2', '--json', 'b.json', '--no-save'], cwd);
    expect([a.code, b.code]).toEqual([1, 1]);
    const m = await run(['merge', 'a.json', 'b.json', '--json', 'all.json', '--html', 'all.html', '--junit', 'all.xml', '--markdown', 'all.md'], cwd);
    expect(m.code).toBe(1);
    const merged = JSON.parse(readFileSync(join(cwd, 'all.json'), 'utf8'));
    expect(merged.results.map((c: { id: string }) => c.id).sort()).toEqual([BROKEN, THROWS].sort());
    expect(merged.selection.shard).toBeUndefined();
    expect(readFileSync(join(cwd, 'all.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expectOneLineUsageError(await run(['merge', 'a.json', 'a.json'], cwd), /given twice/);
    expectOneLineUsageError(await run(['merge', 'a.json'], cwd), /incomplete: missing shard 2\/2/);
    const unknown = JSON.parse(readFileSync(join(cwd, 'b.json'), 'utf8'));
    unknown.results[0].id = 'xu2025.made.up';
    unknown.selection.ids = unknown.selection.ids.map((i: string) => (i === THROWS ? 'xu2025.made.up' : i));
    const aa = JSON.parse(readFileSync(join(cwd, 'a.json'), 'utf8'));
    aa.selection.ids = unknown.selection.ids;
    writeFileSync(join(cwd, 'u.json'), JSON.stringify(unknown));
    writeFileSync(join(cwd, 'aa.json'), JSON.stringify(aa));
    expectOneLineUsageError(await run(['merge', 'aa.json', 'u.json'], cwd), /unknown id/);
    writeFileSync(join(cwd, 'bad.json'), JSON.stringify({ ...merged, version: 99 }));
    expectOneLineUsageError(await run(['merge', 'bad.json'], cwd), /version/);
  });

  it('claims lists the registry; --json is machine-readable', async () => {
    const r = await run(['claims', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as { id: string; source: string; expected: string }[];
    expect(list.map((c) => c.id)).toEqual(allClaims.map((c) => c.id));
    for (const c of list) {
      expect(CLAIM_SOURCES).toContain(c.source);
      expect(c.id.startsWith(`${c.source}.`)).toBe(true);
      expect(c.id.split('.')).toHaveLength(3);
    }
  });

  it('check is a command like the others: --help documents the shared report and run options', async () => {
    const r = await run(['check', '--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--junit', '--markdown', '--html', '--replay', '--store', '--no-save', '--bail', '--require-ops', '--format']) expect(r.out).toContain(opt);
  });

  it('bias: the example spec prints a table and JSON; bad specs and CSVs are one line, exit 2', async () => {
    const ex = join(repo, 'fixtures/bias/example.json');
    const r = await run(['bias', ex]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/C_t/);
    const j = await run(['bias', ex, '--json', '-']);
    const rows = JSON.parse(j.out).rows as { t: number }[];
    expect(rows.map((x) => x.t)).toEqual([1, 101, 201, 301, 401, 501, 601, 701, 801, 901, 1000]);
    const cwd = mkdtempSync(join(tmpdir(), 'scorecheck-bias-'));
    const spec = (o: unknown) => {
      writeFileSync(join(cwd, 's.json'), JSON.stringify(o));
      return run(['bias', 's.json'], cwd);
    };
    const sched = { kind: 'linear', T: 10 };
    expectOneLineUsageError(await spec({ data: { mean: [0, 0], cov: [[1, 2], [2, 1]] }, schedule: sched }), /data\.cov: matrix is not symmetric positive definite/);
    writeFileSync(join(cwd, 'r.csv'), 'a,b\n1,2\n3,4\n5\n');
    expectOneLineUsageError(await spec({ data: { samples: 'r.csv' }, schedule: sched }), /r\.csv:4: ragged row/);
    writeFileSync(join(cwd, 't.csv'), '1,2\n3,4\n5,six\n');
    expectOneLineUsageError(await spec({ data: { samples: 't.csv' }, schedule: sched }), /t\.csv:3: column 2 is not a number: "six"/);
    expectOneLineUsageError(await spec({ data: { mean: [0], cov: [[1]] }, schedule: { kind: 'cosine' } }), /schedule\.T/);
    expectOneLineUsageError(await spec({ data: { mean: [0], cov: [[1]] }, schedule: sched, extra: 1 }), /extra: unknown key/);
    writeFileSync(join(cwd, 'x.json'), '{');
    expectOneLineUsageError(await run(['bias', 'x.json'], cwd), /not valid JSON/);
  });
});

describe('argument parser', () => {
  it('multiple values after one option, repeated, and comma lists', () => {
    const spec = { claim: { type: 'string', multiple: true }, runs: { type: 'string' }, save: { type: 'boolean' } } as const;
    expect(parseArgs(['--claim', 'a', 'b', '--runs=5', '--claim', 'c,d', '--no-save'], spec).options).toEqual({ claim: ['a', 'b', 'c', 'd'], runs: '5', save: false });
    expect(parseArgs(['x', '--', '--claim'], spec).positionals).toEqual(['x', '--claim']);
  });

  test.prop([fc.array(fc.string({ minLength: 1 }).filter((s) => !s.startsWith('-')), { maxLength: 5 })])(
    'positionals that are not options pass through unchanged',
    (words) => {
      expect(parseArgs(words, {}).positionals).toEqual(words);
    },
  );
});

describe('scorecheck bias: file errors stay on one line', () => {
  it('a spec that is not JSON (here a CSV) is one line naming the file, exit 2', async () => {
    const r = await run(['bias', join(repo, 'fixtures/bias/ragged.csv')]);
    expectOneLineUsageError(r, /ragged\.csv: \(file\): not valid JSON/);
  });
  it('an absolute samples path is shown as given, with the offending line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorecheck-bias-'));
    const csv = join(dir, 'rag.csv');
    writeFileSync(csv, 'a,b\n1,2\n3\n');
    const spec = join(dir, 'sub-spec.json');
    writeFileSync(spec, JSON.stringify({ data: { samples: csv }, schedule: { kind: 'linear', T: 10 } }));
    const r = await run(['bias', spec]);
    expectOneLineUsageError(r, new RegExp(`bias: ${csv.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3: ragged row`));
  });
});
