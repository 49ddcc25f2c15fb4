import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createReferenceSubject } from '../examples/reference-subject.mjs';
import { main } from '../src/cli/main.ts';
import { ModuleSubject, ProcessSubject } from '../src/subject/index.ts';
import { runChecks } from './support/runChecks.ts';

/** `scorecheck check …` in-process, output captured, its store in a scratch folder. */
async function runCheckCommand(args: string[], io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const cwd = process.cwd();
  return main(['check', ...args], { stdout: { write: io.out }, stderr: { write: io.err }, stderrIsTTY: false, cwd, env: { SCORECHECK_STORE: mkdtempSync(join(tmpdir(), 'scorecheck-store-')) } });
}
import { parseLenientJson } from '../src/subject/lenientJson.ts';

const SUBJECT = 'node examples/misbehaving/misbehaving-subject.mjs';
const silent = { out: (_s: string) => {}, err: (_s: string) => {} };

/**
 * Is `pid` a running process? kill(pid, 0) also succeeds for a zombie (exited,
 * not yet reaped by its parent — for an orphaned grandchild that is the
 * sandbox's init, which may be slow under load); a zombie runs nothing, so on
 * Linux its state 'Z' in /proc/<pid>/stat counts as dead.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The misbehaving subject prints "pid=<n>" on stderr first: the real process, not the shell. */
