import { zeros } from '../../linalg/index.ts';
import { conditionalScoreNormTerm, inputBiasGap, linearEncoderPosteriorCovariance } from '../../theory/inputBias.ts';
import { sdsDsm, sdsEsm } from '../../theory/sds.ts';
import { vincentConstant } from '../../theory/vincent.ts';
import type { BiasSetting } from './biasSpec.ts';

/** One timestep of the bias calculator (MATH.md §2). */
export interface BiasRow {
  readonly t: number;
  readonly alphaBar: number;
  /** Signal scale a_t = √ᾱ_t and noise s_t = √(1−ᾱ_t). */
  readonly a: number;
  readonly s: number;
  /** E‖∇log q(x_t|x_0)‖² = d/s². */
  readonly conditionalScoreNorm: number;
  /** Vincent's constant C_t = d/s² − tr(Σ_t⁻¹), Σ_t = a²Σ + s²I (Theorem 1). */
  readonly Ct: number;
  /**
   * Input-bias term E_c E_{x_t|c}‖∇log q(x_t|c)‖² = tr((a²Σ_{x|c} + s²I)⁻¹) (Theorem 2);
   * without an encoder c carries no information: Σ_{x|c} = Σ and the term is tr(Σ_t⁻¹).
   */
  readonly inputBiasTerm: number;
  /** DSM − ESM = d/s² − inputBiasTerm (= C_t without an encoder). */
  readonly inputBiasGap: number;
  /** SDS collapse (Corollary), target = the data N(μ, Σ), frozen exact score. */
  readonly sds: SdsCollapse;
}

export interface SdsCollapse {
  /** DSM-optimal input variance: 0 — the point mass at μ (collapse), for every t. */
  readonly dsmOptimalVariance: 0;
  /** ESM-optimal input variance: the target's, tr(Σ)/d per dimension. */
  readonly esmOptimalVariance: number;
  /** DSM at the collapse (its infimum) and at the target. */
  readonly dsmAtCollapse: number;
  readonly dsmAtTarget: number;
  /** ESM (Fisher divergence) at the collapse; 0 at the target. */
  readonly esmAtCollapse: number;
  /** E‖∇log q_φ,t‖² of the noised input: d/s² at the collapse, tr(Σ_t⁻¹) at the target. */
  readonly scoreNormAtCollapse: number;
  readonly scoreNormAtTarget: number;
}

/** The per-timestep table for a setting, from the closed forms of src/theory. */
export function biasRows(setting: BiasSetting): BiasRow[] {
  const { data, schedule, encoder } = setting;
  const d = data.dim;
  const posterior = encoder ? linearEncoderPosteriorCovariance(data, encoder) : data.cov;
  const pointMass = { mean: data.mean, cov: zeros(d, d) };
  let trSigma = 0;
  for (let i = 0; i < d; i++) trSigma += data.cov.data[i * d + i];
  return setting.timesteps.map((t) => {
    const level = schedule.level(t);
    const alphaBar = schedule.alphaBar(t);
    const dOverS2 = d / (level.s * level.s);
    const Ct = vincentConstant(data, level);
    const term = conditionalScoreNormTerm(posterior, level);
    const gap = inputBiasGap(posterior, level);
    return {
      t,
      alphaBar,
      a: level.a,
      s: level.s,
      conditionalScoreNorm: dOverS2,
      Ct,
      inputBiasTerm: term,
      inputBiasGap: gap,
      sds: {
        dsmOptimalVariance: 0,
        esmOptimalVariance: trSigma / d,
        dsmAtCollapse: sdsDsm(pointMass, data, level),
        dsmAtTarget: sdsDsm(data, data, level),
        esmAtCollapse: sdsEsm(pointMass, data, level),
        scoreNormAtCollapse: dOverS2,
        scoreNormAtTarget: dOverS2 - Ct,
      },
    };
  });
}
