import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import {
  type Matrix, addScaledIdentity, cholesky, choleskyInverse, choleskyLogDet, diag, matmul, requireSymmetricFinite, scale, symmetricEigen, symmetrize,
  transpose, zeros,
} from '../linalg/index.ts';
import type { LinearEncoder } from '../models/linearEncoder.ts';
import { checkFiniteResult, requireIntegerInRange } from '../validate.ts';
import { requireWeightedLevels } from './weightedLevels.ts';

export { scheduleLevels, uniformTimestepWeights } from './weightedLevels.ts';

/*
 * MAR's diffusion loss as input optimization (Xu 2025, application 1; MATH.md §13.2).
 * Gaussian instance: a token v ∈ R^d and its context u ∈ R^p are jointly Gaussian (zero mean); the
 * autoregressive backbone is linear of width k, z = W u (k×p); the per-token diffusion head s(v_t, z)
 * is trained jointly with it by DSM. Whiten the context, u = L u′ (Σ_uu = LLᵀ), C = Σ_vu L⁻ᵀ (d×p):
 * z carries exactly the k-dim subspace Q (p×k orthonormal) of u′ spanned by (WL)ᵀ, and
 *   Σ_{v|z} = Σ_vv − C QQᵀ Cᵀ.
 * With the head at its optimum for every backbone (the exact conditional score is affine in
 * (v_t, z)), ESM = 0 for EVERY backbone: ESM does not rank backbones. DSM does (Theorem 2):
 *   DSM_t(Q) = d/s_t² − N_t(Q),  N_t(Q) = tr((a_t²Σ_{v|z} + s_t²I)⁻¹),
 * and MAR's loss (ε-prediction, t uniform over the schedule) is
 *   L_MAR(Q) = (1/T) Σ_t s_t² DSM_t(Q) = d − (1/T) Σ_t tr((I + (a_t²/s_t²)Σ_{v|z})⁻¹).
 * The likelihood-optimal backbone minimizes NLL(Q) = ½ log det(2πe Σ_{v|z}) (the token NLL of the
 * exact head), attained by the top-k eigenvectors of M = CᵀΣ_vv⁻¹C. With likelihood weighting
 * (uniform in log-SNR λ, MATH.md §3) the weighted score norm is −log det Σ_{v|z} + const, so DSM
 * ranks backbones exactly as the NLL; MAR's weighting does not, and where the width k is binding the
 * DSM-trained backbone keeps the directions with the larger weighted score norm, not the larger
 * likelihood gain.
 */

/** Jointly Gaussian (token v, context u), zero mean. */
export interface TokenContextLaw {
  /** Σ_vv, d×d SPD. */
  readonly tokenCov: Matrix;
  /** Σ_vu, d×p. */
  readonly crossCov: Matrix;
  /** Σ_uu, p×p SPD. */
  readonly contextCov: Matrix;
}

/** The law in whitened context coordinates: Σ_vv and C = Σ_vu L⁻ᵀ. */
export interface WhitenedTokenContext {
  readonly tokenCov: Matrix;
  /** d×p. */
  readonly C: Matrix;
  readonly d: number;
  readonly p: number;
}

export function whitenTokenContext(law: TokenContextLaw): WhitenedTokenContext {
  requireSymmetricFinite(law.tokenCov, 'law.tokenCov');
  requireSymmetricFinite(law.contextCov, 'law.contextCov');
  const d = law.tokenCov.rows, p = law.contextCov.rows;
  if (law.crossCov.rows !== d || law.crossCov.cols !== p) throw new DimensionMismatchError('law.crossCov', `${d}x${p}`, `${law.crossCov.rows}x${law.crossCov.cols}`);
  const L = cholesky(law.contextCov, 'law.contextCov');
  // C = Σ_vu L⁻ᵀ ⇔ C Lᵀ = Σ_vu ⇔ L Cᵀ = Σ_uv: forward substitution per column of Σ_uv.
  const C = zeros(d, p);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < p; j++) {
      let acc = law.crossCov.data[i * p + j];
      for (let l = 0; l < j; l++) acc -= L.data[j * p + l] * C.data[i * p + l];
      C.data[i * p + j] = acc / L.data[j * p + j];
    }
  }
  // the joint covariance must be SPD: Σ_vv − CCᵀ ≻ 0
  cholesky(symmetrize(addMatrices(law.tokenCov, matmul(C, transpose(C)), -1)), 'Σ_vv − Σ_vuΣ_uu⁻¹Σ_uv (the joint (v, u) covariance)');
  return { tokenCov: law.tokenCov, C, d, p };
}

