import { describe, expect, test } from 'vitest';
import { createReferenceSubject } from '../../../examples/reference-subject.mjs';
import type { CheckEnv } from '../../engine/property.ts';
import { ModuleSubject } from '../moduleSubject.ts';
import { RTOL } from '../subjectChecks.ts';
import { fetchSchedule } from '../subjectSchedule.ts';
import { addNoiseCheck } from './addNoiseCheck.ts';
import type { CheckContext } from './checkDefinition.ts';
import { lossDsmCheck } from './lossDsmCheck.ts';
import fc from 'fast-check';
import { GRADIENT_DETECTABLE, GRADIENT_MAX_SAMPLES, GRADIENT_SAMPLES, lossGradientCheck } from './lossGradientCheck.ts';
import { posteriorCheck } from './posteriorCheck.ts';
import { Q_SAMPLE_DETECTABLE, qSampleCheck, qSampleRows } from './qSampleCheck.ts';
import { stepCheck } from './stepCheck.ts';
import { zeroShotCheck } from './zeroShotCheck.ts';

/*
 * Each check run directly on the JS reference subject (must hold) and on the same subject
 * with one deliberate defect (must fail): what the report shows — the sample and coordinate,
 * the inputs of that sample, expected beside got — is checked, not only the verdict.
 */
type Impl = Record<string, (args: any) => any>;
const env: CheckEnv = { falseAlarm: 1e-6, replicate: 0 };

async function contextFor(patch: (ref: Impl) => Partial<Impl> = () => ({}), opts: Record<string, unknown> = {}): Promise<CheckContext> {
  const ref = createReferenceSubject({ T: 20, ...opts }) as unknown as Impl;
  const subject = await ModuleSubject.fromObject({ ...ref, ...patch(ref) }, 'reference');
  return { subject, hello: subject.hello, schedule: await fetchSchedule(subject), rtol: RTOL.float64 };
}
/** Multiplies one entry of one row of the op's batch answer by (1 + rel). */
const nudge = (op: string, field: string, row: number, col: number, rel: number) => (ref: Impl) => ({
  [op]: (args: unknown) => {
    const r = ref[op](args);
    const out = structuredClone(r);
    out[field][row][col] *= 1 + rel;
    return out;
  },
});

