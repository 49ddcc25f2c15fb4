import type { Parameterization } from '../diffusion/parameterization.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteError } from '../errors.ts';
import type { EffectiveSpectrum } from './posterior.ts';
import { spectralSums } from './rows.ts';

/**
 * What the network predicts (MATH.md §1, §2.1). The DSM and ESM losses of every
 * parameterization are the score-unit losses times one factor f_t, because each output
 * is an affine function of the score with slope depending only on t:
 *   score 1;  ε̂ = −sŝ: s²;  x̂₀ = (x + s²ŝ)/a: s⁴/a²;  v̂ = aε̂ − sx̂₀: s²(a² + s²)²/a² (= s²/a² for VP).
 */
export type { Parameterization };
export const PARAMETERIZATIONS: readonly Parameterization[] = ['eps', 'x0', 'v', 'score'];

/** f_t: the loss in this parameterization = f_t × the loss in score units. */
export function unitFactor(p: Parameterization, a: number, s: number): number {
  const a2 = a * a, s2 = s * s;
  switch (p) {
    case 'score': return 1;
    case 'eps': return s2;
    case 'x0': return (s2 * s2) / a2;
    case 'v': return (s2 * (a2 + s2) * (a2 + s2)) / a2;
  }
}

/**
 * λ_t, the weight of timestep t in the training objective Σ_t λ_t L_t (L_t in the stated
 * parameterization):
 * - `uniform`: λ_t = 1 (DDPM's L_simple with ε);
 * - `snr`: λ_t = SNR_t = a²/s²;
 * - `{ minSnr: γ }` (Min-SNR-γ, Hang et al. 2023): the objective Σ_t min(SNR_t, γ)·‖x̂₀ − x₀‖²,
 *   whatever the parameterization: λ_t = min(SNR, γ)/SNR for ε, min(SNR, γ) for x₀,
 *   min(SNR, γ)/(SNR + 1) for v (VP), min(SNR, γ)·s⁴/a² for the score;
 * - an explicit list of T numbers ≥ 0.
 */
export type TimestepWeights = 'uniform' | 'snr' | { readonly minSnr: number } | ArrayLike<number>;

export interface BiasWeighting {
  readonly parameterization: Parameterization;
  readonly weights: TimestepWeights;
}

export const DEFAULT_WEIGHTING: BiasWeighting = { parameterization: 'eps', weights: 'uniform' };

export function requireWeighting(w: BiasWeighting, T: number, field = 'weighting'): BiasWeighting {
  if (!PARAMETERIZATIONS.includes(w.parameterization)) throw new InvalidArgumentError(`${field}.parameterization`, w.parameterization, `must be one of ${PARAMETERIZATIONS.join(', ')}`);
  const ws = w.weights;
  if (ws === 'uniform' || ws === 'snr') return w;
  if (typeof ws === 'object' && ws !== null && 'minSnr' in ws) {
    if (!(Number.isFinite(ws.minSnr) && ws.minSnr > 0)) throw new InvalidArgumentError(`${field}.weights.minSnr`, ws.minSnr, 'must be a finite number > 0');
    return w;
  }
  if (typeof ws === 'object' && ws !== null && typeof (ws as ArrayLike<number>).length === 'number') {
    const arr = ws as ArrayLike<number>;
    if (arr.length !== T) throw new DimensionMismatchError(`${field}.weights`, `${T} (one per timestep)`, arr.length);
    let any = false;
    for (let i = 0; i < arr.length; i++) {
      if (!(Number.isFinite(arr[i]) && arr[i] >= 0)) throw new InvalidArgumentError(`${field}.weights[${i}]`, arr[i], 'must be a finite number ≥ 0');
      if (arr[i] > 0) any = true;
    }
    if (!any) throw new InvalidArgumentError(`${field}.weights`, 'all zero', 'at least one weight must be > 0');
    return w;
  }
  throw new InvalidArgumentError(`${field}.weights`, ws, 'must be "uniform", "snr", { "minSnr": γ } or a list of T numbers');
}

