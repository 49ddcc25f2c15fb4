/**
 * What a correct subject must answer to the training ops, with the tolerance of each number
 * from the rounding model of its declared precisions (MATH.md §7.1; src/subject/roundingTolerance.ts).
 * Pure functions, no I/O. Internal timesteps are 1-based.
 */
import { hasVarianceHead } from '../diffusion/learnedVariance.ts';
import { lossWeight } from '../diffusion/lossWeighting.ts';
import type { Parameterization } from '../diffusion/parameterization.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { type Matrix, fromRows } from '../linalg/index.ts';
import { bounded, boundArithmetic, unitRoundoff } from '../numerics/roundingArithmetic.ts';
import { conditionalInputGradient, targetCoefficients } from '../theory/inputOptimization.ts';
import { sampleSdsGradient, sdsWeight } from '../theory/sdsGradient.ts';
import { type TrainingObjective, sampleLossGradient, varianceGradientMagnitudes } from '../theory/trainingLossGradient.ts';
import { type VlbSetting, vlbPriorTerm, vlbTerm, vlbTermRoundingBound } from '../theory/variationalBound.ts';
import { type SubjectPrecision, arithmeticDepth, coefficientSpread, effectiveUnitRoundoff, primitiveUncertainty } from './roundingTolerance.ts';
import type { ConditionalModel, HeadedModel, LossGradDeclaration, SdsGradDeclaration, VlbDeclaration } from './trainingProtocol.ts';
import type { AffineModel } from './protocol.ts';

/** An expected vector and the tolerance of each entry. */
export interface Expected {
  readonly value: Float64Array;
  readonly tolerance: Float64Array;
}

export interface Sample {
  readonly x0: ArrayLike<number>;
  readonly noise: ArrayLike<number>;
  /** Internal step. */
  readonly t: number;
}

/** The objective a loss_grad declaration describes (for the theory module). */
export function objectiveOf(decl: LossGradDeclaration, p: Parameterization): TrainingObjective {
  return {
    parameterization: p,
    weighting: decl.weighting,
    reduction: decl.reduction,
    variance: decl.variance,
    vlb: decl.hybrid ? { weight: decl.hybrid.vlb_weight, decoder: decl.hybrid.decoder, units: decl.hybrid.units, stopGradient: true } : undefined,
  };
}

/** |∂ℓ/∂f_i| and |∂ℓ/∂v_i| summed from the absolute values of their terms (for the arithmetic tolerance). */
function gradientMagnitudes(schedule: VPSchedule, s: Sample, obj: TrainingObjective, model: HeadedModel): { f: Float64Array; v: Float64Array; xt: Float64Array } {
  const d = s.x0.length;
  const { a, s: sd } = schedule.level(s.t);
  const xt = Float64Array.from(s.x0, (v, i) => a * v + sd * s.noise[i]);
  const { tx, te } = targetCoefficients(obj.parameterization, { a, s: sd });
  const lam = lossWeight(obj.weighting, a * a) / (obj.reduction === 'mean' ? d : 1);
  const f = new Float64Array(d), v = new Float64Array(d);
  const rowAbs = (i: number) => model.W[i].reduce((acc, w, j) => acc + Math.abs(w * xt[j]), Math.abs(model.b[i]));
  for (let i = 0; i < d; i++) f[i] = 2 * lam * (rowAbs(i) + Math.abs(tx * s.x0[i]) + Math.abs(te * s.noise[i]));
  // The variance head's gradient passes through exp, the CDF and its density: ≤ 64 roundings on its
  // path (4× the DDPM formulas' depth), applied to the magnitudes of its terms.
  if (obj.vlb && hasVarianceHead(obj.variance)) v.set(varianceGradientMagnitudes(schedule, s.t, obj, model, s.x0, s.noise).map((x) => 4 * x));
  return { f, v, xt };
}

/**
 * loss_grad: the per-sample losses and the gradient of their batch mean (or sum) with respect to
 * (W, b), flattened as [losses…, W row-major…, b…].
 */