describe('exact checks: the reference holds; a defect of 1e-7 relative in one entry fails and is located', () => {
  const samples3 = (d: number) => [0, 1, 2].map((k) => ({
    x0: Array.from({ length: d }, (_, j) => 0.5 - 0.25 * j + 0.5 * k),
    xt: Array.from({ length: d }, (_, j) => -1 + 0.5 * j + 0.25 * k),
    noise: Array.from({ length: d }, (_, j) => 0.75 - 0.5 * j * k),
    z: Array.from({ length: d }, (_, j) => 1 - 0.5 * j + 0.25 * k),
    y: [1.5 - 0.25 * k],
    t: 4 + 5 * k,
  }));
  const model = { W: [[0.25, -0.5], [0.5, 0.75]], b: [0.5, -0.25] };

  test('add_noise.exact', async () => {
    const c = { d: 2, samples: samples3(2).map(({ x0, noise, t }) => ({ x0, noise, t })) };
    expect((await addNoiseCheck.run(await contextFor(), c, env)).holds).toBe(true);
    const o = await addNoiseCheck.run(await contextFor(nudge('add_noise', 'xt', 2, 1, 1e-7)), c, env);
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/sample 2, coordinate 1/);
    expect((o.got as { xt: number[][] }).xt[2][1]).not.toBe((o.expected as { xt: number[][] }).xt[2][1]);
    expect(o.maxError).toBeGreaterThan(o.tolerance!);
  });

  test('posterior.exact (mean and variance)', async () => {
    const c = { d: 2, samples: samples3(2).map(({ x0, xt, t }) => ({ x0, xt, t })) };
    expect((await posteriorCheck.run(await contextFor(), c, env)).holds).toBe(true);
    const o = await posteriorCheck.run(await contextFor(nudge('posterior', 'mean', 1, 0, 1e-7)), c, env);
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/mean wrong at sample 1, coordinate 0/);
    const v = await posteriorCheck.run(await contextFor((ref) => ({ posterior: (a: unknown) => { const r = structuredClone(ref.posterior(a)); r.variance[2] *= 1 + 1e-7; return r; } })), c, env);
    expect(v.holds).toBe(false);
    expect(v.note).toMatch(/variance (wrong )?at sample 2/);
    expect((v.got as { variance: number[] }).variance[2]).toBeCloseTo((v.expected as { variance: number[] }).variance[2] * (1 + 1e-7), 15);
  });

  test('step.kernel: the failing sample\'s inputs, expected and got side by side; the z = 0 half named', async () => {
    const c = { d: 2, samples: samples3(2).map(({ xt, z, t }) => ({ xt, z, t })), model };
    expect((await stepCheck.run(await contextFor(), c, env)).holds).toBe(true);
    const o = await stepCheck.run(await contextFor(nudge('step', 'x_prev', 1, 1, 1e-7)), c, env);
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/^sample 1, coordinate 1/);
    expect(o.inputs).toMatchObject({ xt: c.samples[1].xt, z: c.samples[1].z });
    const got = o.got as { x_prev: number[]; impliedStd: number };
    expect(got.x_prev[1]).not.toBe((o.expected as { x_prev: number[] }).x_prev[1]);
    // rows 3..5 are the same samples sent with z = 0: a defect there is the mean's
    const m = await stepCheck.run(await contextFor(nudge('step', 'x_prev', 4, 0, 1e-7)), c, env);
    expect(m.note).toMatch(/^sample 1 sent with z = 0 \(the mean\), coordinate 0/);
    expect((m.got as { impliedMean: number[] }).impliedMean[0]).not.toBe((m.expected as { mean: number[] }).mean[0]);
    // an answer of the wrong shape is named with the op and the request
    const short = (ref: Impl) => ({ step: (a: unknown) => ({ x_prev: ref.step(a).x_prev.slice(1) }) });
    await expect(stepCheck.run(await contextFor(short), c, env)).rejects.toThrow(/^invalid response to op "step" \(request 2\) at result\.x_prev: wrong shape: expected 6×2/);
  });

  test.each([0, 0.5])('zero_shot_step.kernel at σ_y = %f: tolerance not inflated, wrong sample located', async (sigmaY) => {
    const c = { d: 2, H: [[2, 0.5]], sigmaY, samples: samples3(2).map(({ xt, y, z, t }) => ({ xt, y, z, t })), model };
    for (const variant of ['ddnm', 'bo_ddnm']) {
      const opts = { zeroShotVariant: variant };
      expect((await zeroShotCheck.run(await contextFor(undefined, opts), c, env)).holds).toBe(true);
      const o = await zeroShotCheck.run(await contextFor(nudge('zero_shot_step', 'x_prev', 2, 1, 1e-7), opts), c, env);
      expect(o.holds).toBe(false);
      expect(o.note).toMatch(/^sample 2, coordinate 1/);
      expect(o.inputs).toMatchObject({ xt: c.samples[2].xt, y: c.samples[2].y, z: c.samples[2].z });
      expect((o.got as { x_prev: number[] }).x_prev[1]).not.toBe((o.expected as { x_prev: number[] }).x_prev[1]);
    }
  });

  test('loss.dsm: a loss whose θ-dependence is off by 1e-6 fails, naming the sample', async () => {
    const models = [model, { W: [[0, 0.25], [-0.25, 0.5]], b: [0, 0.25] }, { W: [[1, 0], [0, -1]], b: [0.25, 0] }];
    const c = { d: 2, samples: samples3(2).map(({ x0, noise, t }) => ({ x0, noise, t })), models };
    expect((await lossDsmCheck.run(await contextFor(), c, env)).holds).toBe(true);
    const bad = (ref: Impl) => ({ loss: (a: { model: { b: number[] } }) => { const r = structuredClone(ref.loss(a)); if (a.model.b[0] === 0.25) r.loss[1] *= 1 + 1e-6; return r; } });
    const o = await lossDsmCheck.run(await contextFor(bad), c, env);
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/^sample 1:/);
    expect(o.got).toHaveProperty('loss_k');
    // expected and got side by side: the loss change between the two models, and the defect (1e-6 of got's loss_k) as their difference
    const e = o.expected as { loss_k_minus_loss_0: number; loss_0: number; loss_k: number }, g = o.got as typeof e;
    expect(e.loss_k_minus_loss_0).toBe(e.loss_k - e.loss_0);
    expect(g.loss_k_minus_loss_0).toBe(g.loss_k - g.loss_0);
    expect(Math.abs(g.loss_k_minus_loss_0 - e.loss_k_minus_loss_0 - (g.loss_k - g.loss_k / (1 + 1e-6)))).toBeLessThanOrEqual(1e-9 * Math.abs(g.loss_k));
    // the reference subject counts timesteps from 0: subject t = internal t − 1
    expect(o.inputs).toMatchObject({ sample: { x0: c.samples[1].x0, noise: c.samples[1].noise, t: c.samples[1].t - 1 }, batch_t: c.samples.map((x) => x.t - 1) });
  });
});