function addMatrices(a: Matrix, b: Matrix, beta: number): Matrix {
  const out = zeros(a.rows, a.cols);
  for (let i = 0; i < a.data.length; i++) out.data[i] = a.data[i] + beta * b.data[i];
  return out;
}

/**
 * Per-coordinate token model used by the presets and figures: v_i = ρ_i u_i + √(1 − ρ_i²) √λ_i η_i with
 * Var u_i = Var v_i = λ_i (context = the previous token, p = d). Coordinate i's predictability is ρ_i,
 * its scale λ_i.
 */
export function coordinatewiseTokenLaw(variances: readonly number[], correlations: readonly number[]): TokenContextLaw {
  const d = variances.length;
  if (correlations.length !== d) throw new DimensionMismatchError('correlations', d, correlations.length);
  variances.forEach((v, i) => {
    if (!(Number.isFinite(v) && v > 0)) throw new InvalidArgumentError(`variances[${i}]`, v, 'must be finite and > 0');
  });
  correlations.forEach((r, i) => {
    if (!(Number.isFinite(r) && Math.abs(r) < 1)) throw new InvalidArgumentError(`correlations[${i}]`, r, 'must lie in (−1, 1)');
  });
  return { tokenCov: diag(variances), crossCov: diag(variances.map((v, i) => correlations[i] * v)), contextCov: diag(variances) };
}

/** An orthonormal p×k basis of the subspace the backbone keeps. */
export type BackboneSubspace = Matrix;

/** Σ_{v|z} = Σ_vv − C QQᵀ Cᵀ. */
export function conditionalTokenCovariance(w: WhitenedTokenContext, Q: BackboneSubspace): Matrix {
  if (Q.rows !== w.p) throw new DimensionMismatchError('Q', `${w.p}×k`, `${Q.rows}x${Q.cols}`);
  const CQ = matmul(w.C, Q);
  return symmetrize(addMatrices(w.tokenCov, matmul(CQ, transpose(CQ)), -1));
}

/** Token NLL of the exact head, ½ log det(2πe Σ_{v|z}), in nats. */
export function backboneNll(w: WhitenedTokenContext, Q: BackboneSubspace): number {
  const S = conditionalTokenCovariance(w, Q);
  return checkFiniteResult('backboneNll', 0.5 * (w.d * Math.log(2 * Math.PI * Math.E) + choleskyLogDet(cholesky(S, 'Σ_{v|z}'))));
}

/**
 * Weighted conditional score norm Σ_j ω_j s_j² N_j(Q) = Σ_j ω_j tr(s_j²(a_j²Σ_{v|z} + s_j²I)⁻¹) over
 * levels (a_j, s_j) with weights ω_j ≥ 0: the part of the ε-prediction DSM loss a backbone can change
 * (loss = Σ ω_j d − this). One eigen-decomposition Σ_{v|z} = V diag(σ) Vᵀ serves every level:
 * tr(s²(a²Σ + s²I)⁻¹) = Σ_i s²/(a²σ_i + s²).
 */
