/**
 * Variance-reduction factors on the Vincent (Theorem 1), input-bias (Theorem 2)
 * and density-formula (Li & Yan) Monte Carlo checks: samples needed for a given
 * confidence-interval width, plain ÷ reduced (= the per-evaluation variance
 * ratio, since n = (z σ / h)²). Each row also gives the reduced estimator's
 * z-score against the exact value (unbiasedness at a glance).
 */
import { Gaussian } from '../src/gaussian/gaussian.ts';
import type { Matrix } from '../src/linalg/index.ts';
import { createRng, type Rng } from '../src/mc/rng.ts';
import type { Estimate } from '../src/mc/estimate.ts';
import { AffineScoreModel } from '../src/models/affineScoreModel.ts';
import { AffineConditionalScoreModel } from '../src/models/affineConditionalScoreModel.ts';
import { randomMlpConditionalScoreModel, randomMlpWeights } from '../src/models/mlpScoreModel.ts';
import { conditionedByEncoder } from '../src/objectives/conditionedData.ts';
import { vincentConstant } from '../src/theory/vincent.ts';
import { encoderInputBiasGap } from '../src/theory/inputBias.ts';
import { mmseNoisePredictor } from '../src/theory/mmseNoisePredictor.ts';
import { vpPointAtAlpha, type NoisePredictor } from '../src/theory/vpPoint.ts';
import {
  type GapTerms, MlpBatchModel, affineBatchModel, antitheticControlVariateGapEstimate, controlVariateGapEstimate,
  fittedControlVariateGapEstimate, linearControlGapEstimate, plainGapEstimate, prepareConditionalGaussianGap,
  prepareGaussianGap, sampleGapTerms, sampleDensityIntegrandTerms, plainDensityIntegrandEstimate,
  antitheticNormControlDensityIntegrandEstimate, oracleControlDensityIntegrandEstimate,
} from '../src/index.ts';
import { symmetricEigen } from '../src/linalg/index.ts';

export interface ReductionRow {
  readonly check: string;
  readonly case: string;
  readonly estimator: string;
  /** plain variance ÷ reduced variance, per model evaluation. */
  readonly factor: number;
  readonly z: number;
  readonly n: number;
}

function randomCov(rng: Rng, d: number): Matrix {
  const g = rng.fillNormal(new Float64Array(d * d));
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let t = 0;
    for (let k = 0; k < d; k++) t += g[i * d + k] * g[j * d + k];
    c[i * d + j] = t / d + (i === j ? 0.1 : 0);
  }
  return { rows: d, cols: d, data: c };
}

/**
 * A reduced variance below 1e-20 × plain is rounding: the control reproduces the
 * model exactly (the check is then the closed form); reported as factor Infinity
 * and z = 0 when the means agree to 1e-9 relative. `truthStderr` > 0 when the
 * truth is itself a long Monte Carlo run.
 */
function rows(check: string, label: string, truth: number, plain: Estimate, reduced: [string, Estimate][], truthStderr = 0): ReductionRow[] {
  return reduced.map(([name, e]) => {
    const exact = e.variance <= 1e-20 * plain.variance;
    const se = Math.hypot(e.stderr, truthStderr);
    const rel = Math.abs(e.mean - truth) / Math.max(Math.abs(truth), 1e-300);
    return {
      check, case: label, estimator: name, n: e.n,
      factor: exact ? Infinity : plain.variance / e.variance,
      z: exact ? (rel <= 1e-9 ? 0 : NaN) : (e.mean - truth) / se,
    };
  });
}

const LEVELS: [string, number][] = [['ᾱ=0.99 (s=0.1)', 0.99], ['ᾱ=0.75 (s=0.5)', 0.75], ['ᾱ=0.1 (s=0.95)', 0.1]];

