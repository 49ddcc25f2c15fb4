import { describe, expect, it } from 'vitest';
import { createTrainingSubject } from '../../examples/reference-training.mjs';
import { cosineSchedule } from '../diffusion/schedule.ts';
import type { Parameterization } from '../diffusion/parameterization.ts';
import { parseHello } from './hello.ts';
import { expectedInputGradients, expectedLossGrad, expectedSdsGradients, expectedVlbPrior, expectedVlbTerms } from './trainingOracle.ts';
import type { LossGradDeclaration, SdsGradDeclaration, VlbDeclaration } from './trainingProtocol.ts';

/*
 * The training oracles' tolerances against facts that do not come from their formulas:
 * - a batch of B copies of one sample: with batch_reduction "mean" the gradient and its tolerance are
 *   the single sample's, with "sum" B times them (up to a few ulp of rounding);
 * - tight at float64: every tolerance ≤ 1e-9·(1 + |value|) for O(1) inputs, so a 1e-7 defect shows;
 * - positive where the value is not 0, and a float32 declaration widens every entry (≥, and by ≥ 1e6 on some).
 */
const f64 = { tensors: 'float64', coefficients: 'float64' } as const;
const f32 = { tensors: 'float32', coefficients: 'float32' } as const;
const schedule = cosineSchedule(50);
const h = parseHello(createTrainingSubject().hello);
const p = h.parameterization as Parameterization;
const lossDecl = h.ops.loss_grad as LossGradDeclaration; // hybrid, learned-range variance
const vlbDecl = h.ops.vlb_terms as VlbDeclaration;
const model = { W: [[0.5, -0.25], [0.25, 0.75], [0.05, -0.025], [0, 0.075]], b: [0.25, -0.5, 0.3, -0.2] };
const samples = [1, 2, 25, 49, 50].map((t, k) => ({ x0: [0.5 - 0.25 * k, -1 + 0.5 * k], noise: [1 - 0.5 * k, 0.25 * k - 0.5], t }));
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b)) + 1e-300;

function checkTight(e: { value: Float64Array; tolerance: Float64Array }, wide: { value: Float64Array; tolerance: Float64Array }, label: string) {
  let widest = 0;
  e.value.forEach((v, i) => {
    expect(e.tolerance[i], `${label} ${i}`).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(v)));
    if (v !== 0) expect(e.tolerance[i], `${label} ${i}`).toBeGreaterThan(0);
    expect(wide.tolerance[i], `${label} ${i}`).toBeGreaterThanOrEqual(e.tolerance[i]);
    if (e.tolerance[i] > 0) widest = Math.max(widest, wide.tolerance[i] / e.tolerance[i]);
  });
  expect(widest, label).toBeGreaterThan(1e6);
}

describe('expectedLossGrad', () => {
  for (const s of samples) {
    it(`t = ${s.t}: B = 3 copies — mean equals one sample, sum equals three times it (value and tolerance)`, () => {
      const one = expectedLossGrad(schedule, { ...lossDecl, batch_reduction: 'sum' }, p, model, [s], f64);
      const mean = expectedLossGrad(schedule, { ...lossDecl, batch_reduction: 'mean' }, p, model, [s, s, s], f64);
      const sum = expectedLossGrad(schedule, { ...lossDecl, batch_reduction: 'sum' }, p, model, [s, s, s], f64);
      for (const part of ['W', 'b'] as const) {
        one[part].value.forEach((v, i) => {
          expect(close(mean[part].value[i], v), `${part} ${i}`).toBe(true);
          expect(close(sum[part].value[i], 3 * v), `${part} ${i}`).toBe(true);
          // The coefficient-spread term is a difference of gradients: each copy's may carry a few ulp of its value.
          const slack = 3 * 4 * Number.EPSILON * Math.abs(v);
          expect(Math.abs(mean[part].tolerance[i] - one[part].tolerance[i]), `${part} tol ${i}`).toBeLessThanOrEqual(1e-12 * one[part].tolerance[i] + slack);
          expect(Math.abs(sum[part].tolerance[i] - 3 * one[part].tolerance[i]), `${part} tol ${i}`).toBeLessThanOrEqual(1e-12 * one[part].tolerance[i] + 3 * slack);
        });
      }
      expect(Array.from(sum.losses.value)).toEqual([one.losses.value[0], one.losses.value[0], one.losses.value[0]]);
      expect(Array.from(mean.losses.tolerance)).toEqual(Array.from(sum.losses.tolerance));
    });
  }

  it('float64 tolerances tight, positive, and widened by a float32 declaration (losses, W, b)', () => {
    const a = expectedLossGrad(schedule, lossDecl, p, model, samples, f64);
    const b = expectedLossGrad(schedule, lossDecl, p, model, samples, f32);
    checkTight(a.losses, b.losses, 'loss');
    checkTight(a.W, b.W, 'W');
    checkTight(a.b, b.b, 'b');
  });
});

