import { describe, expect, test } from 'vitest';
import { ModuleSubject } from './moduleSubject.ts';
import { parseHello } from './hello.ts';
import { readBatch, readVector } from './responseShape.ts';
import { CHECK_IDS, RTOL, selectChecks, subjectStoreKey } from './subjectChecks.ts';
import { SubjectFatalError } from './subjectError.ts';
import { ScheduleInvalidError, fetchSchedule } from './subjectSchedule.ts';
import { caseCoordinates, cut, cutModel, timestep } from './checks/caseArbitraries.ts';
import fc from 'fast-check';

/* The subject's side of the protocol (docs/protocol.md): what is accepted, and every rejection naming its field. */
const ok = { protocol_version: 1, name: 'x', parameterization: 'eps', ops: { schedule: {}, loss: { weighting: { kind: 'min_snr', gamma: 5 }, reduction: 'mean' }, step: { variance: 'beta' }, zero_shot_step: { variant: 'ddnm', variance: 'beta_tilde' }, add_noise: true } };
const rejects = (raw: unknown, message: RegExp) => {
  expect(() => parseHello(raw)).toThrow(SubjectFatalError);
  expect(() => parseHello(raw)).toThrow(message);
};

describe('hello', () => {
  test('a full hello is read as declared; defaults: float64, unit weighting, "unnamed subject"', () => {
    const h = parseHello(ok);
    expect(h).toEqual({
      protocol_version: 1, name: 'x', parameterization: 'eps', precision: 'float64',
      ops: { schedule: {}, loss: { weighting: { kind: 'min_snr', gamma: 5 }, reduction: 'mean' }, step: { variance: 'beta' }, zero_shot_step: { variant: 'ddnm', variance: 'beta_tilde' }, add_noise: {} },
    });
    expect(parseHello({ protocol_version: 1, ops: { loss: { reduction: 'sum' } }, parameterization: 'v', precision: 'float32' })).toMatchObject({ name: 'unnamed subject', precision: 'float32', ops: { loss: { weighting: { kind: 'unit' } } } });
    expect(parseHello({ protocol_version: 1, ops: { add_noise: {} } }).parameterization).toBeUndefined();
    for (const kind of ['snr', 'unit']) expect(parseHello({ ...ok, ops: { loss: { weighting: { kind }, reduction: 'mean' } } }).ops.loss?.weighting).toEqual({ kind });
    for (const kind of ['min_snr_over_snr', 'min_snr_over_snr_plus_one']) expect(parseHello({ ...ok, ops: { loss: { weighting: { kind, gamma: 0.5 }, reduction: 'mean' } } }).ops.loss?.weighting).toEqual({ kind, gamma: 0.5 });
  });

  test('each rejection names its field and value', () => {
    rejects(null, /^handshake in op "hello" \(request 0\): hello: must be an object \(got null\)/);
    rejects([], /hello: must be an object/);
    rejects({ ...ok, protocol_version: 99 }, /protocol_version: .*\(got 99\)/);
    rejects({ ...ok, ops: [] }, /ops: must be an object keyed by operation name/);
    rejects({ ...ok, ops: { fly: {} } }, /ops\.fly: unknown operation; known: schedule, add_noise/);
    rejects({ ...ok, ops: { add_noise: 3 } }, /ops\.add_noise: must be an object \(or true\) \(got 3\)/);
    rejects({ ...ok, ops: { loss: { weighting: 'snr', reduction: 'mean' } } }, /ops\.loss\.weighting: must be an object/);
    rejects({ ...ok, ops: { loss: { weighting: { kind: 'min_snr' }, reduction: 'mean' } } }, /ops\.loss\.weighting\.gamma: must be a finite number > 0/);
    rejects({ ...ok, ops: { loss: { weighting: { kind: 'min_snr', gamma: 0 }, reduction: 'mean' } } }, /gamma: must be a finite number > 0 \(got 0\)/);
    rejects({ ...ok, ops: { loss: { weighting: { kind: 'min_snr', gamma: Infinity }, reduction: 'mean' } } }, /gamma/);
    rejects({ ...ok, ops: { loss: { weighting: { kind: 'cosine' }, reduction: 'mean' } } }, /ops\.loss\.weighting\.kind: must be one of unit, snr, min_snr/);
    rejects({ ...ok, ops: { loss: { reduction: 'avg' } } }, /ops\.loss\.reduction: must be one of mean, sum \(got "avg"\)/);
    rejects({ ...ok, ops: { step: {} } }, /ops\.step\.variance: must be one of beta, beta_tilde/);
    rejects({ ...ok, ops: { zero_shot_step: { variant: 'pigdm', variance: 'beta' } } }, /ops\.zero_shot_step\.variant: must be one of ddnm, bo_ddnm/);
    rejects({ ...ok, ops: { zero_shot_step: { variant: 'ddnm' } } }, /ops\.zero_shot_step\.variance/);
    rejects({ protocol_version: 1, ops: { step: { variance: 'beta' } } }, /parameterization: must be one of eps, x0, v, score \(got undefined\)/);
    rejects({ protocol_version: 1, ops: {}, parameterization: 'noise' }, /parameterization/);
    rejects({ ...ok, precision: 'float16' }, /precision: must be one of float64, float32/);
  });
});

