import { hasVarianceHead } from '../../../diffusion/learnedVariance.ts';
import type { Parameterization } from '../../../diffusion/parameterization.ts';
import { vlbTerm } from '../../../theory/variationalBound.ts';
import { readVector } from '../../responseShape.ts';
import { subjectPrecision } from '../../roundingTolerance.ts';
import { expectedVlbTerms, vlbSettingOf } from '../../trainingOracle.ts';
import type { VlbDeclaration } from '../../trainingProtocol.ts';
import type { SubjectCheck } from '../checkDefinition.ts';
import { compareExpected } from './compareExpected.ts';
import { type HeadedBatchCase, headedBatchCase } from './trainingCaseArbitraries.ts';

export type VlbCase = HeadedBatchCase<'xt'>;

/**
 * vlb_terms returns each sample's term of the variational bound at its step — the decoder's
 * −log p(x_0|x_1) at the first step, KL(q(x_{t−1}|x_t, x_0) ‖ p_θ(x_{t−1}|x_t)) after (improved-diffusion
 * `_vb_terms_bpd`) — for the supplied network (mean head in the declared parameterization, variance head
 * for learned variances, any v). Exact, with the rounding bound of the declared precisions (MATH.md §7.3).
 */
export const vlbTermsCheck: SubjectCheck<VlbCase> = {
  id: 'vlb_terms.exact',
  op: 'vlb_terms',
  title: 'variational bound terms L_{t−1} and the decoder term L_0 = closed forms (learned variance at any v)',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  cases: (ctx) => headedBatchCase(ctx.schedule.schedule.T, hasVarianceHead((ctx.hello.ops.vlb_terms as VlbDeclaration).variance), 'xt'),
  async run(ctx, c) {
    const decl = ctx.hello.ops.vlb_terms as VlbDeclaration;
    const p = ctx.hello.parameterization as Parameterization;
    const { schedule, toSubject } = ctx.schedule;
    const args = { x0: c.samples.map((s) => s.x0), xt: c.samples.map((s) => s.xt), t: c.samples.map((s) => toSubject(s.t)), model: c.model };
    const { id, result } = await ctx.subject.call('vlb_terms', args);
    const got = readVector(result, { op: 'vlb_terms', requestId: id }, 'terms', c.samples.length);
    const exp = expectedVlbTerms(schedule, decl, p, c.model, c.samples, subjectPrecision(ctx.hello));
    const cmp = compareExpected([got], [exp]);
    let note: string | undefined;
    if (!cmp.ok) {
      const n = cmp.at[1], s = c.samples[n], setting = vlbSettingOf(decl, p);
      const tol = exp.tolerance[n];
      const near = (v: number) => Math.abs(v - got[n]) <= Math.max(tol, 1e-9 * Math.abs(v));
      const alts: [string, () => number][] = [
        ['the term of step t + 1 (the decoder/KL at the wrong t)', () => vlbTerm(schedule, s.t + 1, setting, c.model, s.x0, s.xt)],
        ['the term of step t − 1', () => vlbTerm(schedule, s.t - 1, setting, c.model, s.x0, s.xt)],
        ['the learned range with its ends swapped (v ↦ −v: β̃ and β exchanged)', () => vlbTerm(schedule, s.t, setting, { W: c.model.W.map((r, i) => (i >= c.d ? r.map((w) => -w) : r)), b: c.model.b.map((b, i) => (i >= c.d ? -b : b)) }, s.x0, s.xt)],
        [`the other units (${decl.units === 'nats' ? 'bits per dimension' : 'nats'})`, () => vlbTerm(schedule, s.t, { ...setting, units: decl.units === 'nats' ? 'bits_per_dim' : 'nats' }, c.model, s.x0, s.xt)],
        ...(decl.decoder.kind === 'discretized_gaussian' ? [[`the decoder with the ${decl.decoder.cdf === 'exact' ? 'tanh-approximated' : 'exact'} normal CDF`, () => vlbTerm(schedule, s.t, { ...setting, decoder: { kind: 'discretized_gaussian', cdf: decl.decoder.kind === 'discretized_gaussian' && decl.decoder.cdf === 'exact' ? 'tanh_approx' : 'exact' } }, c.model, s.x0, s.xt)] as [string, () => number]] : []),
      ];
      const hit = alts.find(([, f]) => { try { return near(f()); } catch { return false; } });
      note = `sample ${n} (subject t = ${args.t[n]}${s.t === 1 ? ', the decoder term' : ''}): got ${got[n]}, expected ${exp.value[n]}${hit ? `; it matches ${hit[0]}` : ''}`;
    }
    return {
      holds: cmp.ok, requestId: id, op: 'vlb_terms', inputs: args,
      expected: { terms: Array.from(exp.value) }, got: { terms: Array.from(got) },
      maxError: cmp.maxError, tolerance: cmp.tolerance, margin: cmp.margin, note,
    };
  },
  size: (c) => ({ d: c.d, batch: c.samples.length }),
};
