import { describe, expect, test } from 'vitest';
import { createReferenceSubject } from '../../examples/reference-subject.mjs';
import { ModuleSubject } from './moduleSubject.ts';
import { checkProperty, scheduleProperty } from './checkProperty.ts';
import { qSampleCheck } from './checks/qSampleCheck.ts';
import { stepCheck } from './checks/stepCheck.ts';
import { runSubjectChecks } from './subjectChecks.ts';

/* What a run reports for ops a subject does not declare, cannot serve, or must serve. */
type Impl = Record<string, unknown> & { hello: { ops: Record<string, unknown> } };
async function run(pick: string[], opts: { requireOps?: string[]; only?: string[]; T?: number; schedule?: unknown } = {}) {
  const ref = createReferenceSubject({ T: opts.T ?? 10 }) as unknown as Impl;
  const ops = Object.fromEntries(Object.entries(ref.hello.ops).filter(([k]) => pick.includes(k)));
  const impl = { ...ref, hello: { ...ref.hello, ops }, ...(opts.schedule ? { schedule: () => opts.schedule } : {}) };
  const r = await runSubjectChecks(await ModuleSubject.fromObject(impl, 'partial'), { seed: 1, runs: 2, ...(opts.requireOps ? { requireOps: opts.requireOps as never } : {}), ...(opts.only ? { only: opts.only } : {}) });
  return Object.fromEntries(r.results.map(({ run: x, op }) => [x.id, { finding: x.finding, reason: x.reason ?? '', op }]));
}

describe('runSubjectChecks: declared, undeclared, required, unavailable', () => {
  test('undeclared ops are skipped with the reason; declared ones run; --require-ops turns a missing op into an error', async () => {
    const r = await run(['schedule', 'add_noise'], { requireOps: ['loss'] });
    expect(r['schedule.valid'].finding).toBe('holds');
    expect(r['add_noise.exact'].finding).toBe('holds');
    expect(r['step.kernel']).toMatchObject({ finding: 'skipped', reason: 'op "step" not declared by the subject', op: 'step' });
    expect(r['loss.dsm']).toMatchObject({ finding: 'error', reason: 'op "loss" is required (--require-ops) but not declared in the subject\'s hello' });
    expect(r['loss.esm_gradient'].finding).toBe('error');
  });

  test('T = 1 (the smallest schedule): checks needing t ≥ 2 say why they cannot run', async () => {
    const r = await run(['schedule', 'add_noise', 'posterior'], { T: 1 });
    expect(r['add_noise.exact'].finding).toBe('holds');
    expect(r['posterior.exact']).toMatchObject({ finding: 'skipped', reason: 'schedule has T = 1: no t ≥ 2' });
  });

  test('T = 2, the smallest schedule with a t ≥ 2: posterior, step and zero-shot checks run (and hold)', async () => {
    const r = await run(['schedule', 'posterior', 'step', 'zero_shot_step'], { T: 2 });
    for (const id of ['posterior.exact', 'step.kernel', 'zero_shot_step.kernel']) expect(r[id].finding, `${id}: ${r[id].reason}`).toBe('holds');
  });

  test('an invalid schedule stops every other check with that reason; no schedule op: they cannot run', async () => {
    const bad = await run(['schedule', 'add_noise'], { schedule: { alpha_bar: [0.5, 0.9], t_base: 0 } });
    expect(bad['schedule.valid'].finding).toBe('fails');
    expect(bad['add_noise.exact']).toMatchObject({ finding: 'skipped', reason: 'not run: the subject’s schedule is invalid' });
    const none = await run(['add_noise'], { only: ['add_noise'] });
    expect(none['add_noise.exact']).toMatchObject({ finding: 'skipped', reason: 'needs the subject’s schedule (op "schedule" not declared)' });
  });
});

describe('check properties', () => {
  test('the schedule check says what it read; statistical checks shrink less than exact ones', async () => {
    const subject = await ModuleSubject.fromObject(createReferenceSubject({ T: 10 }) as unknown as Record<string, unknown>, 'ref');
    let got: unknown;
    const sched = scheduleProperty(subject, (s) => (got = s));
    const o = await sched.check(0, { falseAlarm: 1e-6, replicate: 0 });
    expect(o.holds).toBe(true);
    expect(o.note).toMatch(/^T = 10, t_base = 0, ᾱ from 0\.9999 to 0\.\d+/);
    expect(got).toBeDefined();
    const ctx = { subject, hello: subject.hello, schedule: got as never, rtol: 1e-9 };
    expect(checkProperty(stepCheck, ctx).maxShrinks).toBe(400);
    expect(checkProperty(qSampleCheck, ctx).maxShrinks).toBe(60);
  });
});

