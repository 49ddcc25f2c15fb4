import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { rotation, spdMatrix } from '../src/arbitraries/index.ts';
import { type NoiseLevel, cosineSchedule, noiseLevel } from '../src/diffusion/index.ts';
import { Gaussian } from '../src/gaussian/index.ts';
import { cholesky, choleskyInverse, matmul, scale, zeros } from '../src/linalg/index.ts';
import { AffineConditionalScoreModel } from '../src/models/index.ts';
import { conditionalDsmAffine, conditionalEsmAffine } from '../src/objectives/affineClosedForm.ts';
import { conditionedJoint } from '../src/objectives/conditionedData.ts';
import { encoderInputBiasGap, gaussianConditional, jointInputBiasGap } from '../src/theory/inputBias.ts';
import {
  type TokenContextLaw, type WhitenedTokenContext, backboneAsTokenEncoder, backboneNll, conditionalTokenCovariance, coordinatewiseTokenLaw,
  dsmOptimalBackbone, marBackboneBias, nllOptimalBackbone, scheduleLevels, tokenBackboneJoint, uniformTimestepWeights, weightedScoreNorm,
  whitenTokenContext,
} from '../src/theory/marBackbone.ts';

// MATH.md §13.2: MAR's diffusion loss trains the backbone's conditioning through DSM.

/** A joint SPD covariance of (v, u), d, p ≤ 3, split into the law's blocks. */
const lawArb = fc.integer({ min: 1, max: 3 }).chain((d) => fc.integer({ min: 1, max: 3 }).chain((p) =>
  spdMatrix(d + p, { maxConditionNumber: 100 }).map((J): TokenContextLaw => {
    const n = d + p;
    const block = (r0: number, c0: number, r: number, c: number) => {
      const m = zeros(r, c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) m.data[i * c + j] = J.data[(r0 + i) * n + c0 + j];
      return m;
    };
    return { tokenCov: block(0, 0, d, d), crossCov: block(0, d, d, p), contextCov: block(d, d, p, p) };
  })));

/** A random k-dim subspace of R^p (k ≤ p): the first k columns of a rotation. */
const subspaceArb = (p: number, k: number) => rotation(p).map((R) => {
  const Q = zeros(p, k);
  for (let i = 0; i < p; i++) for (let c = 0; c < k; c++) Q.data[i * k + c] = R.data[i * p + c];
  return Q;
});

const caseArb = lawArb.chain((law) => {
  const p = law.contextCov.rows;
  return fc.integer({ min: 1, max: p }).chain((k) => fc.record({
    law: fc.constant(law), k: fc.constant(k), Q: subspaceArb(p, k), Q2: subspaceArb(p, k),
    logSnr: fc.double({ min: -6, max: 6, noNaN: true }),
  }));
});

/** a² = σ(λ), s² = σ(−λ) (VP, log-SNR λ), each computed without 1 − x cancellation. */
const levelAt = (lambda: number): NoiseLevel => noiseLevel(Math.sqrt(1 / (1 + Math.exp(-lambda))), Math.sqrt(1 / (1 + Math.exp(lambda))));
const U = Number.EPSILON;

/** The exact conditional score of v | z at one level as an affine conditional model. */
function exactHead(joint: Gaussian, d: number, level: NoiseLevel): AffineConditionalScoreModel {
  const cond = gaussianConditional(joint, d);
  const S = zeros(d, d);
  for (let i = 0; i < d * d; i++) S.data[i] = level.a ** 2 * cond.cov.data[i];
  for (let i = 0; i < d; i++) S.data[i * d + i] += level.s ** 2;
  const P = choleskyInverse(cholesky(S));
  return new AffineConditionalScoreModel(scale(P, -1), scale(matmul(P, cond.M), level.a), Array.from(matmul(P, { rows: d, cols: 1, data: cond.m }).data, (v) => level.a * v));
}