export function weightedScoreNorm(w: WhitenedTokenContext, Q: BackboneSubspace, levels: readonly NoiseLevel[], weights: readonly number[]): number {
  requireWeightedLevels(levels, weights);
  const { values } = symmetricEigen(conditionalTokenCovariance(w, Q), 'Σ_{v|z}');
  let total = 0;
  levels.forEach((l, j) => {
    const wj = weights[j];
    if (wj === 0) return;
    const a2 = l.a * l.a, s2 = l.s * l.s;
    for (const sig of values) total += (wj * s2) / (a2 * Math.max(sig, 0) + s2);
  });
  return checkFiniteResult('weightedScoreNorm', total);
}

/** ∂/∂P of the weighted score norm: Σ_j ω_j s_j² a_j² CᵀK_j⁻²C = CᵀV diag(Σ_j ω_j s_j²a_j²/(a_j²σ_i + s_j²)²) VᵀC. */
function scoreNormGradientP(w: WhitenedTokenContext, Q: BackboneSubspace, levels: readonly NoiseLevel[], weights: readonly number[]): Matrix {
  const { values, vectors } = symmetricEigen(conditionalTokenCovariance(w, Q), 'Σ_{v|z}');
  const d = w.d;
  const g = new Float64Array(d);
  levels.forEach((l, j) => {
    const wj = weights[j];
    if (wj === 0) return;
    const a2 = l.a * l.a, s2 = l.s * l.s;
    for (let i = 0; i < d; i++) {
      const den = a2 * Math.max(values[i], 0) + s2;
      g[i] += (wj * s2 * a2) / (den * den);
    }
  });
  // D = V diag(g) Vᵀ, G = Cᵀ D C
  const D = zeros(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let acc = 0;
    for (let c = 0; c < d; c++) acc += vectors.data[i * d + c] * g[c] * vectors.data[j * d + c];
    D.data[i * d + j] = acc;
  }
  return symmetrize(matmul(transpose(w.C), matmul(D, w.C)));
}

/** M = CᵀΣ_vv⁻¹C: the NLL-optimal width-k backbone keeps its top-k eigenvectors. */
export function nllOptimalBackbone(w: WhitenedTokenContext, k: number): BackboneSubspace {
  requireIntegerInRange('k', k, 1, w.p);
  const SinvC = matmul(choleskyInverse(cholesky(w.tokenCov, 'Σ_vv')), w.C);
  const M = symmetrize(matmul(transpose(w.C), SinvC));
  const { values, vectors } = symmetricEigen(M, 'CᵀΣ_vv⁻¹C');
  const order = Array.from(values, (v, i) => [v, i] as const).sort((x, y) => y[0] - x[0]);
  const Q = zeros(w.p, k);
  for (let c = 0; c < k; c++) for (let i = 0; i < w.p; i++) Q.data[i * k + c] = vectors.data[i * w.p + order[c][1]];
  return Q;
}

/** Orthonormalize the columns of a p×k matrix (modified Gram–Schmidt); throws on a rank-deficient input. */
function orthonormalize(A: Matrix): Matrix {
  const p = A.rows, k = A.cols;
  const Q = zeros(p, k);
  for (let c = 0; c < k; c++) {
    const v = new Float64Array(p);
    for (let i = 0; i < p; i++) v[i] = A.data[i * k + c];
    for (let c2 = 0; c2 < c; c2++) {
      let dot = 0;
      for (let i = 0; i < p; i++) dot += Q.data[i * k + c2] * v[i];
      for (let i = 0; i < p; i++) v[i] -= dot * Q.data[i * k + c2];
    }
    let n = 0;
    for (const x of v) n += x * x;
    n = Math.sqrt(n);
    if (!(n > 1e-14)) throw new InvalidArgumentError('backbone', n, 'columns are linearly dependent');
    for (let i = 0; i < p; i++) Q.data[i * k + c] = v[i] / n;
  }
  return Q;
}

export interface BackboneOptimum {
  readonly subspace: BackboneSubspace;
  readonly weightedScoreNorm: number;
  readonly iterations: number;
}

