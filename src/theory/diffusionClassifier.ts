import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { logSumExp } from '../gaussian/mixture.ts';
import type { Rng } from '../mc/rng.ts';
import { requireFiniteArray, requireIntegerInRange } from '../validate.ts';
import { type DdpmModel, type ReverseVariance, ddpmElbo, elboRoundingFloor, gaussianScoreModel, marginalPrior, standardPrior } from './elbo.ts';

/*
 * Diffusion classifier (Li & Yan 2024, application 3): p̂(c | x_0) ∝ π_c exp(ELBO_T(x_0; c)),
 * the per-class ELBO of a DDPM with the exact score of class c's conditional N(μ_c, Σ_c),
 * against the Bayes posterior p(c | x_0) ∝ π_c N(x_0; μ_c, Σ_c).
 */

export interface ClassifierOptions {
  readonly variance?: ReverseVariance;
  /** p(x_T): N(0, I) ('standard', as used in practice) or each class's own marginal ('model-marginal'). */
  readonly prior?: 'standard' | 'model-marginal';
}

function requireClasses(classes: readonly Gaussian[], weights: ArrayLike<number>, x0: ArrayLike<number>): void {
  if (classes.length < 2) throw new InvalidArgumentError('classes', classes.length, 'need at least two classes');
  if (weights.length !== classes.length) throw new DimensionMismatchError('weights', classes.length, weights.length);
  for (let k = 0; k < weights.length; k++) if (!(weights[k] > 0)) throw new InvalidArgumentError(`weights[${k}]`, weights[k], 'must be > 0');
  requireFiniteArray('x0', x0);
  classes.forEach((c, k) => {
    if (c.dim !== x0.length) throw new DimensionMismatchError(`classes[${k}]`, x0.length, c.dim);
  });
}

/** π must be a distribution where it is the data's mixture law. */
function requireDistribution(weights: ArrayLike<number>): void {
  let s = 0;
  for (let k = 0; k < weights.length; k++) s += weights[k];
  if (!(Math.abs(s - 1) <= 1e-12 * weights.length)) throw new InvalidArgumentError('weights', s, 'must sum to 1');
}

function softmax(logits: Float64Array): Float64Array {
  const z = logSumExp(logits);
  return logits.map((l) => Math.exp(l - z));
}

/** Bayes logits log π_c + log N(x_0; μ_c, Σ_c). */
export function bayesLogits(classes: readonly Gaussian[], weights: ArrayLike<number>, x0: ArrayLike<number>): Float64Array {
  requireClasses(classes, weights, x0);
  return Float64Array.from(classes, (c, k) => Math.log(weights[k]) + c.logPdf(x0));
}

/** p(c | x_0) ∝ π_c N(x_0; μ_c, Σ_c). */
export function bayesPosterior(classes: readonly Gaussian[], weights: ArrayLike<number>, x0: ArrayLike<number>): Float64Array {
  return softmax(bayesLogits(classes, weights, x0));
}

/** The DDPM of class c: its exact diffused score, σ_t², and p(x_T). */
export function classModel(c: Gaussian, schedule: VPSchedule, opts: ClassifierOptions = {}): DdpmModel {
  const prior = (opts.prior ?? 'standard') === 'standard' ? standardPrior(c.dim) : marginalPrior(c, schedule);
  return { score: gaussianScoreModel(c, schedule), variance: opts.variance ?? 'beta', prior };
}

/** Classifier logits log π_c + ELBO_T(x_0; c). */
export function diffusionClassifierLogits(
  classes: readonly Gaussian[], weights: ArrayLike<number>, schedule: VPSchedule, x0: ArrayLike<number>, opts: ClassifierOptions = {},
): Float64Array {
  requireClasses(classes, weights, x0);
  return Float64Array.from(classes, (c, k) => Math.log(weights[k]) + ddpmElbo(classModel(c, schedule, opts), schedule, { mean: x0 }).elbo);
}

