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
