import type { VPSchedule } from '../diffusion/schedule.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { addScaledIdentity, matmul, scale, spdInverse, trace, zeros } from '../linalg/index.ts';
import type { LinearEncoder } from '../models/linearEncoder.ts';
import { conditionalScoreNormTerm, inputBiasGap, linearEncoderPosteriorCovariance } from '../theory/inputBias.ts';
import { sdsDsm, sdsEsm } from '../theory/sds.ts';
import { vincentConstant } from '../theory/vincent.ts';
import type { BiasRow } from './rows.ts';

/** A setting for the dense reference path: SPD data covariance (regularize a PSD one first). */
export interface DenseBiasSetting {
  readonly data: Gaussian;
  readonly schedule: VPSchedule;
  readonly encoder?: LinearEncoder;
  readonly timesteps: readonly number[];
}

/**
 * The dense reference: every quantity from the closed forms of src/theory, with a
 * Cholesky factorization of a d × d matrix per quantity and timestep — O(d³) per
 * timestep (the calculator before issue 17). Kept to check the spectral route
 * (spectral.test.ts, bench/bias-scale.ts); use `computeBias` for real data.
 */
export function denseBiasRows(setting: DenseBiasSetting): BiasRow[] {
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
    const dsmAtCollapse = sdsDsm(pointMass, data, level);
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
        dsmAtCollapse,
        dsmAtTarget: sdsDsm(data, data, level),
        esmAtCollapse: sdsEsm(pointMass, data, level),
        collapseAdvantage: collapseAdvantageDense(data, level.a, level.s),
        scoreNormAtCollapse: dOverS2,
        scoreNormAtTarget: conditionalScoreNormTerm(data.cov, level),
      },
    };
  });
}

/** a² tr(P²Σ), P = (a²Σ + s²I)⁻¹ (MATH.md §2.1), densely. */
function collapseAdvantageDense(data: Gaussian, a: number, s: number): number {
  const P = spdInverse(addScaledIdentity(scale(data.cov, a * a), s * s), 'data.cov (a²Σ + s²I)');
  return a * a * trace(matmul(matmul(P, P), data.cov));
}