export function varianceReductionRows(quick = false): ReductionRow[] {
  const n = quick ? 10_000 : 40_000;
  const pilot = 4000;
  const out: ReductionRow[] = [];
  const rng = createRng('bench/varianceReduction');

  // Vincent (Theorem 1): d = 8, affine and MLP models.
  const d = 8;
  const data = new Gaussian(rng.fillNormal(new Float64Array(d)), randomCov(rng, d));
  const affine = new AffineScoreModel({ rows: d, cols: d, data: rng.fillNormal(new Float64Array(d * d)).map((x) => x / Math.sqrt(d)) }, rng.fillNormal(new Float64Array(d)));
  const mlp = MlpBatchModel.fromWeights(randomMlpWeights(rng, { dim: d, hidden: 16 }));
  for (const [lname, ab] of LEVELS) {
    const level = { a: Math.sqrt(ab), s: Math.sqrt(1 - ab) };
    const C = vincentConstant(data, level);
    for (const [mname, model] of [['affine', affineBatchModel(affine)], ['MLP', mlp]] as const) {
      const prep = prepareGaussianGap(data, level, model);
      const t: GapTerms = sampleGapTerms(prep, rng.fork(`v/${lname}/${mname}/plain`), n, { linearControl: pilot });
      const ta = sampleGapTerms(prep, rng.fork(`v/${lname}/${mname}/anti`), n, { antithetic: true });
      const plain = plainGapEstimate(t);
      out.push(...rows('Vincent C_t', `d=${d}, ${mname}, ${lname}`, C, plain, [
        ['control variate A (exact mean, β=1)', controlVariateGapEstimate(t)],
        ['control variate A (fitted β)', fittedControlVariateGapEstimate(t)],
        ['A + antithetic (x₀−μ, ε) ↦ −(x₀−μ, ε)', antitheticControlVariateGapEstimate(ta)],
        [`A + fitted-linear-model control (pilot ${pilot})`, linearControlGapEstimate(t)],
      ]));
    }
  }

  // Input bias (Theorem 2): encoder c = B x₀ + b + τξ, d = 4, k = 2.
  {
    const d2 = 4, k = 2;
    const x = new Gaussian(rng.fillNormal(new Float64Array(d2)), randomCov(rng, d2));
    const enc = { B: { rows: k, cols: d2, data: rng.fillNormal(new Float64Array(k * d2)) }, b: rng.fillNormal(new Float64Array(k)), tau: 0.5 };
    const cd = conditionedByEncoder(x, enc);
    const condAffine = new AffineConditionalScoreModel(
      { rows: d2, cols: d2, data: rng.fillNormal(new Float64Array(d2 * d2)).map((v) => v / 2) },
      { rows: d2, cols: k, data: rng.fillNormal(new Float64Array(d2 * k)) }, rng.fillNormal(new Float64Array(d2)));
    const condMlp = randomMlpConditionalScoreModel(rng, { dim: d2, condDim: k, hidden: 16 });
    for (const [lname, ab] of LEVELS) {
      const level = { a: Math.sqrt(ab), s: Math.sqrt(1 - ab) };
      const G = encoderInputBiasGap(x, enc, level);
      for (const [mname, model] of [['affine', condAffine], ['MLP', condMlp]] as const) {
        const prep = prepareConditionalGaussianGap(cd, level, model);
        const t = sampleGapTerms(prep, rng.fork(`ib/${lname}/${mname}`), n, { linearControl: pilot });
        const plain = plainGapEstimate(t);
        out.push(...rows('input-bias gap', `d=${d2}, k=${k}, ${mname}, ${lname}`, G, plain, [
          ['control variate A (exact mean, β=1)', controlVariateGapEstimate(t)],
          ['control variate A (fitted β)', fittedControlVariateGapEstimate(t)],
          [`A + fitted-linear-model control (pilot ${pilot})`, linearControlGapEstimate(t)],
        ]));
      }
    }
  }

  // Density formula (Li & Yan): inner expectation at three α, d = 3.
  {
    const d3 = 3;
    const g = new Gaussian(rng.fillNormal(new Float64Array(d3)), randomCov(rng, d3));
    const eig = symmetricEigen(g.cov);
    const x0 = rng.fillNormal(new Float64Array(d3));
    const exact = mmseNoisePredictor(g);
    const pert = randomMlpWeights(rng, { dim: d3, hidden: 16 });
    const hid = new Float64Array(16), pout = new Float64Array(d3);
    // A "learned" predictor: ε* plus a 10 % tanh-MLP error (its own exact mean is unknown).
    const learned: NoisePredictor = (xx, t) => {
      const e = exact(xx, t);
      const h = pert.hidden;
      for (let j = 0; j < h; j++) { let s = pert.b1[j]; for (let i = 0; i < d3; i++) s += pert.W1[j * d3 + i] * xx[i]; hid[j] = Math.tanh(s); }
      for (let i = 0; i < d3; i++) { let s = 0; for (let j = 0; j < h; j++) s += pert.W2[i * h + j] * hid[j]; pout[i] = e[i] + 0.1 * s; }
      return pout;
    };
    for (const alpha of [0.1, 0.5, 0.9]) {
      const t = vpPointAtAlpha(alpha);
      for (const [pname, pred] of [['exact ε*', exact], ['learned ε* + 0.1·MLP', learned]] as const) {
        const plainT = sampleDensityIntegrandTerms(g, x0, t, pred, rng.fork(`df/${alpha}/${pname}/p`), n, { eigen: eig });
        const antiT = sampleDensityIntegrandTerms(g, x0, t, pred, rng.fork(`df/${alpha}/${pname}/a`), n, { eigen: eig, antithetic: true });
        const plain = plainDensityIntegrandEstimate(plainT);
        // Truth: the exact ε* has known mean; for the learned predictor use a long plain run's mean.
        const long = pname === 'exact ε*' ? undefined : plainDensityIntegrandEstimate(sampleDensityIntegrandTerms(g, x0, t, pred, rng.fork(`df/${alpha}/truth`), 8 * n, { eigen: eig }));
        const truth = long ? long.mean : plainT.oracleMean;
        out.push(...rows('density-formula inner E_z', `d=${d3}, ${pname}, α=${alpha}`, truth, plain, [
          ['antithetic + α(‖z‖²−d) (theory/densityFormula.ts)', antitheticNormControlDensityIntegrandEstimate(antiT)],
          ['oracle control ‖ε*−z‖² (exact mean, fitted β)', oracleControlDensityIntegrandEstimate(plainT)],
          ['oracle control + antithetic', oracleControlDensityIntegrandEstimate(antiT)],
        ], long?.stderr ?? 0));
      }
    }
  }
  return out;
}
