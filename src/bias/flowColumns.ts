import { InvalidArgumentError, NonFiniteError } from '../errors.ts';
import { integrateVector } from '../numerics/gaussKronrod.ts';
import { type FlowCoefficients, type FlowPathSpec, conditionalTargetVariance, flowCoefficients, requireFlowPath } from '../theory/flowPath.ts';
import { type FlowTimeLaw, flowTimeAtoms, flowTimeQuantile, requireFlowTimeLaw } from '../theory/flowTimeLaw.ts';
import { type FlowLossWeighting, type FlowQuantity, flowLossWeight, outputConversion } from '../theory/flowTrainingLoss.ts';
import { velocityScoreCoefficients } from '../theory/flowScoreLink.ts';
import type { EffectiveSpectrum } from './posterior.ts';

/*
 * The flow-matching columns of the bias calculator (MATH.md §19.9): the quantities of §2.1 for a
 * flow-matching objective, per time t of the declared path and as totals under the training time law,
 * all O(rank) per time from the spectra the calculator already has. Per eigenvalue λ (Var_λ =
 * conditionalTargetVariance, flowPath.ts), in velocity units:
 *   C_t  = Σ Var_λᵢ(u | x_t)                         CFM − FM when θ is trained (θ-independent)
 *   G_t  = Σ Var_μⱼ(u | x_t, c)                      CFM − FM when the encoder is optimized (μ_j: Σ_{x|c})
 *   C_t − G_t = E‖v*_t(x_t|c)‖² − E‖v*_t(x_t)‖²       the velocity-norm gain CFM rewards beyond FM
 * and, for optimizing the data distribution against the frozen exact velocity (Xu 2025's Corollary for
 * flow matching; §19.8), with A_λ = (ȧaλ + ṡs + ṙr)/(a²λ + s² + r²) the marginal velocity's slope:
 *   CFM(ν) per direction = (A_λa − ȧ)²ν + (A_λs − ṡ)² + (A_λr − ṙ)²   (linear, increasing in the input variance ν)
 *   at the collapse (ν = 0), at the target (ν = λ, = Var_λ), and the advantage (A_λa − ȧ)²λ.
 * Totals E_t[w(σ_t)·κ_t²·Q_t] under the law (κ_t converts velocity units to the regressed target's):
 * a sum over a table's atoms, or ∫₀¹ g(quantile(p)) dp by adaptive Gauss–Kronrod, reported as
 * diverging when the weight is not integrable (e.g. σ⁻² with mass at σ = 0).
 */
export interface FlowBiasSetting {
  readonly path: FlowPathSpec;
  /** Times of the table. */
  readonly times: readonly number[];
  /** The training time law of the totals. */
  readonly law: FlowTimeLaw;
  readonly weighting: FlowLossWeighting;
  /** The regressed quantity (its units for the totals). */
  readonly target: FlowQuantity;
}

export const DEFAULT_FLOW_TIMES: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

export interface FlowBiasRow {
  readonly t: number;
  readonly a: number;
  readonly s: number;
  readonly r: number;
  /** CFM − FM, θ trained. */
  readonly constant: number;
  /** CFM − FM, the encoder optimized (= constant without an encoder). */
  readonly inputBiasGap: number;
  /** constant − gap: the conditional velocity-norm gain E‖v*(x_t|c)‖² − E‖v*(x_t)‖². */
  readonly velocityNormGain: number;
  readonly distillation: {
    readonly cfmAtCollapse: number;
    readonly cfmAtTarget: number;
    readonly fmAtCollapse: number;
    readonly collapseAdvantage: number;
  };
  /** β_t² (CFM_t = β_t²·DSM_t at the level (a, √(s² + r²)) when r = 0); null where a = 0. */
  readonly scoreLinkFactor: number | null;
}

export interface FlowTotal {
  readonly value: number;
  /** Quadrature error estimate (0 for a table). */
  readonly error: number;
  /** false: the integral does not converge (a weight that is not integrable under the law). */
  readonly converged: boolean;
}

export interface FlowBiasResult {
  readonly setting: FlowBiasSetting;
  readonly rows: readonly FlowBiasRow[];
  readonly totals: {
    readonly constant: FlowTotal;
    readonly inputBiasGap: FlowTotal;
    readonly velocityNormGain: FlowTotal;
    readonly cfmAtCollapse: FlowTotal;
    readonly collapseAdvantage: FlowTotal;
  };
}

export function requireFlowBiasSetting(s: FlowBiasSetting, field = 'flow'): FlowBiasSetting {
  requireFlowPath(s.path, `${field}.path`);
  requireFlowTimeLaw(s.law, `${field}.time_law`);
  if (s.times.length === 0) throw new InvalidArgumentError(`${field}.times`, s.times, 'must not be empty');
  s.times.forEach((t, i) => {
    if (!(Number.isFinite(t) && t >= 0 && t <= 1)) throw new InvalidArgumentError(`${field}.times[${i}]`, t, 'must lie in [0, 1]');
  });
  if (s.path.kind === 'icfm' && s.target !== 'velocity') throw new InvalidArgumentError(`${field}.target`, s.target, 'the icfm path (extra noise) has velocity targets only');
  return s;
}