describe('q_sample.distribution: each half of the test has its power', () => {
  const c = { d: 2, x0: [1, -0.5], t: 7, seed: 5 };
  /** A q_sample whose standardized residuals have mean δ and second moment m2. */
  const shifted = (delta: number, m2: number) => (ref: Impl) => ({
    q_sample: (args: { x0: number[][]; t: number[]; seed: number }) => {
      const ab = (ref.schedule({}) as { alpha_bar: number[] }).alpha_bar[args.t[0]];
      const sd = Math.sqrt(m2 - delta * delta);
      const r = ref.q_sample(args) as { xt: number[][] };
      // the reference's own draws, re-standardized: r = (x_t − √ᾱ x0)/√(1−ᾱ) → δ + sd·r
      return { xt: r.xt.map((row, i) => row.map((v, j) => {
        const z = (v - Math.sqrt(ab) * args.x0[i][j]) / Math.sqrt(1 - ab);
        return Math.sqrt(ab) * args.x0[i][j] + Math.sqrt(1 - ab) * (delta + sd * z);
      })) };
    },
  });

  test('the reference holds; its sample size reaches the stated detectable 0.1', async () => {
    const o = await qSampleCheck.run(await contextFor(), c, env);
    expect(o.holds).toBe(true);
    expect(o.detectable!.relative).toBeLessThanOrEqual(Q_SAMPLE_DETECTABLE + 1e-12);
    expect(o.detectable!.met).toBe(true);
    expect(qSampleRows(2, 1e-6) * 2).toBeGreaterThanOrEqual(qSampleRows(1, 1e-6));
  });

  test('a mean shift of 0.15 noise units with the second moment kept at 1 is caught by the mean half', async () => {
    const o = await qSampleCheck.run(await contextFor(shifted(0.15, 1)), c, env);
    expect(o.holds).toBe(false);
    expect(o.metric).toBe('|mean residual|');
    expect((o.got as { residualMean: number }).residualMean).toBeCloseTo(0.15, 1);
  });

  test('a noise std 10 % too large (mean 0) is caught by the second-moment half', async () => {
    const o = await qSampleCheck.run(await contextFor(shifted(0, 1.21)), c, env);
    expect(o.holds).toBe(false);
    expect(o.metric).toBe('|mean residual² − 1|');
  });
});

describe('loss.esm_gradient: the directional derivative of the mean loss against λ_t κ² ∂_u ESM (core closed form)', () => {
  const c = { d: 2, mean: [0.5, -0.25], variances: [0.5, 1.5], t: 9, model: { W: [[0.25, 0], [-0.5, 0.5]], b: [0, 0.25] }, direction: { W: [[0.5, 0.25], [0, 0.25]], b: [0.25, 0] }, seed: 11 }; // θ·u = 0.25 ≠ 0
  test('the reference holds with the stated power', async () => {
    const o = await lossGradientCheck.run(await contextFor(), c, env);
    expect(o.holds).toBe(true);
    expect(o.detectable!.relative).toBeLessThanOrEqual(GRADIENT_DETECTABLE + 1e-12);
    // pilot GRADIENT_SAMPLES, then only as many more as the power needs (never past the cap): for a
    // correct subject the control variate leaves rounding-level residuals, so the pilot is enough
    const n = (o.inputs as { samples: number }).samples;
    expect(n).toBe(GRADIENT_SAMPLES);
    expect(GRADIENT_SAMPLES).toBeLessThan(GRADIENT_MAX_SAMPLES);
  });

  test('cases: a zero direction becomes e_1 on b, so every case has a derivative to test', async () => {
    const ctx = await contextFor();
    const cases = fc.sample(lossGradientCheck.cases(ctx), { numRuns: 300, seed: 4 });
    for (const x of cases) expect(x.direction.b.some((v) => v !== 0) || x.direction.W.some((r) => r.some((v) => v !== 0))).toBe(true);
    expect(cases.some((x) => x.direction.b[0] === 1 && x.direction.b.slice(1).every((v) => v === 0) && x.direction.W.every((r) => r.every((v) => v === 0)))).toBe(true);
  });
  test('a loss with an extra θ-dependent term ½‖θ‖² (its gradient off by θ) fails', async () => {
    const extra = (ref: Impl) => ({
      loss: (args: { model: { W: number[][]; b: number[] } }) => {
        const r = structuredClone(ref.loss(args));
        const n2 = args.model.W.flat().reduce((p: number, v: number) => p + v * v, 0) + args.model.b.reduce((p: number, v: number) => p + v * v, 0);
        r.loss = r.loss.map((v: number) => v + 0.5 * n2);
        return r;
      },
    });
    const o = await lossGradientCheck.run(await contextFor(extra), c, env);
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/∂_u of the mean loss is/);
  });
});