describe('MAR Gaussian instance: closed forms', () => {
  test.prop([caseArb], { numRuns: 60 })('Σ_{v|z} from the subspace equals the Gaussian conditional of the joint (v, z)', ({ law, Q }) => {
    const w = whitenTokenContext(law);
    const a = conditionalTokenCovariance(w, Q);
    const b = gaussianConditional(tokenBackboneJoint(w, Q), w.d).cov;
    const mag = law.tokenCov.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (let i = 0; i < a.data.length; i++) expect(Math.abs(a.data[i] - b.data[i])).toBeLessThanOrEqual(1e-10 * mag);
  });

  test.prop([caseArb], { numRuns: 60 })('with the exact head, ESM = 0 and s²·DSM = d − s²N (per level): only N ranks backbones', ({ law, Q, logSnr }) => {
    const w = whitenTokenContext(law);
    const level = levelAt(logSnr);
    const joint = tokenBackboneJoint(w, Q);
    const cd = conditionedJoint(joint, w.d);
    const head = exactHead(joint, w.d, level);
    const dsm = conditionalDsmAffine(head, cd, level).mean, esm = conditionalEsmAffine(head, cd, level).mean;
    const mag = w.d / level.s ** 2;
    expect(esm).toBeLessThanOrEqual(1e-9 * mag);
    const n = weightedScoreNorm(w, Q, [level], [1]); // s²·N
    expect(Math.abs(level.s ** 2 * dsm - (w.d - n))).toBeLessThanOrEqual(1e-9 * w.d);
  });

  test.prop([caseArb], { numRuns: 60 })('the backbone written as a noisy linear encoder of the token has the same input-bias gap', ({ law, Q, logSnr }) => {
    const w = whitenTokenContext(law);
    const level = levelAt(logSnr);
    const enc = backboneAsTokenEncoder(w, Q);
    const viaEncoder = encoderInputBiasGap(new Gaussian(new Float64Array(w.d), law.tokenCov), enc, level);
    const viaJoint = jointInputBiasGap(tokenBackboneJoint(w, Q), w.d, level);
    expect(Math.abs(viaEncoder - viaJoint)).toBeLessThanOrEqual(1e-8 * (w.d / level.s ** 2));
  });
});

