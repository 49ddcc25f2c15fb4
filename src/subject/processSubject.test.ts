import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { ProcessSubject } from './processSubject.ts';

/*
 * Line framing of the subprocess transport (docs/protocol.md: one JSON object per line).
 * Writers differ: a blank line before an answer (a print() left in), CRLF line ends (Windows
 * Python), an answer split over two writes. Each must be read, not stall until the deadline
 * (which is generous here: a correct reader answers in milliseconds, a stalled one fails).
 */
const dir = mkdtempSync(join(tmpdir(), 'scorecheck-framing-'));
const script = join(dir, 'framing-subject.mjs');
writeFileSync(script, `
import { createInterface } from 'node:readline';
import { spawn } from 'node:child_process';
import { createReferenceSubject } from ${JSON.stringify(pathToFileURL(resolve('examples/reference-subject.mjs')).href)};
const mode = process.argv[2];
const ref = createReferenceSubject({ T: 5 });
if (mode === 'orphan') setInterval(() => {}, 1000); // outlives EOF on stdin: only a kill ends it
if (mode === 'grandchild') { // leaves a child in its process group, then exits on EOF
  const g = spawn('sleep', ['60'], { stdio: 'ignore' });
  g.unref();
  process.stderr.write('GRANDCHILD ' + g.pid + '\\n');
}
createInterface({ input: process.stdin }).on('close', () => { if (mode === 'grandchild') process.exit(0); }).on('line', (line) => {
  const req = JSON.parse(line);
  const body = JSON.stringify({ id: req.id, result: req.op === 'hello' ? ref.hello : ref[req.op](req.args) });
  if (mode === 'culprit' && req.op === 'schedule') return; // never answered
  if (mode === 'culprit' && req.op === 'add_noise') return void process.stdout.write(JSON.stringify({ id: req.id }) + '\\n');
  if (mode === 'stray' && req.op === 'schedule') return void process.stdout.write(JSON.stringify({ id: req.id + 100, result: {} }) + '\\n');
  if (mode === 'noisy' && req.op === 'hello') process.stderr.write('x'.repeat(5000) + 'END');
  if (mode === 'blank') process.stdout.write('\\n   \\n' + body + '\\n\\n');
  else if (mode === 'crlf') process.stdout.write(body + '\\r\\n');
  else if (mode === 'noisy' || mode === 'orphan' || mode === 'grandchild' || mode === 'culprit' || mode === 'stray') process.stdout.write(body + '\\n');
  else if (mode === 'split') { process.stdout.write(body.slice(0, 7)); setTimeout(() => process.stdout.write(body.slice(7) + '\\n'), 30); }
});
`);
const started: ProcessSubject[] = [];
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
};
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
});

describe('subprocess framing', () => {
  test.each(['blank', 'crlf', 'split'])('%s: the hello and every answer are read', async (mode) => {
    const s = await ProcessSubject.start(`node ${script} ${mode}`, 20_000);
    started.push(s);
    expect(s.hello.ops).toHaveProperty('add_noise');
    const r = await s.call('schedule', {});
    expect((r.result as { alpha_bar: number[] }).alpha_bar).toHaveLength(5);
    const r2 = await s.call('add_noise', { x0: [[1]], noise: [[0]], t: [0] });
    expect(r2.id).toBe(r.id + 1);
    expect(s.callCounts).toEqual({ schedule: 1, add_noise: 1 });
  });
});

describe('subprocess lifecycle', () => {
  test('stderr keeps only its last 2000 characters; a call after close names the closed subject', async () => {
    const s = await ProcessSubject.start(`node ${script} noisy`, 20_000);
    await s.call('schedule', {});
    expect(s.pid).toBeGreaterThan(0);
    expect(s.stderr.length).toBe(2000);
    expect(s.stderr.endsWith('END')).toBe(true);
    await s.close();
    await expect(s.call('schedule', {})).rejects.toThrow(/^not-running in op "schedule" \(request 2\): subject is not running: not-running in op "close"/);
  });

  test('a malformed answer to request 2 while request 1 is pending: the subject is dead because of request 2', async () => {
    const s = await ProcessSubject.start(`node ${script} culprit`, 20_000);
    started.push(s);
    const first = s.call('schedule', {}).catch((e) => e);
    const second = s.call('add_noise', { x0: [[1]], noise: [[0]], t: [0] }).catch((e) => e);
    expect((await second).message).toMatch(/^protocol in op "add_noise" \(request 2\): response has neither "result" nor "error"/);
    expect((await first).message).toMatch(/^protocol in op "schedule" \(request 1\)/);
    await expect(s.call('schedule', {})).rejects.toThrow(/subject is not running: protocol in op "add_noise" \(request 2\)/);
    // closing a dead subject keeps the cause it died of
    await s.close();
    await expect(s.call('schedule', {})).rejects.toThrow(/subject is not running: protocol in op "add_noise" \(request 2\)/);
  });

  test('an answer whose id matches no pending request is a protocol error naming the line', async () => {
    const s = await ProcessSubject.start(`node ${script} stray`, 20_000);
    started.push(s);
    await expect(s.call('schedule', {})).rejects.toThrow(/^protocol in op "schedule" \(request 1\): line with no matching pending request id: "\{\\"id\\":101/);
  });

  test('close() sweeps the process group even when the subject itself exits on EOF: a child it left behind is killed', async () => {
    const s = await ProcessSubject.start(`node ${script} grandchild`, 20_000);
    started.push(s);
    await s.call('schedule', {});
    let end = Date.now() + 5000;
    while (!/GRANDCHILD \d+/.test(s.stderr) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const pid = Number(/GRANDCHILD (\d+)/.exec(s.stderr)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(true);
    await s.close();
    end = Date.now() + 5000;
    while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const survived = alive(pid);
    if (survived) process.kill(pid, 'SIGKILL'); // leave nothing running when the check fails
    expect(survived).toBe(false);
  });

  test('a parent that exits without close() still kills the subject\'s process group', () => {
    const parent = join(dir, 'parent.mts');
    writeFileSync(parent, `import { ProcessSubject } from ${JSON.stringify(pathToFileURL(resolve('src/subject/processSubject.ts')).href)};
const s = await ProcessSubject.start('exec node ${script} orphan', 20_000);
process.stdout.write(String(s.pid));
process.exit(0);
`);
    const pid = Number(execFileSync(process.execPath, [resolve('node_modules/tsx/dist/cli.mjs'), parent], { encoding: 'utf8' }));
    expect(pid).toBeGreaterThan(0);
    // the kill is sent synchronously in the parent's exit handler; give the OS a moment to deliver it
    const end = Date.now() + 5000;
    while (alive(pid) && Date.now() < end) execFileSync('sleep', ['0.05']);
    const survived = alive(pid);
    if (survived) process.kill(pid, 'SIGKILL'); // leave nothing running when the check fails
    expect(survived).toBe(false);
  });
});