/** Σ over an effective spectrum (explicit values and restCount copies of restValue). */
function spectralSum(sp: EffectiveSpectrum, f: (lambda: number) => number): number {
  let acc = 0;
  for (let i = 0; i < sp.values.length; i++) acc += f(sp.values[i]);
  if (sp.restCount > 0) acc += sp.restCount * f(sp.restValue);
  return acc;
}

/** The distillation terms of one eigen-direction (target variance λ, input variance ν ∈ {0, λ}). */
function distillationTerms(co: FlowCoefficients, lambda: number): { collapse: number; advantage: number } {
  const S = co.a * co.a * lambda + co.s * co.s + co.r * co.r;
  const A = S === 0 ? 0 : (co.da * co.a * lambda + co.ds * co.s + co.dr * co.r) / S;
  const ka = A * co.a - co.da, ks = A * co.s - co.ds, kr = A * co.r - co.dr;
  return { collapse: ks * ks + kr * kr, advantage: ka * ka * lambda };
}

export function flowBiasRow(data: EffectiveSpectrum, posterior: EffectiveSpectrum, path: FlowPathSpec, t: number): FlowBiasRow {
  const co = flowCoefficients(path, t);
  const constant = spectralSum(data, (l) => conditionalTargetVariance(co, l));
  const gap = posterior === data ? constant : spectralSum(posterior, (l) => conditionalTargetVariance(co, l));
  const collapse = spectralSum(data, (l) => distillationTerms(co, l).collapse);
  const advantage = spectralSum(data, (l) => distillationTerms(co, l).advantage);
  let beta2: number | null = null;
  if (co.a !== 0) beta2 = velocityScoreCoefficients(co).beta ** 2;
  const row: FlowBiasRow = {
    t, a: co.a, s: co.s, r: co.r,
    constant, inputBiasGap: gap, velocityNormGain: constant - gap,
    distillation: { cfmAtCollapse: collapse, cfmAtTarget: constant, fmAtCollapse: collapse - spectralSum(data, () => conditionalTargetVariance(co, 0)), collapseAdvantage: advantage },
    scoreLinkFactor: beta2,
  };
  for (const [k, v] of Object.entries({ constant, gap, collapse, advantage })) if (!Number.isFinite(v)) throw new NonFiniteError(`flow bias row t = ${t}: ${k}`, v);
  return row;
}

/** w(σ_t)·κ_t²: the loss weight in the regressed quantity's units per unit of velocity error. */
function unitWeight(s: FlowBiasSetting, co: FlowCoefficients): number {
  const kappa = s.target === 'velocity' ? 1 : outputConversion('velocity', s.target, co).kappa;
  return flowLossWeight(s.weighting, co.s) * kappa * kappa;
}

/** The table and the totals (MATH.md §19.9). */
export function flowBias(data: EffectiveSpectrum, posterior: EffectiveSpectrum, setting: FlowBiasSetting): FlowBiasResult {
  requireFlowBiasSetting(setting);
  const rows = setting.times.map((t) => flowBiasRow(data, posterior, setting.path, t));
  const quantities = (t: number): number[] => {
    const co = flowCoefficients(setting.path, t);
    const w = unitWeight(setting, co);
    const r = flowBiasRow(data, posterior, setting.path, t);
    return [w * r.constant, w * r.inputBiasGap, w * r.velocityNormGain, w * r.distillation.cfmAtCollapse, w * r.distillation.collapseAdvantage];
  };
  let totals: number[], errors: number[], converged: boolean;
  if (setting.law.discretization) {
    const { values, probabilities } = flowTimeAtoms(setting.law);
    totals = [0, 0, 0, 0, 0];
    values.forEach((t, k) => {
      if (probabilities[k] === 0) return;
      quantities(t).forEach((q, i) => (totals[i] += probabilities[k] * q));
    });
    errors = [0, 0, 0, 0, 0];
    converged = totals.every(Number.isFinite);
  } else {
    const r = integrateVector((p) => quantities(flowTimeQuantile(setting.law, p)), 0, 1, 5, { relTol: 1e-8, absTol: 1e-14, maxIntervals: 400 });
    totals = Array.from(r.value);
    errors = Array.from(r.error);
    converged = r.converged && totals.every(Number.isFinite);
  }
  const tot = (i: number): FlowTotal => ({ value: totals[i], error: errors[i], converged });
  return { setting, rows, totals: { constant: tot(0), inputBiasGap: tot(1), velocityNormGain: tot(2), cfmAtCollapse: tot(3), collapseAdvantage: tot(4) } };
}
