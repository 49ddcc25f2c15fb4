import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { requireNoiseLevel } from '../diffusion/noiseLevel.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Matrix, zeros } from '../linalg/index.ts';
import type { LinearEncoder } from '../models/linearEncoder.ts';
import { checkFiniteResult, requireFinite } from '../validate.ts';
import { requireWeightedLevels } from './weightedLevels.ts';

/*
 * PerCo's encoder trained through a DSM loss at a fixed bitrate (Xu 2025, application 2; MATH.md §13.3).
 * Gaussian instance: source x ~ N(μ, Σ), Σ = V diag(λ) Vᵀ; the encoder is a set of Gaussian test
 * channels along the eigen-directions with rates r_i ≥ 0 (nats), Σ r_i = R fixed (PerCo's rate is fixed
 * by its quantizer). Direction i keeps posterior variance v_i = λ_i e^{−2r_i}; as a noisy linear encoder
 * c = Bx + ξ (τ = 1), B = diag(b) Vᵀ with b_i² = (e^{2r_i} − 1)/λ_i. The conditional diffusion decoder
 * is trained jointly; at its optimum ESM = 0 for every allocation, and the mutual information — hence
 * the likelihood h(x|c) = h(x) − R — is the same for every allocation at rate R. Neither ranks them.
 * DSM does (Theorem 2): with ε-prediction weights ω_t, the encoder maximizes
 *   N_w(r) = Σ_t ω_t Σ_i s_t²/(a_t² v_i + s_t²),
 * each φ_i(r_i) increasing and S-shaped in r_i: bits go to directions whose posterior variance sits
 * near the trained noise levels' s_t²/a_t², not where they reduce the error most. A perfect-realism
 * decoder (x̂ ~ q(x|c)) has MSE E‖x − x̂‖² = 2 Σ v_i, minimized at rate R by reverse water-filling
 * v_i = min(λ_i, θ). The bias in a codec user's units: the PSNR lost at equal rate,
 * 10 log10(MSE_DSM/MSE_wf) dB.
 */

/** A rate allocation over eigen-directions (nats per direction; total = the rate budget). */
export interface RateAllocation {
  readonly rates: Float64Array;
  /** v_i = λ_i e^{−2 r_i}. */
  readonly posteriorVariances: Float64Array;
}

function requireEigenvalues(lambda: ArrayLike<number>): void {
  if (lambda.length < 1) throw new InvalidArgumentError('eigenvalues', lambda.length, 'need at least one direction');
  for (let i = 0; i < lambda.length; i++) {
    const v = lambda[i];
    if (!(Number.isFinite(v) && v > 0)) throw new InvalidArgumentError(`eigenvalues[${i}]`, v, 'must be finite and > 0');
  }
}

export function allocation(lambda: ArrayLike<number>, rates: ArrayLike<number>): RateAllocation {
  requireEigenvalues(lambda);
  if (rates.length !== lambda.length) throw new DimensionMismatchError('rates', lambda.length, rates.length);
  for (let i = 0; i < rates.length; i++) {
    requireFinite(`rates[${i}]`, rates[i]);
    if (!(rates[i] >= 0)) throw new InvalidArgumentError(`rates[${i}]`, rates[i], 'a rate is ≥ 0');
  }
  const r = Float64Array.from(rates);
  return { rates: r, posteriorVariances: Float64Array.from(lambda, (l, i) => l * Math.exp(-2 * r[i])) };
}

/** Reverse water-filling: v_i = min(λ_i, θ) with Σ ½ log(λ_i/v_i) = R (the MSE-optimal allocation). */
export function waterFillingAllocation(lambda: ArrayLike<number>, rateNats: number): RateAllocation {
  requireEigenvalues(lambda);
  requireFinite('rateNats', rateNats);
  if (!(rateNats >= 0)) throw new InvalidArgumentError('rateNats', rateNats, 'must be ≥ 0');
  const ls = Array.from(lambda);
  const rateAt = (theta: number) => ls.reduce((acc, l) => acc + (l > theta ? 0.5 * Math.log(l / theta) : 0), 0);
  let hi = Math.max(...ls), lo = hi;
  while (rateAt(lo) < rateNats) lo /= 2;
  for (let it = 0; it < 200 && hi - lo > 1e-16 * hi; it++) {
    const mid = 0.5 * (lo + hi);
    if (rateAt(mid) > rateNats) lo = mid; else hi = mid;
  }
  const theta = rateNats === 0 ? Math.max(...ls) : 0.5 * (lo + hi);
  return allocation(ls, ls.map((l) => (l > theta ? 0.5 * Math.log(l / theta) : 0)));
}

/** φ(v) summed over the weighted levels: Σ_t ω_t s_t²/(a_t² v + s_t²) (one direction). */
function directionScoreNorm(v: number, levels: readonly NoiseLevel[], weights: readonly number[]): number {
  let acc = 0;
  for (let j = 0; j < levels.length; j++) {
    const a2 = levels[j].a ** 2, s2 = levels[j].s ** 2;
    acc += (weights[j] * s2) / (a2 * v + s2);
  }
  return acc;
}

