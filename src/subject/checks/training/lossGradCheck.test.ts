import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTrainingSubject } from '../../../../examples/reference-training.mjs';
import type { CheckEnv } from '../../../engine/property.ts';
import { ModuleSubject } from '../../moduleSubject.ts';
import { InvalidResponseError } from '../../subjectError.ts';
import { RTOL } from '../../subjectChecks.ts';
import { fetchSchedule } from '../../subjectSchedule.ts';
import type { CheckContext } from '../checkDefinition.ts';
import { lossGradCheck } from './lossGradCheck.ts';
import { lossInputGradCheck } from './lossInputGradCheck.ts';
import { sdsGradCheck } from './sdsGradCheck.ts';
import { vlbPriorCheck } from './vlbPriorCheck.ts';

/*
 * loss_grad.exact and loss_input_grad.exact on the JS training reference: the report's `expected` is
 * what a correct subject answers (it agrees with the reference's `got` to rounding, entry by entry), and
 * an answer of the wrong shape is an InvalidResponseError naming the field.
 */
const env: CheckEnv = { falseAlarm: 1e-6, replicate: 0 };
type Impl = Record<string, (a: any) => any>;

async function contextFor(patch: (ref: Impl) => Partial<Impl> = () => ({})): Promise<CheckContext> {
  const ref = createTrainingSubject() as unknown as Impl & { hello: unknown };
  const subject = await ModuleSubject.fromObject({ ...ref, ...patch(ref) }, 'training');
  return { subject, hello: subject.hello, schedule: await fetchSchedule(subject), rtol: RTOL.float64 };
}
const near = (a: readonly number[], b: readonly number[]) => a.forEach((v, i) => expect(Math.abs(v - b[i]), `entry ${i}`).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(b[i]))));

describe('loss_grad.exact / loss_input_grad.exact: the report', () => {
  it('loss_grad: holds; expected losses and gradient agree with the reference\'s answer', async () => {
    const ctx = await contextFor();
    for (const c of fc.sample(lossGradCheck.cases(ctx), { seed: 5, numRuns: 3 })) {
      const o = await lossGradCheck.run(ctx, c, env);
      expect(o.holds, o.note).toBe(true);
      const e = o.expected as { loss: number[] }, g = o.got as { loss: number[] };
      expect(e.loss).toHaveLength(c.samples.length);
      near(e.loss, g.loss);
    }
  });

  it('loss_grad: a gradient W with a missing row is an InvalidResponseError naming W', async () => {
    const ctx = await contextFor((ref) => ({ loss_grad: (a: unknown) => { const r = structuredClone(ref.loss_grad(a)); r.grad.W.pop(); return r; } }));
    const [c] = fc.sample(lossGradCheck.cases(ctx), { seed: 6, numRuns: 1 });
    const err = await lossGradCheck.run(ctx, c, env).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err.message).toMatch(/result\.W\b.*wrong shape/);
  });

  it('loss_input_grad: holds; expected losses and ∂ℓ/∂c agree with the reference\'s answer', async () => {
    const ctx = await contextFor();
    for (const c of fc.sample(lossInputGradCheck.cases(ctx), { seed: 7, numRuns: 3 })) {
      const o = await lossInputGradCheck.run(ctx, c, env);
      expect(o.holds, o.note).toBe(true);
      const e = o.expected as { loss: number[]; grad_c: number[][] }, g = o.got as { loss: number[]; grad_c: number[][] };
      expect(e.grad_c).toHaveLength(c.samples.length);
      near(e.loss, g.loss);
      e.grad_c.forEach((row, n) => near(row, g.grad_c[n]));
    }
  });
});

describe('loss_grad.exact: the diagnosis names the batch reduction the numbers follow', () => {
  // Declared mean over the batch; the subject sums (every gradient entry N times the mean's). The note must
  // name "the other batch reduction (sum)" — what the user's code does, not what it declared.
  it('a subject that sums where mean is declared: fails, and the note says the gradient matches the sum', async () => {
    const ctx = await contextFor((ref) => ({
      loss_grad: (a: { x0: unknown[] }) => {
        const r = structuredClone(ref.loss_grad(a)) as { grad: { W: number[][]; b: number[] } };
        const n = a.x0.length;
        return { ...r, grad: { W: r.grad.W.map((row) => row.map((v) => v * n)), b: r.grad.b.map((v) => v * n) } };
      },
    }));
    expect((ctx.hello.ops.loss_grad as { batch_reduction: string }).batch_reduction).toBe('mean');
    const c = fc.sample(lossGradCheck.cases(ctx), { seed: 8, numRuns: 20 }).find((x) => x.samples.length >= 2)!;
    const o = await lossGradCheck.run(ctx, c, env);
    expect(o.holds).toBe(false);
    expect(o.note).toMatch(/gradient entry \d+ differ; the gradient matches the other batch reduction \(sum\)/);
  });
});

describe('sds_grad.exact / vlb_prior.exact: a defect of 1e-7 relative is located in the note', () => {
  const sdsCase = {
    d: 2, mu: [0.5, -0.25], F: [[1, 0.25], [-0.5, 0.75]],
    draws: [{ xi: [0.5, -1], noise: [1, 0.25], t: 7 }, { xi: [-0.75, 0.5], noise: [-0.5, 1.5], t: 30 }],
    model: { W: [[0.5, -0.25], [0.25, 0.75]], b: [0.25, -0.5] },
  };
  const nudged = (field: 'grad_mu' | 'grad_F', n: number, k: number) => (ref: Impl) => ({
    sds_grad: (a: unknown) => {
      const r = structuredClone(ref.sds_grad(a));
      if (field === 'grad_mu') r.grad_mu[n][k] *= 1 + 1e-7; else r.grad_F[n][Math.floor(k / 2)][k % 2] *= 1 + 1e-7;
      return r;
    },
  });

  it('the reference holds; ∂/∂μ of draw 1 and ∂/∂F entry 3 of draw 0 are named', async () => {
    expect((await sdsGradCheck.run(await contextFor(), sdsCase, env)).holds).toBe(true);
    const a = await sdsGradCheck.run(await contextFor(nudged('grad_mu', 1, 0)), sdsCase, env);
    expect(a.holds).toBe(false);
    expect(a.note).toBe('draw 1, ∂/∂μ_0 (declared gradient "sds", weighting {"kind":"one_minus_alpha_bar"})');
    const b = await sdsGradCheck.run(await contextFor(nudged('grad_F', 0, 3)), sdsCase, env);
    expect(b.holds).toBe(false);
    expect(b.note).toMatch(/^draw 0, ∂\/∂F entry 3 /);
  });

  it('vlb_prior: the reference holds; a prior off by 1e-7 relative names the sample, ᾱ_T and the units', async () => {
    const c = { d: 2, x0: [[0.5, -1], [1, 0.25], [-0.75, 0]] };
    expect((await vlbPriorCheck.run(await contextFor(), c, env)).holds).toBe(true);
    const ctx = await contextFor((ref) => ({ vlb_prior: (a: unknown) => { const r = structuredClone(ref.vlb_prior(a)); r.prior[2] *= 1 + 1e-7; return r; } }));
    const o = await vlbPriorCheck.run(ctx, c, env);
    expect(o.holds).toBe(false);
    expect(o.note).toBe(`sample 2: ᾱ_T = ${ctx.schedule.schedule.alphaBar(ctx.schedule.schedule.T)}, units bits_per_dim`);
    expect((o.expected as { prior: number[] }).prior).toHaveLength(3);
  });
});