/** p̂(c | x_0) ∝ π_c exp(ELBO_T(x_0; c)). */
export function diffusionClassifierPosterior(
  classes: readonly Gaussian[], weights: ArrayLike<number>, schedule: VPSchedule, x0: ArrayLike<number>, opts: ClassifierOptions = {},
): Float64Array {
  return softmax(diffusionClassifierLogits(classes, weights, schedule, x0, opts));
}

/**
 * Exact bound on the classifier's error from its logits ℓ̂ against the Bayes logits ℓ:
 * p̂_c ∝ p_c e^{−e_c} with e_c = ℓ_c − ℓ̂_c = log q_c(x_0) − ELBO_c(x_0), so the likelihood ratio
 * p̂_c/p_c ranges over a factor e^R, R = max e − min e, and TV(p, p̂) ≤ tanh(R/4) (the two-point
 * extremal: ratios e^{±R/2}).
 */
export function logitPerturbationTvBound(bayes: ArrayLike<number>, classifier: ArrayLike<number>): number {
  if (bayes.length !== classifier.length) throw new DimensionMismatchError('classifier', bayes.length, classifier.length);
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < bayes.length; k++) {
    const e = bayes[k] - classifier[k];
    lo = Math.min(lo, e);
    hi = Math.max(hi, e);
  }
  return Math.tanh((hi - lo) / 4);
}

/** Total-variation distance ½ Σ |p − q|. */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new DimensionMismatchError('q', p.length, q.length);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
  return 0.5 * s;
}

/**
 * B_T = Σ_c π_c E_{q_c}[log q_c − ELBO_T(·; c)] (closed form: each class's expected ELBO gap).
 * It bounds the classifier's mixture-averaged error: with e_c = log q_c − ELBO_c and
 * Z = Σ_c π_c e^{ELBO_c}, KL(p(·|x) ‖ p̂_T(·|x)) = Σ_c p(c|x) e_c(x) + log(Z(x)/q(x)); the first
 * term averages to B_T over x ~ q = Σ π_c q_c, and E log(Z/q) ≤ log ∫ Z ≤ log Σ π_c ∫ p_θ,c = 0
 * (Jensen; ELBO_c ≤ log p_θ,c). So E_x KL ≤ B_T and, by Pinsker, E_x TV ≤ √(B_T/2).
 */
export function classifierKlBound(
  classes: readonly Gaussian[], weights: ArrayLike<number>, schedule: VPSchedule, opts: ClassifierOptions = {},
): { readonly bound: number; readonly roundingFloor: number } {
  requireClasses(classes, weights, classes[0]?.mean ?? []);
  requireDistribution(weights);
  let bound = 0, roundingFloor = 0;
  classes.forEach((c, k) => {
    const terms = ddpmElbo(classModel(c, schedule, opts), schedule, { mean: c.mean, cov: c.cov });
    const logDet = c.logDetCov(), h = c.dim * Math.log(2 * Math.PI * Math.E);
    bound += weights[k] * (-0.5 * (h + logDet) - terms.elbo);
    roundingFloor += weights[k] * elboRoundingFloor(terms, schedule.T, 0.5 * (h + Math.abs(logDet)));
  });
  return { bound, roundingFloor };
}

/**
 * ELBO_T(x; c) is a quadratic in x (every term is E‖A x + u + noise‖²): read its coefficients
 * off 1 + 2d + d(d−1)/2 evaluations (exact for a quadratic up to rounding) and return x ↦ ELBO,
 * with F = the largest rounding floor of those evaluations: k, b_i carry ≤ F, A_ij ≤ 2F, so the
 * value at x errs by ≤ F(1 + ‖x‖₁ + 2‖x‖₁²).
 */