export function expectedLossGrad(
  schedule: VPSchedule, decl: LossGradDeclaration, p: Parameterization, model: HeadedModel, samples: readonly Sample[], precision: SubjectPrecision,
): { losses: Expected; W: Expected; b: Expected } {
  const obj = objectiveOf(decl, p);
  const B = samples.length, d = samples[0].x0.length;
  const k = decl.batch_reduction === 'mean' ? 1 / B : 1;
  const per = (sch: VPSchedule, s: Sample) => {
    const g = sampleLossGradient(sch, s.t, obj, model, s.x0, s.noise);
    return Float64Array.from([g.loss, ...Array.from(g.W, (v) => k * v), ...Array.from(g.b, (v) => k * v)]);
  };
  const rows = model.W.length;
  const n = 1 + rows * d + rows;
  const total = new Float64Array(n), tol = new Float64Array(n);
  const lossValue = new Float64Array(B), lossTol = new Float64Array(B);
  const ku = arithmeticDepth(d) * effectiveUnitRoundoff(precision);
  samples.forEach((s, idx) => {
    const v = per(schedule, s);
    const spread = coefficientSpread(schedule, s.t, precision.coefficients, (sch) => per(sch, s));
    const mag = gradientMagnitudes(schedule, s, obj, model);
    lossValue[idx] = v[0];
    // The hybrid's bound term λ_vlb·L_t carries its own rounding (a KL of O(1) terms that cancel when the
    // model's mean and variance are near the posterior's): its bound, as for vlb_terms.
    const vlbTol = obj.vlb ? obj.vlb.weight * vlbTermTolerance(schedule, s.t, { parameterization: p, variance: obj.variance, decoder: obj.vlb.decoder, units: obj.vlb.units }, model, s.x0, mag.xt, precision) : 0;
    lossTol[idx] = spread[0] + ku * (Math.abs(v[0]) + mag.f.reduce((acc, x) => acc + x * x, 0) / 4) + vlbTol;
    for (let i = 1; i < n; i++) {
      total[i] += v[i];
      const r = i - 1 < rows * d ? Math.floor((i - 1) / d) : i - 1 - rows * d;
      const x = i - 1 < rows * d ? Math.abs(mag.xt[(i - 1) % d]) : 1;
      const m = r < d ? mag.f[r] : mag.v[r - d];
      tol[i] += spread[i] + ku * k * m * x;
    }
  });
  return {
    losses: { value: lossValue, tolerance: lossTol },
    W: { value: total.slice(1, 1 + rows * d), tolerance: tol.slice(1, 1 + rows * d) },
    b: { value: total.slice(1 + rows * d), tolerance: tol.slice(1 + rows * d) },
  };
}

/** The bound's setting a vlb declaration describes. */
export function vlbSettingOf(decl: VlbDeclaration, p: Parameterization): VlbSetting {
  return { parameterization: p, variance: decl.variance, decoder: decl.decoder, units: decl.units };
}

/**
 * The rounding bound of one bound term L_t as the subject computes it (its tensor and coefficient precisions,
 * the coarser of them for the arithmetic) plus scorecheck's own float64 evaluation of it (MATH.md §7.1).
 */
function vlbTermTolerance(schedule: VPSchedule, t: number, setting: VlbSetting, model: HeadedModel, x0: ArrayLike<number>, xt: ArrayLike<number>, precision: SubjectPrecision): number {
  const coarse = unitRoundoff(precision.tensors) >= unitRoundoff(precision.coefficients) ? precision.tensors : precision.coefficients;
  const errOf = (which: 'abPrev' | 'ab' | 'beta', step: number) => {
    const du = primitiveUncertainty(schedule, step, precision.coefficients);
    return which === 'abPrev' ? du.alphaBarPrev : which === 'ab' ? du.alphaBar : du.beta;
  };
  return vlbTermRoundingBound(schedule, t, setting, model, x0, xt, coarse, errOf) + vlbTermRoundingBound(schedule, t, setting, model, x0, xt, 'float64', () => 0);
}

/** vlb_terms: each sample's term at its step, with the subject's rounding bound plus scorecheck's own. */
export function expectedVlbTerms(
  schedule: VPSchedule, decl: VlbDeclaration, p: Parameterization, model: HeadedModel, rows: readonly { x0: ArrayLike<number>; xt: ArrayLike<number>; t: number }[], precision: SubjectPrecision,
): Expected {
  const setting = vlbSettingOf(decl, p);
  const value = Float64Array.from(rows, (r) => vlbTerm(schedule, r.t, setting, model, r.x0, r.xt));
  const tolerance = Float64Array.from(rows, (r) => vlbTermTolerance(schedule, r.t, setting, model, r.x0, r.xt, precision));
  return { value, tolerance };
}

/** vlb_prior: KL(q(x_T|x_0) ‖ N(0, I)) per sample, with its rounding bound (ᾱ_T within u·ᾱ_T). */
export function expectedVlbPrior(schedule: VPSchedule, units: VlbDeclaration['units'], x0s: readonly ArrayLike<number>[], precision: SubjectPrecision): Expected {
  const abT = schedule.alphaBar(schedule.T);
  const coarse = unitRoundoff(precision.tensors) >= unitRoundoff(precision.coefficients) ? precision.tensors : precision.coefficients;
  const value = Float64Array.from(x0s, (x) => vlbPriorTerm(boundArithmetic('float64'), bounded(abT, 0), x, units).v);
  const tolerance = Float64Array.from(x0s, (x) => vlbPriorTerm(boundArithmetic(coarse), bounded(abT, unitRoundoff(precision.coefficients) * abT), x, units).e + vlbPriorTerm(boundArithmetic('float64'), bounded(abT, 0), x, units).e);
  return { value, tolerance };
}

function matrixOf(rows: readonly (readonly number[])[], field: string): Matrix {
  return fromRows(rows as number[][], field);
}

