import fc from 'fast-check';
import type { Parameterization } from '../../../diffusion/parameterization.ts';
import { readBatch, readVector } from '../../responseShape.ts';
import { subjectPrecision } from '../../roundingTolerance.ts';
import { expectedInputGradients } from '../../trainingOracle.ts';
import type { LossInputGradDeclaration } from '../../trainingProtocol.ts';
import { MAX_CASE_DIM, batchOf, caseCoordinates, cut, simpleVector, timestep } from '../caseArbitraries.ts';
import type { SubjectCheck } from '../checkDefinition.ts';
import { compareExpected } from './compareExpected.ts';
import { cornerTimestep } from './trainingCaseArbitraries.ts';

/** Largest conditioning dimension of a case. */
export const MAX_COND_DIM = 2;

export interface LossInputGradCase {
  readonly d: number;
  readonly k: number;
  readonly samples: readonly { x0: number[]; noise: number[]; c: number[]; t: number }[];
  readonly model: { W: number[][]; U: number[][]; b: number[] };
}

/**
 * loss_input_grad returns each sample's conditional DSM loss and ∂ℓ_n/∂c_n (the subject's autograd with
 * respect to the conditioning input) for the supplied network f(x_t, c) = W x_t + U c + b; both exact
 * (MATH.md §7.6): ∂ℓ/∂c = (2λ_t/d′)Uᵀ(f − target).
 */
export const lossInputGradCheck: SubjectCheck<LossInputGradCase> = {
  id: 'loss_input_grad.exact',
  op: 'loss_input_grad',
  title: 'conditional loss and its gradient with respect to the conditioning input c, exact',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  cases: (ctx) =>
    fc
      .record({
        coords: caseCoordinates(),
        k: fc.integer({ min: 1, max: MAX_COND_DIM }),
        samples: batchOf(fc.record({ x0: simpleVector(MAX_CASE_DIM), noise: simpleVector(MAX_CASE_DIM), c: simpleVector(MAX_COND_DIM), t: cornerTimestep(ctx.schedule.schedule.T) })),
        W: fc.array(simpleVector(MAX_CASE_DIM, 1), { minLength: MAX_CASE_DIM, maxLength: MAX_CASE_DIM }),
        U: fc.array(simpleVector(MAX_COND_DIM, 1), { minLength: MAX_CASE_DIM, maxLength: MAX_CASE_DIM }),
        b: simpleVector(MAX_CASE_DIM, 1),
      })
      .map(({ coords, k, samples, W, U, b }) => ({
        d: coords.length,
        k,
        samples: samples.map((s) => ({ x0: cut(s.x0, coords), noise: cut(s.noise, coords), c: s.c.slice(0, k), t: s.t })),
        model: { W: coords.map((i) => cut(W[i], coords)), U: coords.map((i) => U[i].slice(0, k)), b: cut(b, coords) },
      })),
  async run(ctx, c) {
    const decl = ctx.hello.ops.loss_input_grad as LossInputGradDeclaration;
    const p = ctx.hello.parameterization as Parameterization;
    const { schedule, toSubject } = ctx.schedule;
    const args = { x0: c.samples.map((s) => s.x0), noise: c.samples.map((s) => s.noise), t: c.samples.map((s) => toSubject(s.t)), c: c.samples.map((s) => s.c), model: c.model };
    const { id, result } = await ctx.subject.call('loss_input_grad', args);
    const ref = { op: 'loss_input_grad', requestId: id };
    const loss = readVector(result, ref, 'loss', c.samples.length);
    const grads = readBatch(result, ref, 'grad_c', c.samples.length, c.k);
    const exp = expectedInputGradients(schedule, decl, p, c.model, c.samples, subjectPrecision(ctx.hello));
    const cg = compareExpected(grads, exp.gradients), cl = compareExpected([loss], [exp.losses]);
    const ok = cg.ok && cl.ok;
    const worst = !cg.ok || cg.margin > cl.margin ? cg : cl;
    return {
      holds: ok, requestId: id, op: 'loss_input_grad', inputs: args,
      expected: { loss: Array.from(exp.losses.value), grad_c: exp.gradients.map((g) => Array.from(g.value)) },
      got: { loss: Array.from(loss), grad_c: grads.map((g) => Array.from(g)) },
      maxError: worst.maxError, tolerance: worst.tolerance, margin: Math.max(cg.margin, cl.margin),
      note: ok ? undefined : !cg.ok ? `∂ℓ/∂c of sample ${cg.at[0]}, entry ${cg.at[1]}: got ${grads[cg.at[0]][cg.at[1]]}, expected ${exp.gradients[cg.at[0]].value[cg.at[1]]}` : `loss of sample ${cl.at[1]}`,
    };
  },
  size: (c) => ({ d: c.d, batch: c.samples.length }),
};
void timestep;