async function subjectPid(subject: ProcessSubject): Promise<number> {
  const end = Date.now() + 10_000;
  for (;;) {
    const m = /pid=(\d+)/.exec(subject.stderr);
    if (m) return Number(m[1]);
    if (Date.now() > end) throw new Error(`no pid in stderr: ${subject.stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// A deadline for the OS to deliver the kill, not a tolerance: generous for a loaded 2-core CI machine.
async function waitDead(pid: number, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

describe('a misbehaving subprocess gets a verdict naming the op and the request, and no process survives', () => {
  const cases = [
    // A deadline decides only where the subject really hangs (a subject that never answers times out
    // on any machine); every other mode gets a deadline no loaded CI machine comes near.
    { mode: 'crash', verdict: 'error', timeout: 20_000, text: /crash in op "add_noise" \(request \d+\): process exited \(code 3/ },
    { mode: 'hang', verdict: 'error', timeout: 300, text: /timeout in op "add_noise" \(request \d+\): no answer to op "add_noise" \(request \d+\) within 300 ms/ },
    { mode: 'garbage', verdict: 'error', timeout: 20_000, text: /protocol in op "add_noise" \(request \d+\): non-JSON line on stdout.*Loading checkpoint/ },
    { mode: 'partial', verdict: 'error', timeout: 300, text: /timeout in op "add_noise".*partial line so far/ },
    { mode: 'wrong-shape', verdict: 'counterexample', timeout: 20_000, text: /result\.xt\[0\]: wrong shape: expected 1×1/ },
    { mode: 'nan', verdict: 'counterexample', timeout: 20_000, text: /result\.xt\[0\]\[0\]: non-finite value NaN/ },
    { mode: 'error-reply', verdict: 'counterexample', timeout: 20_000, text: /subject returned an error for op "add_noise" \(request \d+\): RuntimeError/ },
  ] as const;
  for (const c of cases) {
    it(`${c.mode} → ${c.verdict}`, async () => {
      const subject = await ProcessSubject.start(`${SUBJECT} ${c.mode}:add_noise`, c.timeout);
      const pid = await subjectPid(subject);
      const results = await runChecks(subject, { runs: 5, seed: 1, only: ['add_noise'] });
      await subject.close();
      const r = results.find((x) => x.id === 'add_noise.exact')!;
      expect(r.verdict).toBe(c.verdict);
      if (c.verdict === 'counterexample') {
        expect(r.counterexample?.outcome?.note).toMatch(c.text);
        expect(r.counterexample?.outcome?.op).toBe('add_noise');
        expect(r.counterexample?.outcome?.requestId).toBeGreaterThan(1);
      } else expect(r.reason).toMatch(c.text);
      expect(await waitDead(pid)).toBe(true);
    });
  }

  it('a subject that ignores EOF and SIGTERM is killed on close', async () => {
    const subject = await ProcessSubject.start(`${SUBJECT} ignore-eof`, 2000);
    await subject.call('schedule', {});
    const pid = await subjectPid(subject);
    expect(alive(pid)).toBe(true);
    await subject.close();
    expect(await waitDead(pid)).toBe(true);
  });

  it('a bad handshake is a fatal error on op "hello" and the process is gone', async () => {
    await expect(ProcessSubject.start(`${SUBJECT} bad-hello`, 2000)).rejects.toThrow(/handshake in op "hello" \(request 0\): protocol_version: must be one of 1, 2/);
  });

  it('a command that does not exist is a crash at the handshake', async () => {
    await expect(ProcessSubject.start('./no-such-subject-binary', 2000)).rejects.toThrow(/crash in op "hello"/);
  });
});

describe('the command writes its report even when the subject crashes', () => {
  it('crash: exit 2, JSON report names the op and request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorecheck-'));
    const json = join(dir, 'report.json');
    const code = await runCheckCommand(['--cmd', `${SUBJECT} crash:posterior`, '--json', json, '--runs', '3', '--timeout', '2000'], silent);
    expect(code).toBe(2);
    expect(existsSync(json)).toBe(true);
    const rep = JSON.parse(readFileSync(json, 'utf8'));
    expect(rep.ok).toBe(false);
    const post = rep.results.find((c: { id: string }) => c.id === 'posterior.exact');
    expect(post.verdict).toBe('error');
    expect(post.reason).toMatch(/crash in op "posterior" \(request \d+\)/);
    expect(rep.results.find((c: { id: string }) => c.id === 'add_noise.exact').verdict).toBe('holds');
    // The checks after the crash are listed as not run, with the reason.
    expect(rep.results.find((c: { id: string }) => c.id === 'loss.dsm').reason).toMatch(/stopped working during posterior.exact/);
  });

  it('bad usage: exit 2 and the usage text', async () => {
    let err = '';
    expect(await runCheckCommand(['--runs', '0', '--subject', 'x.mjs'], { out: () => {}, err: (s) => (err += s) })).toBe(2);
    expect(err).toMatch(/--runs must be an integer in \[1, 100000\]/);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    err = '';
    expect(await runCheckCommand(['--cmd', ''], { out: () => {}, err: (s) => (err += s) })).toBe(2);
    expect(err).toMatch(/--cmd needs a value/);
    expect(err).not.toMatch(/\n\s+at /);
    expect(await runCheckCommand(['--only', 'nonsense', '--subject', 'x.mjs'], silent)).toBe(2);
    expect(await runCheckCommand([], silent)).toBe(2);
    let out = '';
    expect(await runCheckCommand(['--help'], { out: (s) => (out += s), err: () => {} })).toBe(0);
    expect(out).toMatch(/--cmd/);
    expect(out).toMatch(/--junit/);
  });

  it('a module that cannot be loaded: exit 2, report written', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'scorecheck-')), 'r.json');
    expect(await runCheckCommand(['--subject', 'examples/does-not-exist.mjs', '--json', json], silent)).toBe(2);
    expect(JSON.parse(readFileSync(json, 'utf8')).fatal).toMatch(/cannot load module/);
  });
});

describe('in-process subjects', () => {
  it('an op requested with --only but not declared is an error naming the op', async () => {
    const ref = createReferenceSubject();
    const hello = ref.hello as { ops: Record<string, unknown> };
    const subject = await ModuleSubject.fromObject({ ...ref, hello: { ...hello, ops: { schedule: {}, add_noise: {} } } }, 'partial');
    const results = await runChecks(subject, { runs: 3, seed: 1, only: ['add_noise', 'posterior'] });
    expect(results.find((r) => r.id === 'add_noise.exact')?.verdict).toBe('holds');
    const post = results.find((r) => r.id === 'posterior.exact')!;
    expect(post.verdict).toBe('error');
    expect(post.reason).toMatch(/op "posterior" is required \(--only\) but not declared/);
  });

  it('an asynchronous hang times out naming the op and request', async () => {
    const ref = createReferenceSubject();
    const subject = await ModuleSubject.fromObject({ ...ref, posterior: () => new Promise(() => {}) }, 'hang', 100);
    const results = await runChecks(subject, { runs: 3, seed: 1, only: ['posterior'] });
    const post = results.find((r) => r.id === 'posterior.exact')!;
    expect(post.verdict).toBe('error');
    expect(post.reason).toMatch(/timeout in op "posterior" \(request \d+\): no answer within 100 ms/);
  });

  it('a thrown exception is a failing case with the message, shrunk', async () => {
    const ref = createReferenceSubject();
    const subject = await ModuleSubject.fromObject({ ...ref, step: () => { throw new Error('CUDA out of memory'); } }, 'throws');
    const r = (await runChecks(subject, { runs: 3, seed: 1, only: ['step'] })).find((x) => x.id === 'step.kernel')!;
    expect(r.verdict).toBe('counterexample');
    expect(r.counterexample?.outcome?.note).toMatch(/CUDA out of memory/);
    expect(r.counterexample?.size).toEqual({ d: 1, batch: 1 });
  });
});

describe('lenient JSON', () => {
  it('reads Python’s NaN/Infinity tokens as numbers and rejects other garbage', () => {
    expect(parseLenientJson('{"id": 1, "result": {"xt": [[NaN, 1.5, -Infinity], [Infinity]]}}')).toEqual({ id: 1, result: { xt: [[NaN, 1.5, -Infinity], [Infinity]] } });
    expect(parseLenientJson('{"error": "NaN in loss"}')).toEqual({ error: 'NaN in loss' });
    expect(() => parseLenientJson('Loading NaN')).toThrow(SyntaxError);
  });
});