describe('runSubjectChecks with --replay', () => {
  test('a replayed case is the only case run for its check', async () => {
    const subject = await ModuleSubject.fromObject(createReferenceSubject({ T: 10 }) as unknown as Record<string, unknown>, 'ref');
    const plain = await runSubjectChecks(subject, { seed: 1, runs: 5, only: ['add_noise.exact'] });
    const replayed = await runSubjectChecks(subject, { seed: 1, runs: 5, only: ['add_noise.exact'], replay: new Map([['add_noise.exact', { choices: [] }]]) });
    const cases = (r: typeof plain) => r.results.find((x) => x.run.id === 'add_noise.exact')!.run.cases;
    expect(cases(plain)).toBe(5);
    expect(cases(replayed)).toBe(1);
  });
});

describe('runSubjectChecks: the sampler and flow families', () => {
  test('a sampler subject whose schedule cannot be read: every sampler family is an error naming why; undeclared sample → skipped', async () => {
    const { SamplerSubject } = await import('../../examples/sampler-subject.mjs');
    const ref = new SamplerSubject({ T: 50 });
    const broken = await ModuleSubject.fromObject({ hello: ref.hello, schedule: () => ({ alpha_bar: 'none', t_base: 0 }), sample: (a: unknown) => ref.sample(a) }, 'broken');
    const r = await runSubjectChecks(broken, { seed: 1, runs: 1, only: ['sample.exact', 'sample.network_time'] });
    const rows = r.results.map(({ run: x, op }) => ({ id: x.id, finding: x.finding, reason: x.reason ?? '', op }));
    expect(rows.map((x) => x.id).sort()).toEqual(['sample.exact', 'sample.network_time']);
    for (const x of rows) expect(x).toMatchObject({ finding: 'error', op: 'sample', reason: expect.stringMatching(/^the sampler checks could not start: .*alpha_bar/) });
    const plain = await ModuleSubject.fromObject(createReferenceSubject({ T: 10 }) as unknown as Record<string, unknown>, 'v1');
    const none = await runSubjectChecks(plain, { seed: 1, runs: 1, only: ['sample.exact'] });
    expect(none.results.map(({ run: x }) => [x.id, x.finding, x.reason])).toEqual([['sample.exact', 'error', 'op "sample" is required (--only) but not declared in the subject\'s hello']]);
  });

  test('flow checks: undeclared flow ops are listed as skipped; a flow subject runs them and they hold', async () => {
    const plain = await ModuleSubject.fromObject(createReferenceSubject({ T: 10 }) as unknown as Record<string, unknown>, 'v1');
    const none = await runSubjectChecks(plain, { seed: 1, runs: 1, only: ['flow_interpolate.exact'] });
    expect(none.results.map(({ run: x, op }) => [x.id, x.finding, op])).toEqual([['flow_interpolate.exact', 'error', 'flow_interpolate']]);
    const { createFlowSubject } = await import('../../examples/reference-flow.mjs');
    const flow = await ModuleSubject.fromObject(createFlowSubject() as unknown as Record<string, unknown>, 'flow');
    const r = await runSubjectChecks(flow, { seed: 1, runs: 2, only: ['flow_interpolate.exact', 'flow_loss.exact'] });
    expect(r.results.map(({ run: x, op }) => [x.id, x.finding, op])).toEqual([['flow_interpolate.exact', 'holds', 'flow_interpolate'], ['flow_loss.exact', 'holds', 'flow_loss']]);
  });
});

describe('selectChecks', () => {
  test('a pattern that matches nothing names itself and lists the checks and ops', async () => {
    const { selectChecks, CHECK_IDS } = await import('./subjectChecks.ts');
    expect(() => selectChecks(['nonsense'])).toThrow(/^--only: matches no check or op \(checks: schedule\.valid, /);
    expect(() => selectChecks(['nonsense'])).toThrow(/nonsense/);
    const message = (() => { try { selectChecks(['nonsense']); } catch (e) { return (e as Error).message; } return ''; })();
    expect(message).toContain(`(checks: ${CHECK_IDS.join(', ')}; ops: `);
  });
});