describe('response shapes', () => {
  const ref = { op: 'add_noise', requestId: 7 };
  test('a B × d batch and a vector are read; every defect is named with its path', () => {
    expect(readBatch({ xt: [[1, 2], [3, 4]] }, ref, 'xt', 2, 2).map((r) => Array.from(r))).toEqual([[1, 2], [3, 4]]);
    expect(Array.from(readVector({ v: Float64Array.of(1, 2) }, ref, 'v', 2))).toEqual([1, 2]);
    const bad = (f: () => unknown, m: RegExp) => expect(f).toThrow(m);
    bad(() => readBatch(null, ref, 'xt', 1, 1), /result\.xt: missing/);
    bad(() => readBatch({ x: 1 }, ref, 'xt', 1, 1), /result\.xt: missing/);
    bad(() => readBatch({ xt: 5 }, ref, 'xt', 1, 1), /result\.xt: expected a 1×1 array of arrays/);
    bad(() => readBatch({ xt: [[1]] }, ref, 'xt', 2, 1), /result\.xt: wrong shape: expected 2×1, got 1 rows/);
    bad(() => readBatch({ xt: [1] }, ref, 'xt', 1, 1), /result\.xt\[0\]: expected an array of 1 numbers/);
    bad(() => readBatch({ xt: [[1, 2]] }, ref, 'xt', 1, 1), /result\.xt\[0\]: wrong shape: expected 1×1, row 0 has length 2/);
    bad(() => readBatch({ xt: [[null]] }, ref, 'xt', 1, 1), /result\.xt\[0\]\[0\]: expected a number, got null/);
    bad(() => readBatch({ xt: [['1']] }, ref, 'xt', 1, 1), /expected a number, got string/);
    bad(() => readBatch({ xt: [[Number.NaN]] }, ref, 'xt', 1, 1), /result\.xt\[0\]\[0\]: non-finite value NaN/);
    bad(() => readVector({ v: 3 }, ref, 'v', 1), /result\.v: expected an array of 1 numbers/);
    bad(() => readVector({ v: [1, 2] }, ref, 'v', 1), /result\.v: wrong shape: expected length 1, got 2/);
    bad(() => readVector({ v: [Infinity] }, ref, 'v', 1), /result\.v\[0\]: non-finite value Infinity/);
    bad(() => readVector({ v: [1] }, ref, 'v', 1) && readVector({}, ref, 'v', 1), /request 7/);
  });
});

describe('the subject\'s schedule', () => {
  const subjectWith = (result: unknown) => ModuleSubject.fromObject({ hello: { protocol_version: 1, ops: { schedule: {} } }, schedule: () => result }, 's');
  test('t_base 0 or 1 maps internal t to the subject\'s timestep; T = 1 (the minimum) is accepted', async () => {
    const s0 = await fetchSchedule(await subjectWith({ alpha_bar: [0.9, 0.5], t_base: 0 }));
    expect(s0.toSubject(1)).toBe(0);
    expect(s0.schedule.T).toBe(2);
    expect(s0.requestId).toBe(1);
    const s1 = await fetchSchedule(await subjectWith({ alpha_bar: [0.9], t_base: 1 }));
    expect(s1.toSubject(1)).toBe(1);
    expect(s1.schedule.alphaBar(1)).toBe(0.9);
  });
  test('rejections: t_base, an empty or non-numeric table (shape), a table that is not a schedule', async () => {
    await expect(fetchSchedule(await subjectWith({ alpha_bar: [0.9], t_base: 2 }))).rejects.toThrow(/result\.t_base: must be 0 or 1, got 2/);
    await expect(fetchSchedule(await subjectWith({ alpha_bar: [], t_base: 0 }))).rejects.toThrow(/result\.alpha_bar: must be a non-empty array/);
    await expect(fetchSchedule(await subjectWith({ alpha_bar: 'x', t_base: 0 }))).rejects.toThrow(/result\.alpha_bar/);
    await expect(fetchSchedule(await subjectWith({ alpha_bar: [1, 0.5], t_base: 0 }))).rejects.toThrow(ScheduleInvalidError);
    await expect(fetchSchedule(await subjectWith({ alpha_bar: [0.5, 0.9], t_base: 0 }))).rejects.toThrow(/schedule \(request 1\) is not a valid VP schedule: schedule\.alphaBars\[1\]/);
    await expect(fetchSchedule(await subjectWith(null))).rejects.toThrow(/t_base/);
  });
});