function elboQuadratic(model: DdpmModel, schedule: VPSchedule): { readonly at: (x: Float64Array) => number; readonly floor: number } {
  const d = model.score.dim;
  let floor = 0;
  const f = (x: Float64Array) => {
    const terms = ddpmElbo(model, schedule, { mean: x });
    floor = Math.max(floor, elboRoundingFloor(terms, schedule.T));
    return terms.elbo;
  };
  const e = (i: number, j = -1, si = 1) => { const x = new Float64Array(d); x[i] += si; if (j >= 0) x[j] += 1; return x; };
  const k = f(new Float64Array(d));
  const b = new Float64Array(d), A = new Float64Array(d * d);
  const fp = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    fp[i] = f(e(i));
    const fm = f(e(i, -1, -1));
    b[i] = 0.5 * (fp[i] - fm);
    A[i * d + i] = 0.5 * (fp[i] + fm) - k;
  }
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) A[i * d + j] = 0.5 * (f(e(i, j)) - fp[i] - fp[j] + k);
  const at = (x: Float64Array) => {
    let v = k;
    for (let i = 0; i < d; i++) {
      v += b[i] * x[i] + A[i * d + i] * x[i] * x[i];
      for (let j = i + 1; j < d; j++) v += 2 * A[i * d + j] * x[i] * x[j];
    }
    return v;
  };
  return { at, floor };
}

/**
 * n draws of KL(p(·|x) ‖ p̂_T(·|x)) with x ~ q = Σ_c π_c q_c (class drawn by π, then x ~ q_c), from
 * the seeded `rng`. `classifierWeights` (default: the true π) lets a negative control use a wrong prior.
 * `roundingFloor` bounds the rounding of their mean: a logit error δ moves the KL by ≤ 2 max|δ|
 * (∂KL/∂e_c = p(c|x) − p̂(c|x) after normalization, each in [−1, 1]; the Bayes logits are exact
 * to u), so ≤ 2 max_c F_c · mean(1 + ‖x‖₁ + 2‖x‖₁²).
 */
export function classifierKlSamples(
  classes: readonly Gaussian[], weights: ArrayLike<number>, schedule: VPSchedule, rng: Rng, n: number, opts: ClassifierOptions & { classifierWeights?: ArrayLike<number> } = {},
): { readonly kl: Float64Array; readonly roundingFloor: number } {
  requireClasses(classes, weights, classes[0]?.mean ?? []);
  requireDistribution(weights);
  requireIntegerInRange('n', n, 1, 1e8);
  const K = classes.length, d = classes[0].dim;
  const cw = opts.classifierWeights ?? weights;
  const elbos = classes.map((c) => elboQuadratic(classModel(c, schedule, opts), schedule));
  const logPi = Float64Array.from(classes, (_, k) => Math.log(weights[k]));
  const logPiHat = Float64Array.from(classes, (_, k) => Math.log(cw[k]));
  const x = new Float64Array(d), xi = new Float64Array(d);
  const bayes = new Float64Array(K), hat = new Float64Array(K);
  const out = new Float64Array(n);
  let growth = 0;
  for (let s = 0; s < n; s++) {
    let u = rng.uniform(), c = 0;
    while (c < K - 1 && u >= weights[c]) u -= weights[c++];
    classes[c].sampleInto(rng, x, xi);
    let l1 = 0;
    for (let i = 0; i < d; i++) l1 += Math.abs(x[i]);
    growth += (1 + l1 + 2 * l1 * l1) / n;
    for (let k = 0; k < K; k++) {
      bayes[k] = logPi[k] + classes[k].logPdf(x);
      hat[k] = logPiHat[k] + elbos[k].at(x);
    }
    const zb = logSumExp(bayes), zh = logSumExp(hat);
    let kl = 0;
    for (let k = 0; k < K; k++) {
      const lb = bayes[k] - zb;
      kl += Math.exp(lb) * (lb - (hat[k] - zh));
    }
    out[s] = kl;
  }
  const F = Math.max(...elbos.map((e) => e.floor));
  return { kl: out, roundingFloor: 2 * F * growth + 8 * K * (Number.EPSILON / 2) };
}