/**
 * The DSM-optimal width-k backbone: maximize the weighted score norm over k-dim subspaces by
 * Riemannian gradient ascent on the Grassmannian (gradient (I − QQᵀ)·2GQ, G = ∂N/∂P; step with
 * backtracking; QR retraction), from the NLL-optimal subspace and from each k-subset of the
 * coordinate axes and of M's eigenvectors (deterministic starts); the best end is returned.
 */
export function dsmOptimalBackbone(
  w: WhitenedTokenContext, k: number, levels: readonly NoiseLevel[], weights: readonly number[], opts: { steps?: number; tolerance?: number } = {},
): BackboneOptimum {
  requireIntegerInRange('k', k, 1, w.p);
  requireWeightedLevels(levels, weights);
  const steps = opts.steps ?? 300, tol = opts.tolerance ?? 1e-12;
  const f = (Q: Matrix) => weightedScoreNorm(w, Q, levels, weights);
  const starts: Matrix[] = [nllOptimalBackbone(w, k)];
  for (const subset of kSubsets(w.p, k).slice(0, 10)) {
    const Q = zeros(w.p, k);
    subset.forEach((i, c) => { Q.data[i * k + c] = 1; });
    starts.push(Q);
  }
  let best: BackboneOptimum | undefined;
  for (const start of starts) {
    let Q = start, value = f(Q), eta = 1, it = 0;
    for (; it < steps; it++) {
      const G = scoreNormGradientP(w, Q, levels, weights);
      const GQ = scale(matmul(G, Q), 2);
      // Riemannian gradient R = (I − QQᵀ) GQ
      const R = addMatrices(GQ, matmul(Q, matmul(transpose(Q), GQ)), -1);
      let r2 = 0;
      for (const v of R.data) r2 += v * v;
      if (r2 <= tol * tol * (1 + value * value)) break;
      let moved = false;
      for (let tries = 0; tries < 60; tries++) {
        const cand = orthonormalize(addMatrices(Q, R, eta));
        const v2 = f(cand);
        if (v2 >= value + 0.25 * eta * r2) {
          Q = cand; value = v2; eta *= 2; moved = true;
          break;
        }
        eta /= 2;
      }
      if (!moved) break;
    }
    if (!best || value > best.weightedScoreNorm) best = { subspace: Q, weightedScoreNorm: value, iterations: it };
  }
  return best!;
}

function kSubsets(p: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]) => {
    if (acc.length === k) { out.push(acc.slice()); return; }
    for (let i = start; i < p; i++) { acc.push(i); rec(i + 1, acc); acc.pop(); }
  };
  rec(0, []);
  return out;
}

/** The bias of a DSM-trained backbone against the likelihood-optimal one, in units a MAR user knows. */
export interface MarBackboneBias {
  readonly dsmBackbone: BackboneSubspace;
  readonly nllBackbone: BackboneSubspace;
  /** Weighted score norms (the loss is Σω·d − these): DSM's backbone ≥ NLL's. */
  readonly scoreNormDsm: number;
  readonly scoreNormNll: number;
  /** MAR loss (mean ε-MSE over t) of each backbone with its optimal head. */
  readonly marLossDsm: number;
  readonly marLossNll: number;
  /** Token NLL of each, nats per token. */
  readonly nllDsm: number;
  readonly nllNll: number;
  /** (NLL_DSM − NLL_NLL)/(d ln 2): the likelihood the DSM-trained backbone gives up, bits per token dimension. */
  readonly excessBitsPerDim: number;
}

export function marBackboneBias(w: WhitenedTokenContext, k: number, levels: readonly NoiseLevel[], weights: readonly number[]): MarBackboneBias {
  const nllBackbone = nllOptimalBackbone(w, k);
  const opt = dsmOptimalBackbone(w, k, levels, weights);
  const wsum = weights.reduce((a, b) => a + b, 0);
  const scoreNormNll = weightedScoreNorm(w, nllBackbone, levels, weights);
  const nllDsm = backboneNll(w, opt.subspace), nllNll = backboneNll(w, nllBackbone);
  return {
    dsmBackbone: opt.subspace, nllBackbone,
    scoreNormDsm: opt.weightedScoreNorm, scoreNormNll,
    marLossDsm: wsum * w.d - opt.weightedScoreNorm, marLossNll: wsum * w.d - scoreNormNll,
    nllDsm, nllNll,
    excessBitsPerDim: (nllDsm - nllNll) / (w.d * Math.LN2),
  };
}

