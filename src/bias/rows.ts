import type { VPSchedule } from '../diffusion/schedule.ts';
import { NonFiniteError } from '../errors.ts';
import type { EffectiveSpectrum } from './posterior.ts';

/** One timestep of the bias calculator, in score units (MATH.md §2, §2.1). */
export interface BiasRow {
  readonly t: number;
  readonly alphaBar: number;
  /** Signal scale a_t = √ᾱ_t and noise s_t = √(1−ᾱ_t). */
  readonly a: number;
  readonly s: number;
  /** E‖∇log q(x_t|x_0)‖² = d/s². */
  readonly conditionalScoreNorm: number;
  /** Vincent's constant C_t = d/s² − tr(Σ_t⁻¹) = Σ_i a²λ_i/(s²(a²λ_i + s²)) (Theorem 1). */
  readonly Ct: number;
  /**
   * Input-bias term E_c E_{x_t|c}‖∇log q(x_t|c)‖² = tr((a²Σ_{x|c} + s²I)⁻¹) = Σ_j 1/(a²μ_j + s²),
   * μ_j the eigenvalues of Σ_{x|c} (Theorem 2); without an encoder Σ_{x|c} = Σ.
   */
  readonly inputBiasTerm: number;
  /** DSM − ESM = d/s² − inputBiasTerm = Σ_j a²μ_j/(s²(a²μ_j + s²)) (= C_t without an encoder). */
  readonly inputBiasGap: number;
  /** SDS collapse (Corollary), target = the data N(μ, Σ), frozen exact score. */
  readonly sds: SdsCollapse;
}

export interface SdsCollapse {
  /** DSM-optimal input variance: 0 — the point mass at μ (collapse), for every t. */
  readonly dsmOptimalVariance: 0;
  /** ESM-optimal input variance: the target's, tr(Σ)/d per dimension. */
  readonly esmOptimalVariance: number;
  /** DSM at the collapse (its infimum) = Σ_i (a²λ_i)²/(s²(a²λ_i + s²)²), and at the target (= C_t). */
  readonly dsmAtCollapse: number;
  readonly dsmAtTarget: number;
  /** ESM (Fisher divergence) at the collapse (= DSM there: a point mass has no DSM − ESM gap); 0 at the target. */
  readonly esmAtCollapse: number;
  /** DSM(target) − DSM(collapse) = a² tr(P*²Σ) = Σ_i a²λ_i/(a²λ_i + s²)² > 0: how much DSM prefers the collapse. */
  readonly collapseAdvantage: number;
  /** E‖∇log q_φ,t‖² of the noised input: d/s² at the collapse, tr(Σ_t⁻¹) at the target. */
  readonly scoreNormAtCollapse: number;
  readonly scoreNormAtTarget: number;
}

/** The four spectral sums of one timestep (MATH.md §2.1), over an effective spectrum. */
export interface SpectralSums {
  /** tr((a²S + s²I)⁻¹) = Σ 1/(a²λ + s²). */
  readonly traceInverse: number;
  /** d/s² − traceInverse = Σ a²λ/(s²(a²λ + s²)) (no cancellation). */
  readonly gap: number;
  /** Σ (a²λ)²/(s²(a²λ + s²)²). */
  readonly collapse: number;
  /** Σ a²λ/(a²λ + s²)². */
  readonly advantage: number;
}

/** O(m) per call: every term is a function of a²λ_i + s² (MATH.md §2.1). */
export function spectralSums(sp: EffectiveSpectrum, a2: number, s2: number): SpectralSums {
  let tr = 0, gap = 0, col = 0, adv = 0;
  const v = sp.values;
  const inv2 = 1 / s2;
  for (let i = 0; i < v.length; i++) {
    const x = a2 * v[i];
    const q = 1 / (x + s2);
    const r = x * q; // a²λ/(a²λ + s²) ∈ [0, 1)
    tr += q;
    gap += r;
    col += r * r;
    adv += r * q;
  }
  if (sp.restCount > 0) {
    const x = a2 * sp.restValue;
    const q = 1 / (x + s2);
    const r = x * q;
    tr += sp.restCount * q;
    gap += sp.restCount * r;
    col += sp.restCount * r * r;
    adv += sp.restCount * r * q;
  }
  return { traceInverse: tr, gap: gap * inv2, collapse: col * inv2, advantage: adv };
}

/**
 * The table at the given timesteps, O(m) per timestep after the (one-off)
 * eigendecompositions: `data` is the spectrum of Σ (+εI), `posterior` that of Σ_{x|c}
 * (the same as `data` without an encoder).
 */
export function spectralBiasRows(data: EffectiveSpectrum, posterior: EffectiveSpectrum, d: number, schedule: VPSchedule, timesteps: readonly number[]): BiasRow[] {
  let trace = data.restCount * data.restValue;
  for (const v of data.values) trace += v;
  const sameSpectrum = posterior === data;
  return timesteps.map((t) => {
    const alphaBar = schedule.alphaBar(t);
    const { a, s } = schedule.level(t);
    const a2 = a * a, s2 = s * s;
    const dOverS2 = d / s2;
    const x = spectralSums(data, a2, s2);
    const p = sameSpectrum ? x : spectralSums(posterior, a2, s2);
    const row: BiasRow = {
      t,
      alphaBar,
      a,
      s,
      conditionalScoreNorm: dOverS2,
      Ct: x.gap,
      inputBiasTerm: p.traceInverse,
      inputBiasGap: p.gap,
      sds: {
        dsmOptimalVariance: 0,
        esmOptimalVariance: trace / d,
        dsmAtCollapse: x.collapse,
        dsmAtTarget: x.gap,
        esmAtCollapse: x.collapse,
        collapseAdvantage: x.advantage,
        scoreNormAtCollapse: dOverS2,
        scoreNormAtTarget: x.traceInverse,
      },
    };
    requireFiniteRow(row);
    return row;
  });
}

/** Nothing silently NaN: a non-finite entry names the timestep and the column. */
export function requireFiniteRow(r: BiasRow): void {
  const check = (name: string, v: number) => {
    if (!Number.isFinite(v)) throw new NonFiniteError(`bias row t = ${r.t}: ${name}`, v);
  };
  check('alphaBar', r.alphaBar);
  check('s', r.s);
  check('conditionalScoreNorm', r.conditionalScoreNorm);
  check('Ct', r.Ct);
  check('inputBiasTerm', r.inputBiasTerm);
  check('inputBiasGap', r.inputBiasGap);
  for (const [k, v] of Object.entries(r.sds)) check(`sds.${k}`, v);
}
