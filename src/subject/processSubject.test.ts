import { mkdtempSync, writeFileSync } from 'node:fs';
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
import { createReferenceSubject } from ${JSON.stringify(pathToFileURL(resolve('examples/reference-subject.mjs')).href)};
const mode = process.argv[2];
const ref = createReferenceSubject({ T: 5 });
createInterface({ input: process.stdin }).on('line', (line) => {
  const req = JSON.parse(line);
  const body = JSON.stringify({ id: req.id, result: req.op === 'hello' ? ref.hello : ref[req.op](req.args) });
  if (mode === 'blank') process.stdout.write('\\n   \\n' + body + '\\n\\n');
  else if (mode === 'crlf') process.stdout.write(body + '\\r\\n');
  else if (mode === 'split') { process.stdout.write(body.slice(0, 7)); setTimeout(() => process.stdout.write(body.slice(7) + '\\n'), 30); }
});
`);
const started: ProcessSubject[] = [];
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