/** dφ/dr = Σ_t ω_t 2 s_t² a_t² v/(a_t² v + s_t²)² at v = λe^{−2r}: the marginal score-norm gain per nat. */
export function marginalScoreNormGain(v: number, levels: readonly NoiseLevel[], weights: readonly number[]): number {
  let acc = 0;
  for (let j = 0; j < levels.length; j++) {
    const a2 = levels[j].a ** 2, s2 = levels[j].s ** 2;
    const den = a2 * v + s2;
    acc += (2 * weights[j] * s2 * a2 * v) / (den * den);
  }
  return acc;
}

/** N_w(r) = Σ_i Σ_t ω_t s_t²/(a_t² v_i + s_t²): what a jointly trained DSM encoder maximizes. */
export function allocationScoreNorm(a: RateAllocation, levels: readonly NoiseLevel[], weights: readonly number[]): number {
  requireWeightedLevels(levels, weights);
  let total = 0;
  for (const v of a.posteriorVariances) total += directionScoreNorm(v, levels, weights);
  return checkFiniteResult('allocationScoreNorm', total);
}

/** MSE per dimension of a perfect-realism decoder, 2 Σ v_i / d. */
export function realismMse(a: RateAllocation): number {
  let s = 0;
  for (const v of a.posteriorVariances) s += v;
  return (2 * s) / a.posteriorVariances.length;
}

/** Grid steps of the global search below: R/512 per step. */
const GRID_STEPS = 512;

/**
 * The exact maximum of Σ_i φ_i(r_i) over rates on the grid r_i ∈ (R/K)·ℕ, Σ r_i = R, by dynamic programming
 * over the budget (MATH.md §13.3). φ_i is S-shaped, so local search from a heuristic start can stop in the
 * wrong basin (suite seed 161: greedy + exchange gave N_w = 1.9428, all rate on one direction 1.9438, the
 * optimum 1.9987); the grid optimum lies within O(h²) of the best continuous value of its basin.
 */
function gridOptimalRates(ls: readonly number[], rateNats: number, levels: readonly NoiseLevel[], weights: readonly number[]): Float64Array {
  const n = ls.length, K = GRID_STEPS, h = rateNats / K;
  // value[k]: the best Σ φ over the directions so far with k steps spent; take[i·(K+1) + k]: steps given to direction i.
  let value = new Float64Array(K + 1);
  const take = new Int32Array(n * (K + 1));
  const phi = new Float64Array(K + 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= K; j++) phi[j] = directionScoreNorm(ls[i] * Math.exp(-2 * j * h), levels, weights);
    const next = new Float64Array(K + 1).fill(-Infinity);
    for (let k = 0; k <= K; k++) {
      if (i === 0) { next[k] = phi[k]; take[k] = k; continue; }
      for (let j = 0; j <= k; j++) {
        const v = value[k - j] + phi[j];
        if (v > next[k]) { next[k] = v; take[i * (K + 1) + k] = j; }
      }
    }
    value = next;
  }
  const rates = new Float64Array(n);
  for (let i = n - 1, k = K; i >= 0; i--) {
    const j = take[i * (K + 1) + k];
    rates[i] = j * h;
    k -= j;
  }
  return rates;
}

/**
 * The DSM-optimal allocation at rate R: maximize Σ_i φ_i(r_i) over the simplex Σ r_i = R, r ≥ 0.
 * φ_i is not concave (S-shaped), so: the exact optimum on the grid r_i ∈ (R/512)ℕ (`gridOptimalRates`),
 * then pairwise exchange (move δ from the direction with the smallest marginal gain to the one with the
 * largest while it helps), halving δ from R/256 to R·1e-12; run from the grid optimum and from
 * water-filling; the better end is returned. At the end every direction with r_i > δ has the same
 * marginal gain up to δ.
 */