describe('the other training oracles: tight at float64, widened by float32', () => {
  it('vlb_terms (decoder at t = 1 and KL terms) and vlb_prior', () => {
    const rows = samples.map((s) => ({ x0: [Math.round(s.x0[0] * 127.5) / 127.5, Math.round(s.x0[1] * 127.5) / 127.5], xt: s.noise, t: s.t }));
    checkTight(expectedVlbTerms(schedule, vlbDecl, p, model, rows, f64), expectedVlbTerms(schedule, vlbDecl, p, model, rows, f32), 'vlb');
    const x0s = samples.map((s) => s.x0);
    checkTight(expectedVlbPrior(schedule, 'bits_per_dim', x0s, f64), expectedVlbPrior(schedule, 'bits_per_dim', x0s, f32), 'prior');
  });

  it('loss_input_grad: losses and ∂ℓ/∂c', () => {
    const cm = { W: [[0.5, -0.25], [0.25, 0.75]], U: [[1, -0.5, 0.25], [0.5, 0.25, -1]], b: [0.25, -0.5] };
    const rows = samples.map((s, k) => ({ ...s, c: [0.5 * k - 1, 0.25, -0.75 + 0.25 * k] }));
    const decl = { weighting: { kind: 'unit' } as LossGradDeclaration['weighting'], reduction: 'mean' as const };
    const a = expectedInputGradients(schedule, decl, p, cm, rows, f64), b = expectedInputGradients(schedule, decl, p, cm, rows, f32);
    checkTight(a.losses, b.losses, 'loss');
    a.gradients.forEach((g, n) => checkTight(g, b.gradients[n], `grad_c ${n}`));
  });

  it('sds_grad: (∂/∂μ, ∂/∂F) per draw', () => {
    const decl = h.ops.sds_grad as SdsGradDeclaration;
    const am = { W: [[0.5, -0.25], [0.25, 0.75]], b: [0.25, -0.5] };
    const draws = samples.map((s, k) => ({ xi: [0.5 - 0.25 * k, 0.75], noise: s.noise, t: s.t }));
    const a = expectedSdsGradients(schedule, decl, p, am, [0.25, -0.5], [[1, 0.5], [-0.5, 0.75]], draws, f64);
    const b = expectedSdsGradients(schedule, decl, p, am, [0.25, -0.5], [[1, 0.5], [-0.5, 0.75]], draws, f32);
    a.forEach((g, n) => {
      // the SDS weight grows like 1/σ near t = 1: tightness relative to the entry's own scale there
      g.value.forEach((v, i) => expect(g.tolerance[i]).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(v)) / schedule.level(draws[n].t).s));
      g.value.forEach((v, i) => { if (v !== 0) expect(g.tolerance[i]).toBeGreaterThan(0); expect(b[n].tolerance[i]).toBeGreaterThanOrEqual(g.tolerance[i]); });
    });
  });
});
