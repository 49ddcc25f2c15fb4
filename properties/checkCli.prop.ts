import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';

const repo = join(import.meta.dirname, '..');
const REF = join(repo, 'examples/reference-subject.mjs');

/** `scorecheck check …` in-process, output captured, store in a scratch folder. */
async function check(argv: string[], env: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'scorecheck-check-'));
  let out = '', err = '';
  const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, stderrIsTTY: false, env: { SCORECHECK_STORE: join(cwd, 'store'), ...env }, cwd };
  const code = await main(['check', ...argv], io);
  return { code, out, err, cwd };
}

describe('scorecheck check on the shared engine', () => {
  it('writes JUnit, Markdown (appended), HTML and JSON (to stdout with -); honours SCORECHECK_SEED', async () => {
    const r = await check(['--subject', REF, '--runs', '3', '--only', 'add_noise,posterior', '--junit', 'c.xml', '--markdown', 'c.md', '--html', 'c.html', '--json', '-'], { SCORECHECK_SEED: '77' });
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.command).toBe('check');
    expect(rep.seed).toBe(77);
    expect(rep.results.map((x: { id: string }) => x.id)).toEqual(['add_noise.exact', 'posterior.exact']);
    expect(readFileSync(join(r.cwd, 'c.xml'), 'utf8')).toMatch(/<testsuites name="scorecheck check" tests="2" failures="0" errors="0"/);
    expect(readFileSync(join(r.cwd, 'c.md'), 'utf8')).toMatch(/scorecheck check — reference/);
    expect(readFileSync(join(r.cwd, 'c.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(r.err).toMatch(/pass \(3 cases\)/); // the table went to stderr
  });

  it('saves a failing subject’s counterexample in the store, replays it first next run, and --replay reproduces it', async () => {
    const buggy = join(repo, 'examples/buggy/posterior-beta.mjs');
    const first = await check(['--subject', buggy, '--only', 'posterior', '--json', 'r.json']);
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/posterior\.exact .*FAIL/);
    const saved = JSON.parse(readFileSync(join(first.cwd, 'r.json'), 'utf8')).results.find((x: { id: string }) => x.id === 'posterior.exact');
    expect(saved.savedTo).toMatch(/check\/buggy-posterior-variance-beta\/posterior\.exact\.json$|check\/.+\/posterior\.exact\.json$/);
    const cwd = first.cwd;
    let out = '';
    const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, stderrIsTTY: false, env: { SCORECHECK_STORE: join(cwd, 'store') }, cwd };
    expect(await main(['check', '--subject', buggy, '--only', 'posterior', '--json', 'again.json'], io)).toBe(1);
    const again = JSON.parse(readFileSync(join(cwd, 'again.json'), 'utf8')).results.find((x: { id: string }) => x.id === 'posterior.exact');
    expect(again.counterexample.foundIn).toBe('saved');
    expect(again.counterexample.case).toEqual(saved.counterexample.case);
    out = '';
    expect(await main(['check', '--subject', buggy, '--only', 'posterior.exact', '--replay', 'r.json', '--no-replay-saved'], io)).toBe(1);
    expect(out).toMatch(/FAIL/);
  });

  it('fails closed: an all-skipped run is exit 2 with the reasons; --require-ops makes a missing op an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorecheck-subj-'));
    const f = join(dir, 'only-schedule.mjs');
    writeFileSync(f, `import ref from ${JSON.stringify(REF)};\nexport default { ...ref, hello: { ...ref.hello, ops: { schedule: {} } } };\n`);
    const none = await check(['--subject', f, '--only', 'step']);
    expect(none.code).toBe(2);
    expect(none.out).toMatch(/nothing was checked|op "step" is required/);
    const partial = await check(['--subject', f, '--require-ops', 'schedule,loss', '--runs', '2']);
    expect(partial.code).toBe(2);
    expect(partial.out).toMatch(/loss\.dsm .*error/);
    expect(partial.out).toMatch(/op "loss" is required \(--require-ops\)/);
    expect(partial.out).toMatch(/step\.kernel .*skipped/);
  });

  it('a TypeScript subject loads whatever its package.json says (no "type": "module")', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorecheck-ts-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cjs-project', version: '1.0.0' }));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'subject.ts'), `import ref from ${JSON.stringify(REF)};\nconst name: string = 'typescript subject';\nexport default { ...ref, hello: { ...(ref.hello as object), name } };\n`);
    const r = await check(['--subject', join(dir, 'src', 'subject.ts'), '--only', 'add_noise', '--runs', '2']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/typescript subject/);
  });

  it('bad input: --runs 1e9 and an unknown check are one-line usage errors', async () => {
    const big = await check(['--subject', REF, '--runs', '1000000000']);
    expect(big.code).toBe(2);
    expect(big.err.trimEnd().split('\n')).toHaveLength(1);
    const bad = await check(['--subject', REF, '--only', 'nonsense']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--only: matches no check or op/);
  });

  it('a closed pipe (scorecheck … | head -1) ends quietly, without an EPIPE stack trace', () => {
    const r = spawnSync('bash', ['-c', `node ${join(repo, 'bin/scorecheck.mjs')} check --subject ${REF} --runs 2 --no-save | head -1`], { encoding: 'utf8', env: { ...process.env, SCORECHECK_STORE: mkdtempSync(join(tmpdir(), 'scorecheck-store-')) } });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
  });
});

describe('zero terminal SNR', () => {
  it('a table whose last ᾱ is 0 is a valid schedule: the sampler checks run, the others stop one step before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorecheck-ztsnr-'));
    const f = join(dir, 'ztsnr.mjs');
    writeFileSync(f, `import { SamplerSubject } from ${JSON.stringify(join(repo, 'examples/sampler-subject.mjs'))};\nexport default new SamplerSubject({ parameterization: 'v', zeroTerminalSnr: true, samplers: { ddim: { family: 'ddim', eta: 0, spacing: 'trailing' } } });\n`);
    const r = await check(['--subject', f, '--runs', '4', '--json', 'z.json']);
    const rep = JSON.parse(readFileSync(join(r.cwd, 'z.json'), 'utf8'));
    const sched = rep.results.find((x: { id: string }) => x.id === 'schedule.valid');
    expect(sched.verdict).toBe('holds');
    expect(rep.results.filter((x: { id: string; verdict: string }) => x.id.startsWith('sample.') && x.verdict === 'holds').length).toBeGreaterThan(0);
    expect(r.code, r.out).toBe(0);
  });
});

describe('sampler checks from the command line', () => {
  it('a failing sampler check prints a replay command that runs and reproduces it (per-sampler ids are selectable)', async () => {
    const buggy = join(repo, 'examples/buggy/sampler-ddpm-skips-last-step.mjs');
    const first = await check(['--subject', buggy, '--only', 'sample.exact.ddpm', '--json', 'r.json', '--no-save']);
    expect(first.code).toBe(1);
    const row = JSON.parse(readFileSync(join(first.cwd, 'r.json'), 'utf8')).results.find((x: { id: string }) => x.id === 'sample.exact.ddpm');
    expect(row.verdict).toBe('counterexample');
    const replay = row.replay as string;
    const args = replay.split(' ').slice(3); // drop "npx scorecheck check"
    const again = await check(args.map((a) => a.replace(/^'|'$/g, '')));
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/sample\.exact\.ddpm .*FAIL/);
    expect(again.out).not.toMatch(/sample\.exact\.ddim/);
  });
});