describe('MAR Gaussian instance: optimal backbones', () => {
  const levels = scheduleLevels(cosineSchedule(200));
  const weights = uniformTimestepWeights(200);

  test.prop([caseArb], { numRuns: 60 })('NLL-optimal backbone (top-k eigenvectors of CᵀΣ_vv⁻¹C) has no higher NLL than any subspace', ({ law, k, Q, Q2 }) => {
    const w = whitenTokenContext(law);
    const best = backboneNll(w, nllOptimalBackbone(w, k));
    for (const q of [Q, Q2]) expect(best).toBeLessThanOrEqual(backboneNll(w, q) + 1e-10 * (1 + Math.abs(best)));
  });

  test.prop([caseArb], { numRuns: 25 })('DSM-optimal backbone (MAR weighting) has no lower weighted score norm than random subspaces or the NLL-optimal one', ({ law, k, Q, Q2 }) => {
    const w = whitenTokenContext(law);
    const opt = dsmOptimalBackbone(w, k, levels, weights);
    for (const q of [Q, Q2, nllOptimalBackbone(w, k)]) expect(opt.weightedScoreNorm).toBeGreaterThanOrEqual(weightedScoreNorm(w, q, levels, weights) - 1e-9 * w.d);
  });

  test.prop([caseArb, fc.double({ min: -1, max: 1, noNaN: true })], { numRuns: 25 })('the DSM-optimal backbone is a local maximum: small rotations of the subspace do not raise the weighted score norm', ({ law, k, Q2 }, eps) => {
    const w = whitenTokenContext(law);
    const opt = dsmOptimalBackbone(w, k, levels, weights);
    // Q(ε) = orth(Q_D + 1e-3·ε·Q2): a nearby subspace
    const p = w.p;
    const A = zeros(p, k);
    for (let i = 0; i < p * k; i++) A.data[i] = opt.subspace.data[i] + 1e-3 * eps * Q2.data[i];
    // Gram–Schmidt (columns)
    for (let c = 0; c < k; c++) {
      for (let c2 = 0; c2 < c; c2++) {
        let dot = 0;
        for (let i = 0; i < p; i++) dot += A.data[i * k + c2] * A.data[i * k + c];
        for (let i = 0; i < p; i++) A.data[i * k + c] -= dot * A.data[i * k + c2];
      }
      let nrm = 0;
      for (let i = 0; i < p; i++) nrm += A.data[i * k + c] ** 2;
      for (let i = 0; i < p; i++) A.data[i * k + c] /= Math.sqrt(nrm);
    }
    expect(weightedScoreNorm(w, A, levels, weights)).toBeLessThanOrEqual(opt.weightedScoreNorm + 1e-10 * w.d);
  });

  /** Likelihood weighting: levels uniform in log-SNR λ ∈ [−40, 40] (trapezoid, h = 0.02). */
  const likelihoodLevels = Array.from({ length: 4001 }, (_, i) => levelAt(-40 + i * 0.02));
  const likelihoodWeights = likelihoodLevels.map((_, i) => (i === 0 || i === 4000 ? 0.01 : 0.02));

  test.prop([caseArb], { numRuns: 30 })('likelihood weighting: N_w(Q) − N_w(Q′) = 2(NLL(Q′) − NLL(Q)) — DSM ranks backbones as the NLL', ({ law, Q, Q2 }) => {
    const w = whitenTokenContext(law);
    const dn = weightedScoreNorm(w, Q, likelihoodLevels, likelihoodWeights) - weightedScoreNorm(w, Q2, likelihoodLevels, likelihoodWeights);
    const dnll = 2 * (backboneNll(w, Q2) - backboneNll(w, Q));
    // truncation of ∫ tr((I + e^λ S)⁻¹)dλ at ±40: ≤ d·e^{−40}·(λ_max + 1/λ_min) per end; trapezoid error (h²/12)·max|f''| ≤ d·h²/12·(1/4)
    const err = w.d * (0.02 ** 2 / 48) * 80 + 1e-9;
    expect(Math.abs(dn - dnll)).toBeLessThanOrEqual(err);
  });

  test('negative control: with MAR\'s weighting the same identity fails (the weighted score norm is not the likelihood)', () => {
    const out = fc.check(fc.property(caseArb, ({ law, Q, Q2 }) => {
      const w = whitenTokenContext(law);
      const dn = weightedScoreNorm(w, Q, levels, weights) - weightedScoreNorm(w, Q2, levels, weights);
      const dnll = 2 * (backboneNll(w, Q2) - backboneNll(w, Q));
      return Math.abs(dn - dnll) <= w.d * (0.02 ** 2 / 48) * 80 + 1e-9;
    }), { numRuns: 100 });
    expect(out.failed).toBe(true);
  });

  test('a binding width: MAR\'s DSM keeps the unit-scale coordinate, the likelihood the fine-scale one (λ = [1, 1e-4], ρ = [0.8, 0.9], k = 1)', () => {
    const w: WhitenedTokenContext = whitenTokenContext(coordinatewiseTokenLaw([1, 1e-4], [0.8, 0.9]));
    const r = marBackboneBias(w, 1, scheduleLevels(cosineSchedule(1000)), uniformTimestepWeights(1000));
    // NLL gain of a coordinate: −½ log(1 − ρ²); coordinate 2 (ρ = 0.9) wins for the likelihood
    expect(Math.abs(r.nllBackbone.data[1])).toBeCloseTo(1, 12);
    expect(Math.abs(r.dsmBackbone.data[0])).toBeGreaterThan(0.999);
    const expectedBits = (0.5 * (Math.log(1 - 0.64) - Math.log(1 - 0.81))) / (2 * Math.LN2);
    expect(Math.abs(r.excessBitsPerDim - expectedBits)).toBeLessThanOrEqual(1e-9);
    expect(r.scoreNormDsm).toBeGreaterThan(r.scoreNormNll);
    expect(r.marLossDsm).toBeLessThan(r.marLossNll);
  });
});