export function dsmOptimalAllocation(lambda: ArrayLike<number>, rateNats: number, levels: readonly NoiseLevel[], weights: readonly number[]): RateAllocation {
  requireEigenvalues(lambda);
  requireWeightedLevels(levels, weights);
  requireFinite('rateNats', rateNats);
  if (!(rateNats >= 0)) throw new InvalidArgumentError('rateNats', rateNats, 'must be ≥ 0');
  const n = lambda.length;
  const ls = Array.from(lambda);
  if (rateNats === 0) return allocation(ls, new Float64Array(n));
  const phi = (i: number, r: number) => directionScoreNorm(ls[i] * Math.exp(-2 * r), levels, weights);
  const value = (r: Float64Array) => ls.reduce((acc, _l, i) => acc + phi(i, r[i]), 0);
  // Exchange refinement: move δ from the direction with the smallest marginal gain (r_i ≥ δ) to the
  // one with the largest, while the exact change of the two terms is positive; then halve δ.
  const refine = (r: Float64Array): Float64Array => {
    let delta = rateNats / 256;
    while (delta > rateNats * 1e-12) {
      for (let guard = 0; guard < 100000; guard++) {
        let lo = -1, hi = -1, gLo = Infinity, gHi = -Infinity;
        for (let i = 0; i < n; i++) {
          const g = marginalScoreNormGain(ls[i] * Math.exp(-2 * r[i]), levels, weights);
          if (r[i] >= delta && g < gLo) { gLo = g; lo = i; }
          if (g > gHi) { gHi = g; hi = i; }
        }
        if (lo < 0 || hi === lo) break;
        const change = phi(lo, r[lo] - delta) - phi(lo, r[lo]) + phi(hi, r[hi] + delta) - phi(hi, r[hi]);
        if (!(change > 0)) break;
        r[lo] -= delta; r[hi] += delta;
      }
      delta /= 2;
    }
    return r;
  };
  const ends = [refine(gridOptimalRates(ls, rateNats, levels, weights)), refine(Float64Array.from(waterFillingAllocation(ls, rateNats).rates))];
  const best = value(ends[0]) >= value(ends[1]) ? ends[0] : ends[1];
  // restore the budget exactly against rounding (refinement moves mass in ±δ pairs; grid rates are j·R/512)
  const total = best.reduce((a, b) => a + b, 0);
  return allocation(ls, best.map((v) => Math.max(0, (v * rateNats) / total)));
}

/** The bias of a DSM-trained PerCo-style encoder at a fixed rate, in codec units. */
export interface PercoBias {
  readonly dsm: RateAllocation;
  readonly waterFilling: RateAllocation;
  readonly scoreNormDsm: number;
  readonly scoreNormWaterFilling: number;
  /** Per-dimension MSE of perfect-realism decoding. */
  readonly mseDsm: number;
  readonly mseWaterFilling: number;
  /** 10 log10(MSE_DSM/MSE_wf) ≥ 0: PSNR lost by the DSM-trained encoder at the same rate. */
  readonly psnrLossDb: number;
  /** The rate, bits per dimension. */
  readonly bitsPerDim: number;
}

export function percoBias(lambda: ArrayLike<number>, rateNats: number, levels: readonly NoiseLevel[], weights: readonly number[]): PercoBias {
  const dsm = dsmOptimalAllocation(lambda, rateNats, levels, weights);
  const wf = waterFillingAllocation(lambda, rateNats);
  const mseDsm = realismMse(dsm), mseWf = realismMse(wf);
  return {
    dsm, waterFilling: wf,
    scoreNormDsm: allocationScoreNorm(dsm, levels, weights), scoreNormWaterFilling: allocationScoreNorm(wf, levels, weights),
    mseDsm, mseWaterFilling: mseWf, psnrLossDb: 10 * Math.log10(mseDsm / mseWf),
    bitsPerDim: rateNats / (lambda.length * Math.LN2),
  };
}

/**
 * The allocation as the bias calculator's encoder (docs/bias-spec.md): c = B x + ξ, τ = 1,
 * B = diag(b) Vᵀ, b_i = √((e^{2r_i} − 1)/λ_i), where column i of `eigenvectors` (V) is the direction of
 * the allocation's i-th rate and λ_i = v_i e^{2r_i} its eigenvalue (rows of directions with r_i = 0 are zero).
 * For a diagonal covariance in the allocation's order, V = I.
 */
export function allocationEncoder(eigenvectors: Matrix, a: RateAllocation): LinearEncoder {
  const d = a.rates.length;
  if (eigenvectors.rows !== d || eigenvectors.cols !== d) throw new DimensionMismatchError('eigenvectors', `${d}x${d}`, `${eigenvectors.rows}x${eigenvectors.cols}`);
  const B = zeros(d, d);
  for (let i = 0; i < d; i++) {
    const lambda = a.posteriorVariances[i] * Math.exp(2 * a.rates[i]);
    const b = Math.sqrt(Math.expm1(2 * a.rates[i]) / lambda);
    for (let j = 0; j < d; j++) B.data[i * d + j] = b * eigenvectors.data[j * d + i];
  }
  return { B, b: new Float64Array(d), tau: 1 };
}

/** Figure-ready: PSNR lost and score-norm gain against the rate (bits per dimension). */
export function percoBiasByRate(lambda: ArrayLike<number>, bitsPerDim: readonly number[], levels: readonly NoiseLevel[], weights: readonly number[]): { bitsPerDim: number; psnrLossDb: number; scoreNormGain: number }[] {
  return bitsPerDim.map((b) => {
    const r = percoBias(lambda, b * lambda.length * Math.LN2, levels, weights);
    return { bitsPerDim: b, psnrLossDb: r.psnrLossDb, scoreNormGain: r.scoreNormDsm - r.scoreNormWaterFilling };
  });
}