/** loss_input_grad: ∂ℓ_n/∂c_n for each sample (the per-sample loss's gradient; a batch mean divides by B). */
export function expectedInputGradients(
  schedule: VPSchedule, decl: { weighting: LossGradDeclaration['weighting']; reduction: 'mean' | 'sum' }, p: Parameterization, model: ConditionalModel,
  rows: readonly (Sample & { c: ArrayLike<number> })[], precision: SubjectPrecision,
): { losses: Expected; gradients: Expected[] } {
  const d = rows[0].x0.length, k = rows[0].c.length;
  const loss = { network: { W: matrixOf(model.W, 'model.W'), U: matrixOf(model.U, 'model.U'), b: model.b }, parameterization: p, weighting: decl.weighting, reduction: decl.reduction };
  const ku = arithmeticDepth(d + k) * effectiveUnitRoundoff(precision);
  const gradAt = (sch: VPSchedule, r: Sample & { c: ArrayLike<number> }) => conditionalInputGradient(loss, sch.level(r.t), r.x0, r.noise, r.c);
  const lossAt = (sch: VPSchedule, r: Sample & { c: ArrayLike<number> }) => {
    const { a, s } = sch.level(r.t);
    const { tx, te } = targetCoefficients(p, { a, s });
    const lam = lossWeight(decl.weighting, a * a) / (decl.reduction === 'mean' ? d : 1);
    let loss = 0, mag = 0;
    for (let i = 0; i < d; i++) {
      let f = model.b[i], fa = Math.abs(model.b[i]);
      for (let j = 0; j < d; j++) { const xt = a * r.x0[j] + s * r.noise[j]; f += model.W[i][j] * xt; fa += Math.abs(model.W[i][j] * xt); }
      for (let j = 0; j < k; j++) { f += model.U[i][j] * r.c[j]; fa += Math.abs(model.U[i][j] * r.c[j]); }
      const tgt = tx * r.x0[i] + te * r.noise[i];
      loss += lam * (f - tgt) ** 2;
      mag += lam * (fa + Math.abs(tgt)) ** 2;
    }
    return { loss, mag, lam };
  };
  const losses = { value: new Float64Array(rows.length), tolerance: new Float64Array(rows.length) };
  const gradients = rows.map((r, n) => {
    const g = gradAt(schedule, r);
    const l = lossAt(schedule, r);
    losses.value[n] = l.loss;
    losses.tolerance[n] = coefficientSpread(schedule, r.t, precision.coefficients, (sch) => [lossAt(sch, r).loss])[0] + ku * l.mag;
    const spread = coefficientSpread(schedule, r.t, precision.coefficients, (sch) => gradAt(sch, r));
    // |∂ℓ/∂c_j| ≤ 2λ Σ_i |U_ij| (|f_i|_abs + |target_i|)
    const tol = Float64Array.from(g, (_, j) => spread[j] + ku * 2 * l.lam * model.U.reduce((acc, row) => acc + Math.abs(row[j]), 0) * Math.sqrt(l.mag / Math.max(l.lam, Number.MIN_VALUE)));
    return { value: g, tolerance: tol };
  });
  return { losses, gradients };
}

/** sds_grad: each draw's (∂/∂μ, ∂/∂F) flattened as [μ…, F row-major…]. */
export function expectedSdsGradients(
  schedule: VPSchedule, decl: SdsGradDeclaration, p: Parameterization, model: AffineModel, mu: ArrayLike<number>, F: readonly (readonly number[])[],
  draws: readonly { xi: ArrayLike<number>; noise: ArrayLike<number>; t: number }[], precision: SubjectPrecision,
): Expected[] {
  const d = mu.length;
  const net = { W: matrixOf(model.W, 'model.W'), b: model.b };
  const Fm = matrixOf(F, 'F');
  const set = { parameterization: p, gradient: decl.gradient, weighting: decl.weighting, reduction: decl.reduction };
  const ku = arithmeticDepth(2 * d) * effectiveUnitRoundoff(precision);
  return draws.map((r) => {
    const at = (sch: VPSchedule) => {
      const g = sampleSdsGradient(set, net, sch.level(r.t), mu, Fm, r.xi, r.noise);
      return Float64Array.from([...g.mu, ...g.F]);
    };
    const value = at(schedule);
    const spread = coefficientSpread(schedule, r.t, precision.coefficients, at);
    // magnitude of g_{x_0}: the weight times the sizes of the network output and the noise, and |x_0| in the Jacobian form.
    const { a, s } = schedule.level(r.t);
    const x0 = Array.from(mu, (m, i) => Math.abs(m) + F[i].reduce((acc, v, j) => acc + Math.abs(v * r.xi[j]), 0));
    const xt = x0.map((v, i) => a * v + s * Math.abs(r.noise[i]));
    const fAbs = model.W.map((row, i) => row.reduce((acc, w, j) => acc + Math.abs(w) * xt[j], Math.abs(model.b[i])));
    const w = sdsWeight(decl.weighting, a * a);
    const scale = (fAbs.reduce((acc, v) => acc + v, 0) / s + xt.reduce((acc, v) => acc + v, 0) / s + r.noise.length) * (2 * w + 1) * (1 + Math.max(...model.W.flat().map(Math.abs)));
    const tol = Float64Array.from(value, (_, i) => spread[i] + ku * scale * (i < d ? 1 : Math.abs(r.xi[(i - d) % d]) + 1));
    return { value, tolerance: tol };
  });
}