describe('check selection and case helpers', () => {
  test('--only by id, op, prefix and glob; a pattern matching nothing is an error listing the choices', () => {
    expect(selectChecks(undefined)).toEqual(CHECK_IDS);
    expect(selectChecks([])).toEqual(CHECK_IDS);
    expect(selectChecks(['loss'])).toEqual(['loss.dsm', 'loss.esm_gradient']);
    const picked = selectChecks(['step.kernel', 'schedule']);
    expect(picked).toContain('schedule.valid');
    expect(picked).toContain('step.kernel');
    expect(picked).toEqual(CHECK_IDS.filter((id) => picked.includes(id))); // in check order
    expect(picked.indexOf('schedule.valid')).toBeLessThan(picked.indexOf('step.kernel'));
    expect(selectChecks(['*.exact'])).toEqual(CHECK_IDS.filter((id) => id.endsWith('.exact')));
    // One declared sampler's instance of a sampler check selects its family (the ids exist only per subject).
    const samplerFamilies = ['sample.exact', 'sample.network_time', 'sample.image', 'sample.quality'];
    expect(selectChecks(['sample.exact.ddim'])).toEqual(['sample.exact']);
    expect(selectChecks(['sample.*.ddim'])).toEqual(samplerFamilies);
    expect(selectChecks(['sample.quality.*'])).toEqual(['sample.quality']);
    expect(selectChecks(['*.ddim'])).toEqual(samplerFamilies);
    expect(() => selectChecks(['nope'])).toThrow(/--only: matches no check or op \(checks: schedule\.valid/);
    expect(RTOL).toEqual({ float64: 1e-9, float32: 1e-4 });
  });
  test('store keys are file-safe slugs of the subject name', () => {
    expect(subjectStoreKey('my subject/v2', 'loss.dsm')).toBe('check/my-subject-v2/loss.dsm');
    expect(subjectStoreKey('..', 'x')).toBe('check/subject/x');
    expect(subjectStoreKey('-a.b-', 'x')).toBe('check/a.b/x');
  });
  test('case coordinates: an all-false mask keeps coordinate 0; cut and cutModel select rows and columns; timesteps from tMin', () => {
    expect(cut([5, 6, 7], [2, 0])).toEqual([7, 5]);
    expect(cutModel({ W: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], b: [1, 2, 3] }, [0, 2])).toEqual({ W: [[1, 3], [7, 9]], b: [1, 3] });
    const seen = fc.sample(caseCoordinates(), { numRuns: 200, seed: 1 });
    expect(seen.every((c) => c.length >= 1 && c.length <= 3 && c.every((i, k) => k === 0 || i > c[k - 1]))).toBe(true);
    expect(seen.some((c) => c.length === 1 && c[0] === 0)).toBe(true);
    expect(fc.sample(timestep(5, 2), { numRuns: 100, seed: 1 }).every((t) => t >= 2 && t <= 5)).toBe(true);
    expect(new Set(fc.sample(timestep(3), { numRuns: 100, seed: 2 }))).toEqual(new Set([1, 2, 3]));
  });
});

describe('hello: a sampler-only subject may declare a sampler output as its parameterization', () => {
  const v2 = (ops: Record<string, unknown>, parameterization: string) => ({ protocol_version: 2, name: 's', parameterization, ops });
  const samplers = { sample: { samplers: { euler: { family: 'flow_euler', shift: 3 } } } };
  test('flow_velocity / edm with only `sample`: accepted, kept on the sampler section, no model parameterization', () => {
    const h = parseHello(v2({ ...samplers }, 'flow_velocity'));
    expect(h.parameterization).toBeUndefined();
    expect(h.sampler?.parameterization).toBe('flow_velocity');
  });
  test('the same with an op that needs a model (step): rejected, naming the parameterization', () => {
    expect(() => parseHello(v2({ ...samplers, schedule: {}, step: { variance: 'beta' } }, 'flow_velocity'))).toThrow(/\bparameterization: must be one of/);
  });
});
