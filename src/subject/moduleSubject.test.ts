import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ModuleSubject } from './moduleSubject.ts';
import { SubjectFatalError, SubjectReplyError } from './subjectError.ts';
import { withTimeout } from './timeout.ts';

const hello = { protocol_version: 1, name: 'm', ops: { schedule: {}, add_noise: {} } };

describe('in-process subjects', () => {
  test('hello as a value or a (async) function; ids count up; args are copies; a throw is a reply error', async () => {
    const seen: unknown[] = [];
    const s = await ModuleSubject.fromObject({
      hello: async () => hello,
      schedule: (args: { x?: number[] }) => { seen.push(args); if (args.x) args.x[0] = 99; return { ok: 1 }; },
      add_noise: () => { throw new Error('shape mismatch'); },
    }, 'obj');
    expect(s.description).toBe('obj');
    expect(s.hello.name).toBe('m');
    const x = [1];
    const r1 = await s.call('schedule', { x });
    expect(r1).toEqual({ id: 1, result: { ok: 1 } });
    expect(x[0]).toBe(1);
    const e = await s.call('add_noise', {}).catch((err) => err);
    expect(e).toBeInstanceOf(SubjectReplyError);
    expect(e.message).toBe('subject returned an error for op "add_noise" (request 2): shape mismatch');
    expect(s.callCounts).toEqual({ schedule: 1, add_noise: 1 });
    await s.close();
  });

  test('undeclared op, declared op without a function, hello that throws: fatal errors naming the request', async () => {
    const s = await ModuleSubject.fromObject({ hello }, 'obj');
    await expect(s.call('step', {})).rejects.toThrow(/^undeclared in op "step" \(request 1\): the subject did not declare/);
    await expect(s.call('add_noise', {})).rejects.toThrow(/declared in hello but the module exports no function "add_noise"/);
    await expect(ModuleSubject.fromObject({ hello: () => { throw new Error('boom'); } }, 'x')).rejects.toThrow(/handshake in op "hello" \(request 0\): hello threw: boom/);
  });

  test('an op that never answers times out (a subject that really hangs, 50 ms deadline)', async () => {
    const s = await ModuleSubject.fromObject({ hello, schedule: () => new Promise(() => {}) }, 'hang', 50);
    const e = await s.call('schedule', {}).catch((err) => err);
    expect(e).toBeInstanceOf(SubjectFatalError);
    expect(e.kind).toBe('timeout');
    expect(e.message).toBe('timeout in op "schedule" (request 1): no answer within 50 ms');
    await expect(withTimeout(Promise.resolve(3), 50, { op: 'x', requestId: 1 })).resolves.toBe(3);
  });

  test('modules: default export, named exports, a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorecheck-module-'));
    writeFileSync(join(dir, 'default.mjs'), `export default { hello: ${JSON.stringify(hello)}, schedule: () => ({ via: 'default' }) };`);
    writeFileSync(join(dir, 'named.mjs'), `export const hello = ${JSON.stringify(hello)}; export function schedule() { return { via: 'named' }; }`);
    expect((await (await ModuleSubject.load(join(dir, 'default.mjs'))).call('schedule', {})).result).toEqual({ via: 'default' });
    const named = await ModuleSubject.load(join(dir, 'named.mjs'));
    expect((await named.call('schedule', {})).result).toEqual({ via: 'named' });
    expect(named.description).toBe(`module ${join(dir, 'named.mjs')}`);
    await expect(ModuleSubject.load(join(dir, 'missing.mjs'))).rejects.toThrow(/^crash in op "hello" \(request 0\): cannot load module/);
  });
});
