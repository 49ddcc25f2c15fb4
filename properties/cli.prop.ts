import { fc, test } from '@fast-check/vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli/args.ts';
import type { CliIO } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';
import { CLAIM_SOURCES } from '../src/claims/claim.ts';
import { allClaims } from '../src/claims/registry.ts';

/** Runs the CLI in-process with captured output, in a fresh working folder. */
async function run(argv: string[], cwd = mkdtempSync(join(tmpdir(), 'scorecheck-cli-'))) {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stderrIsTTY: false, env: {}, cwd };
  const code = await main(argv, io);
  return { code, out, err, cwd };
}

const BROKEN = 'xu2025.control.broken-fisher';
const THROWS = 'xu2025.control.throwing-check';
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
    expectOneLineUsageError(await run(['verify', '--claim', 'xu2025.no.such-claim']), /unknown claim id/);
    expectOneLineUsageError(await run(['verify', '--runs', '0']), /--runs must be an integer in \[1/);
    expectOneLineUsageError(await run(['verify', '--shard', '3/2']), /--shard must be i\/n/);
    expectOneLineUsageError(await run(['verify', '--source', 'nobody2030']), /--source/);
    expectOneLineUsageError(await run(['verify', '--replay', 'x']), /--replay must be SEED:PATH/);
    expectOneLineUsageError(await run(['verify', '--replay', '1:0']), /exactly one claim/);
    expectOneLineUsageError(await run(['verify', '--frobnicate']), /unknown option --frobnicate/);
    expectOneLineUsageError(await run(['replay', 'missing.json']), /no such file/);
    expectOneLineUsageError(await run(['merge', 'missing.json']), /no such file/);
  });

  it('a deliberately broken claim: COUNTEREXAMPLE, exit 1, saved, and `replay FILE` reproduces it', async () => {
    // --no-replay-saved: search afresh instead of replaying the counterexample shipped for BROKEN.
    const r = await run(['verify', '--claim', BROKEN, '--json', 'r.json', '--no-replay-saved']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/COUNTEREXAMPLE/);
    expect(r.out).toMatch(/tr\(Σ_t⁻¹\)\s+\S+/);
    const file = join(r.cwd, 'fixtures/counterexamples', `${BROKEN}.json`);
    expect(existsSync(file)).toBe(true);
    const rep = await run(['replay', file], r.cwd);
    expect(rep.code).toBe(1);
    expect(rep.out).toMatch(/reproduces \(fails\)/);
    // --replay seed:path reproduces the same case.
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    const rr = await run(['verify', '--claim', BROKEN, '--replay', `${saved.seed}:${saved.path}`]);
    expect(rr.code).toBe(1);
    const report = JSON.parse(readFileSync(join(r.cwd, 'r.json'), 'utf8'));
    expect(report.claims[0].counterexample.case).toEqual(saved.case);
  });

  it('from any working folder, a refuted claim replays the counterexample shipped with the package and writes nothing there', async () => {
    const REFUTED = 'xu2025.sds.dsm-minimizer-is-target';
    expect(existsSync(join(repo, 'fixtures/counterexamples', `${REFUTED}.json`))).toBe(true);
    const r = await run(['verify', '--claim', REFUTED, '--json', 'r.json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(r.cwd, 'r.json'), 'utf8')).claims[0].evidence.replay).toBe('reproduced');
    expect(existsSync(join(r.cwd, 'fixtures'))).toBe(false);
    // A counterexample in the working folder's store comes first: a malformed one is reported, not skipped for the shipped one.
    const cwd = mkdtempSync(join(tmpdir(), 'scorecheck-cli-'));
    mkdirSync(join(cwd, 'fixtures/counterexamples'), { recursive: true });
    writeFileSync(join(cwd, 'fixtures/counterexamples', `${REFUTED}.json`), '{');
    const own = await run(['verify', '--claim', REFUTED, '--no-save'], cwd);
    expect(own.err).toMatch(/not valid JSON/);
  });

  it('an unwritable report path: one line, exit 2, the other reports are still written', async () => {
    const r = await run(['verify', '--claim', THROWS, '--json', '/proc/no/such/r.json', '--markdown', 'r.md', '--junit', 'r.xml', '--no-save']);
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/cannot write json report to \/proc\/no\/such\/r.json/);
    expect(readFileSync(join(r.cwd, 'r.md'), 'utf8')).toMatch(/💥/);
    expect(readFileSync(join(r.cwd, 'r.xml'), 'utf8')).toMatch(/<error message="error: check threw/);
  });

  it('shards + merge: the merged report holds every claim once; overlapping shards are bad input', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'scorecheck-cli-'));
    const a = await run(['verify', '--claim', BROKEN, THROWS, '--shard', '1/2', '--json', 'a.json', '--no-save'], cwd);
    const b = await run(['verify', '--claim', BROKEN, THROWS, '--shard', '2/2', '--json', 'b.json', '--no-save'], cwd);
    expect([a.code, b.code]).toEqual([1, 1]);
    const m = await run(['merge', 'a.json', 'b.json', '--json', 'all.json', '--html', 'all.html', '--junit', 'all.xml', '--markdown', 'all.md'], cwd);
    expect(m.code).toBe(1);
    const merged = JSON.parse(readFileSync(join(cwd, 'all.json'), 'utf8'));
    expect(merged.claims.map((c: { id: string }) => c.id).sort()).toEqual([BROKEN, THROWS].sort());
    expect(merged.shard).toBeUndefined();
    expect(readFileSync(join(cwd, 'all.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expectOneLineUsageError(await run(['merge', 'a.json', 'a.json'], cwd), /shards overlap/);
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

  it('check is wired to src/subject/checkCommand.ts (or says it is not available)', async () => {
    const present = existsSync(join(repo, 'src/subject/checkCommand.ts'));
    const r = await run(['check', '--help']);
    if (present) expect(r.code).toBe(0);
    else expectOneLineUsageError(r, /not available/);
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