/**
 * The conditioning z = Qᵀu′ of a backbone, written as the noisy linear encoder of the token that the
 * bias calculator takes (docs/bias-spec.md): for jointly Gaussian (v, z), z | v = E[z|v] + η, so
 * z′ = S_η^{−½} z = B v + ξ with B = S_η^{−½} QᵀCᵀΣ_vv⁻¹, S_η = Cov(z|v) = I − QᵀCᵀΣ_vv⁻¹CQ (z = Qᵀu′,
 * Cov z = I), τ = 1. Same Σ_{v|c}, hence the same input-bias gap, as the backbone's conditioning.
 */
export function backboneAsTokenEncoder(w: WhitenedTokenContext, Q: BackboneSubspace): LinearEncoder {
  const k = Q.cols;
  const SinvC = matmul(choleskyInverse(cholesky(w.tokenCov, 'Σ_vv')), w.C);
  const QtCt = transpose(matmul(w.C, Q)); // k×d = QᵀCᵀ
  const A = matmul(QtCt, choleskyInverse(cholesky(w.tokenCov, 'Σ_vv'))); // QᵀCᵀΣ_vv⁻¹
  const Seta = symmetrize(addMatrices(identityK(k), matmul(transpose(Q), matmul(matmul(transpose(w.C), SinvC), Q)), -1));
  const { values, vectors } = symmetricEigen(Seta, 'Cov(z|v)');
  const isqrt = zeros(k, k);
  for (let c = 0; c < k; c++) {
    if (!(values[c] > 0)) throw new InvalidArgumentError('backbone', values[c], 'Cov(z|v) must be positive definite (the context must not determine z from v)');
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) isqrt.data[i * k + j] += vectors.data[i * k + c] * vectors.data[j * k + c] / Math.sqrt(values[c]);
  }
  return { B: matmul(isqrt, A), b: new Float64Array(k), tau: 1 };
}

function identityK(k: number): Matrix {
  const m = zeros(k, k);
  for (let i = 0; i < k; i++) m.data[i * k + i] = 1;
  return m;
}

/** Joint Gaussian of (v, z) for a backbone z = Qᵀu′ (for cross-checks against the conditional DSM of `objectives`). */
export function tokenBackboneJoint(w: WhitenedTokenContext, Q: BackboneSubspace): Gaussian {
  const d = w.d, k = Q.cols, n = d + k;
  const CQ = matmul(w.C, Q);
  const cov = zeros(n, n);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov.data[i * n + j] = w.tokenCov.data[i * d + j];
  for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) {
    cov.data[i * n + d + j] = CQ.data[i * k + j];
    cov.data[(d + j) * n + i] = CQ.data[i * k + j];
  }
  for (let i = 0; i < k; i++) cov.data[(d + i) * n + d + i] = 1;
  return new Gaussian(new Float64Array(n), cov, 'tokenBackboneJoint');
}

/** One row of the figure "bits per dimension given up against the backbone width". */
export function marBiasByWidth(w: WhitenedTokenContext, levels: readonly NoiseLevel[], weights: readonly number[]): { k: number; excessBitsPerDim: number; scoreNormGain: number }[] {
  const rows: { k: number; excessBitsPerDim: number; scoreNormGain: number }[] = [];
  for (let k = 1; k <= w.p; k++) {
    const r = marBackboneBias(w, k, levels, weights);
    rows.push({ k, excessBitsPerDim: r.excessBitsPerDim, scoreNormGain: r.scoreNormDsm - r.scoreNormNll });
  }
  return rows;
}