/** λ_t for timestep t (1-based). */
export function timestepWeight(w: BiasWeighting, t: number, a: number, s: number): number {
  const ws = w.weights;
  if (ws === 'uniform') return 1;
  const snr = (a * a) / (s * s);
  if (ws === 'snr') return snr;
  if (typeof ws === 'object' && 'minSnr' in ws) {
    const m = Math.min(snr, ws.minSnr);
    return (m * unitFactor('x0', a, s)) / unitFactor(w.parameterization, a, s);
  }
  return (ws as ArrayLike<number>)[t - 1];
}

/** One weighted total: Σ_t λ_t f_t Q_t over t = 1..T, and that divided by T (the loss with t uniform). */
export interface WeightedTotal {
  readonly sum: number;
  readonly perStep: number;
}

/** Σ_t λ_t f_t × each quantity (MATH.md §2.1), in the parameterization's units. */
export interface BiasTotals {
  readonly weighting: { readonly parameterization: Parameterization; readonly weights: string };
  /** Σ_t λ_t and Σ_t λ_t f_t. */
  readonly weightSum: number;
  readonly weightedUnitSum: number;
  readonly Ct: WeightedTotal;
  readonly inputBiasTerm: WeightedTotal;
  readonly inputBiasGap: WeightedTotal;
  readonly conditionalScoreNorm: WeightedTotal;
  readonly sds: {
    readonly dsmAtCollapse: WeightedTotal;
    readonly dsmAtTarget: WeightedTotal;
    readonly collapseAdvantage: WeightedTotal;
  };
}

export function describeWeights(ws: TimestepWeights): string {
  if (ws === 'uniform' || ws === 'snr') return ws;
  if (typeof ws === 'object' && 'minSnr' in ws) return `min-snr-${ws.minSnr}`;
  return `explicit (${(ws as ArrayLike<number>).length} values)`;
}

/** The weighted totals over every timestep 1..T of the schedule, O(T·m). */
export function biasTotals(data: EffectiveSpectrum, posterior: EffectiveSpectrum, d: number, schedule: VPSchedule, weighting: BiasWeighting): BiasTotals {
  requireWeighting(weighting, schedule.T);
  let wSum = 0, wfSum = 0;
  const acc = { Ct: 0, term: 0, gap: 0, cond: 0, coll: 0, adv: 0 };
  for (let t = 1; t <= schedule.T; t++) {
    const { a, s } = schedule.level(t);
    const w = timestepWeight(weighting, t, a, s);
    if (w === 0) continue;
    const f = unitFactor(weighting.parameterization, a, s);
    const wf = w * f;
    if (!Number.isFinite(wf)) throw new NonFiniteError(`weighting at t = ${t} (λ_t·f_t, ${weighting.parameterization})`, wf);
    const a2 = a * a, s2 = s * s;
    const x = spectralSums(data, a2, s2);
    const p = posterior === data ? x : spectralSums(posterior, a2, s2);
    wSum += w;
    wfSum += wf;
    acc.Ct += wf * x.gap;
    acc.term += wf * p.traceInverse;
    acc.gap += wf * p.gap;
    acc.cond += wf * (d / s2);
    acc.coll += wf * x.collapse;
    acc.adv += wf * x.advantage;
  }
  const T = schedule.T;
  const tot = (sum: number): WeightedTotal => {
    if (!Number.isFinite(sum)) throw new NonFiniteError('weighted total', sum);
    return { sum, perStep: sum / T };
  };
  return {
    weighting: { parameterization: weighting.parameterization, weights: describeWeights(weighting.weights) },
    weightSum: wSum,
    weightedUnitSum: wfSum,
    Ct: tot(acc.Ct),
    inputBiasTerm: tot(acc.term),
    inputBiasGap: tot(acc.gap),
    conditionalScoreNorm: tot(acc.cond),
    sds: { dsmAtCollapse: tot(acc.coll), dsmAtTarget: tot(acc.Ct), collapseAdvantage: tot(acc.adv) },
  };
}
