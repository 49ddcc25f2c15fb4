import { type VarianceSpec, hasVarianceHead } from '../diffusion/learnedVariance.ts';
import type { Parameterization } from '../diffusion/parameterization.ts';
import type { VPSchedule } from '../diffusion/schedule.ts';
import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Arithmetic, type Bounded, bounded, boundArithmetic, exactArithmetic, type Precision } from '../numerics/roundingArithmetic.ts';
import { requireFiniteArray, requireIntegerInRange } from '../validate.ts';
import { type BinArrangement, type DecoderCdf, discretizedGaussianLogLikelihood } from './discretizedGaussian.ts';

/*
 * The variational bound of a DDPM, term by term, at one (x_0, x_t) — what improved-diffusion's
 * `_vb_terms_bpd`, `_prior_bpd` and `calc_bpd_loop` compute (MATH.md §7.3; Li & Yan's
 * decomposition, §3, with the model's kernels in place of the true reverse kernels):
 *   L_{t−1} = KL(q(x_{t−1}|x_t, x_0) ‖ p_θ(x_{t−1}|x_t)),  t ≥ 2 (internal steps, the first noisy step is 1)
 *           = Σ_i ½[−1 + log σ_i² − log β̃_t + β̃_t/σ_i² + (μ̃_i − μ_θ,i)²/σ_i²],
 *   L_0     = −log p_θ(x_0|x_1): the 8-bit discretized Gaussian or a Gaussian density,
 *   L_T     = KL(q(x_T|x_0) ‖ N(0, I)) = Σ_i ½[−1 − log(1 − ᾱ_T) + (1 − ᾱ_T) + ᾱ_T x_{0,i}²],
 * with μ̃ = c0 x_0 + ct x_t, c0 = √ᾱ_{t−1}β_t/(1−ᾱ_t), ct = √α_t(1−ᾱ_{t−1})/(1−ᾱ_t), the model mean
 * μ_θ from the network output f = W_μ x_t + b_μ read in the declared parameterization, and the model
 * log-variance from the declared VarianceSpec (a variance head v = W_v x_t + b_v for learned kinds).
 * Units: 'nats' (summed over coordinates) or 'bits_per_dim' (averaged, ÷ ln 2).
 *
 * Written once against `Arithmetic<N>` so that a subject's rounding can be bounded; the model
 * mean has two forms that real code uses and that agree only on a consistent schedule:
 *   'posterior':  μ_θ = c0 x̂_0 + ct x_t  (improved-diffusion p_mean_variance, diffusers step),
 *   'ho':         μ_θ = (x_t + β_t ŝ)/√α_t (Ho et al. Algorithm 2).
 */

export type VlbUnits = 'nats' | 'bits_per_dim';
export type DecoderSpec = { readonly kind: 'discretized_gaussian'; readonly cdf: DecoderCdf } | { readonly kind: 'gaussian' };
export type MeanForm = 'posterior' | 'ho';

/** An affine network with a mean head (rows 0..d−1) and, for learned variances, a variance head (rows d..2d−1). */
export interface AffineHeads {
  readonly W: readonly (readonly number[])[];
  readonly b: readonly number[];
}

export interface VlbSetting {
  readonly parameterization: Parameterization;
  readonly variance: VarianceSpec;
  readonly decoder: DecoderSpec;
  readonly units: VlbUnits;
}

/** The schedule primitives at step t (and t = 2 for the clipped log-variance at t = 1). */
interface Primitives<N> {
  readonly abPrev: N;
  readonly ab: N;
  readonly beta: N;
  /** β̃_2's primitives, needed only at t = 1. */
  readonly second?: { readonly abPrev: N; readonly ab: N; readonly beta: N };
}

function primitivesOf<N>(A: Arithmetic<N>, schedule: VPSchedule, t: number, lift: (v: number, which: 'abPrev' | 'ab' | 'beta', step: number) => N): Primitives<N> {
  const at = (k: number) => ({ abPrev: k === 1 ? A.int(1) : lift(schedule.alphaBar(k - 1), 'abPrev', k), ab: lift(schedule.alphaBar(k), 'ab', k), beta: lift(schedule.beta(k), 'beta', k) });
  return { ...at(t), second: t === 1 && schedule.T >= 2 ? at(2) : undefined };
}

function betaTilde<N>(A: Arithmetic<N>, p: { abPrev: N; ab: N; beta: N }): N {
  return A.div(A.mul(A.sub(A.int(1), p.abPrev), p.beta), A.sub(A.int(1), p.ab));
}

function logVarianceOf<N>(A: Arithmetic<N>, spec: VarianceSpec, p: Primitives<N>, t: number, v: N | undefined): N {
  const clipped = () => A.log(t === 1 ? (p.second ? betaTilde(A, p.second) : p.beta) : betaTilde(A, p));
  switch (spec.kind) {
    case 'fixed_small':
      return clipped();
    case 'fixed_large':
      return t === 1 && (spec.first_step ?? 'beta_tilde_2') === 'beta_tilde_2' && p.second ? A.log(betaTilde(A, p.second)) : A.log(p.beta);
    case 'learned_range': {
      const minLog = (spec.min_log ?? 'clipped') === 'clipped' ? clipped() : A.log(A.max(t === 1 ? A.int(0) : betaTilde(A, p), A.c(1e-20)));
      const frac = A.div(A.add(v as N, A.int(1)), A.int(2));
      return A.add(A.mul(frac, A.log(p.beta)), A.mul(A.sub(A.int(1), frac), minLog));
    }
    case 'learned':
      return v as N;
  }
}

/** x̂_0 of output f in parameterization P at level (a, s): ε: (x − s f)/a; x_0: f; v: a x − s f; score: (x + s² f)/a. */
function x0Hat<N>(A: Arithmetic<N>, P: Parameterization, f: N, x: N, a: N, s: N): N {
  switch (P) {
    case 'eps':
      return A.div(A.sub(x, A.mul(s, f)), a);
    case 'x0':
      return f;
    case 'v':
      return A.sub(A.mul(a, x), A.mul(s, f));
    case 'score':
      return A.div(A.add(x, A.mul(A.mul(s, s), f)), a);
  }
}

/** ŝ of output f: ε: −f/s; x_0: (a f − x)/s²; v: −(s x + a f)/s; score: f. */
function scoreHat<N>(A: Arithmetic<N>, P: Parameterization, f: N, x: N, a: N, s: N): N {
  const zero = A.int(0);
  switch (P) {
    case 'eps':
      return A.sub(zero, A.div(f, s));
    case 'x0':
      return A.div(A.sub(A.mul(a, f), x), A.mul(s, s));
    case 'v':
      return A.sub(zero, A.div(A.add(A.mul(s, x), A.mul(a, f)), s));
    case 'score':
      return f;
  }
}

function requireHeads(heads: AffineHeads, d: number, withVariance: boolean): void {
  const rows = withVariance ? 2 * d : d;
  if (!Array.isArray(heads.W) || heads.W.length !== rows || heads.W.some((r) => !Array.isArray(r) || r.length !== d)) {
    throw new DimensionMismatchError('model.W', `${rows}×${d}${withVariance ? ' (mean head, then variance head)' : ''}`, Array.isArray(heads.W) ? `${heads.W.length}×${heads.W[0]?.length}` : String(heads.W));
  }
  if (!Array.isArray(heads.b) || heads.b.length !== rows) throw new DimensionMismatchError('model.b', rows, Array.isArray(heads.b) ? heads.b.length : String(heads.b));
  heads.W.forEach((r, i) => requireFiniteArray(`model.W[${i}]`, r));
  requireFiniteArray('model.b', heads.b);
}

/** One sample's term: L_{t−1} for t ≥ 2, L_0 at t = 1, in the setting's units. */
function vlbTermIn<N>(
  A: Arithmetic<N>, prim: Primitives<N>, t: number, setting: VlbSetting, heads: AffineHeads, x0: ArrayLike<number>, xt: ArrayLike<number>, form: MeanForm,
  bins: BinArrangement = 'tail',
): N {
  const d = x0.length;
  const one = A.int(1), half = A.c(0.5);
  const a = A.sqrt(prim.ab), s = A.sqrt(A.sub(one, prim.ab));
  const alpha = A.sub(one, prim.beta);
  const den = A.sub(one, prim.ab);
  const c0 = A.div(A.mul(A.sqrt(prim.abPrev), prim.beta), den);
  const ct = A.div(A.mul(A.sqrt(alpha), A.sub(one, prim.abPrev)), den);
  const x = Array.from(xt, (v) => A.c(v));
  const row = (i: number) => {
    let acc = A.c(heads.b[i]);
    for (let j = 0; j < d; j++) acc = A.add(acc, A.mul(A.c(heads.W[i][j]), x[j]));
    return acc;
  };
  const lv1 = t === 1 ? undefined : A.log(betaTilde(A, prim));
  let total = A.int(0);
  for (let i = 0; i < d; i++) {
    const f = row(i);
    const v = hasVarianceHead(setting.variance) ? row(d + i) : undefined;
    const lv2 = logVarianceOf(A, setting.variance, prim, t, v);
    const mu =
      form === 'posterior'
        ? A.add(A.mul(c0, x0Hat(A, setting.parameterization, f, x[i], a, s)), A.mul(ct, x[i]))
        : A.div(A.add(x[i], A.mul(prim.beta, scoreHat(A, setting.parameterization, f, x[i], a, s))), A.sqrt(alpha));
    let term: N;
    if (t === 1) {
      if (setting.decoder.kind === 'discretized_gaussian') {
        term = A.sub(A.int(0), discretizedGaussianLogLikelihood(A, x0[i], mu, A.mul(half, lv2), setting.decoder.cdf, bins));
      } else {
        const r = A.sub(A.c(x0[i]), mu);
        term = A.mul(half, A.add(A.add(A.c(Math.log(2 * Math.PI)), lv2), A.mul(A.mul(r, r), A.exp(A.sub(A.int(0), lv2)))));
      }
    } else {
      const mt = A.add(A.mul(c0, A.c(x0[i])), A.mul(ct, x[i]));
      const m = A.sub(mt, mu);
      const inner = A.add(A.add(A.sub(A.sub(lv2, lv1 as N), one), A.exp(A.sub(lv1 as N, lv2))), A.mul(A.mul(m, m), A.exp(A.sub(A.int(0), lv2))));
      term = A.mul(half, inner);
    }
    total = A.add(total, term);
  }
  return setting.units === 'nats' ? total : A.div(total, A.c(d * Math.LN2));
}

function checkInputs(schedule: VPSchedule, t: number, setting: VlbSetting, heads: AffineHeads, x0: ArrayLike<number>, xt: ArrayLike<number>): void {
  requireIntegerInRange('t', t, 1, schedule.T);
  if (x0.length < 1) throw new InvalidArgumentError('x0', x0, 'needs at least one coordinate');
  if (xt.length !== x0.length) throw new DimensionMismatchError('xt', x0.length, xt.length);
  requireFiniteArray('x0', x0);
  requireFiniteArray('xt', xt);
  requireHeads(heads, x0.length, hasVarianceHead(setting.variance));
}

/** The term under any arithmetic with the table's primitives lifted by `lift` (tests emulate subjects with it). */
export function vlbTermWith<N>(
  A: Arithmetic<N>, schedule: VPSchedule, t: number, setting: VlbSetting, heads: AffineHeads, x0: ArrayLike<number>, xt: ArrayLike<number>, form: MeanForm,
  lift: (v: number, which: 'abPrev' | 'ab' | 'beta', step: number) => N, bins: BinArrangement = 'tail',
): N {
  checkInputs(schedule, t, setting, heads, x0, xt);
  return vlbTermIn(A, primitivesOf(A, schedule, t, lift), t, setting, heads, x0, xt, form, bins);
}

/** The term at internal step t (L_0 at t = 1, else L_{t−1}) in float64, posterior form. */
export function vlbTerm(schedule: VPSchedule, t: number, setting: VlbSetting, heads: AffineHeads, x0: ArrayLike<number>, xt: ArrayLike<number>, form: MeanForm = 'posterior'): number {
  checkInputs(schedule, t, setting, heads, x0, xt);
  const prim = primitivesOf(exactArithmetic, schedule, t, (v) => v);
  return vlbTermIn(exactArithmetic, prim, t, setting, heads, x0, xt, form);
}

/**
 * A bound on how far a subject computing the term in precision `precision` (tensors and
 * coefficients both; the coarser of the two) from primitives within `primitiveError` of the
 * table's can be from the float64 value — the largest over both mean forms (MATH.md §7.1).
 */
export function vlbTermRoundingBound(
  schedule: VPSchedule, t: number, setting: VlbSetting, heads: AffineHeads, x0: ArrayLike<number>, xt: ArrayLike<number>,
  precision: Precision, primitiveError: (which: 'abPrev' | 'ab' | 'beta', step: number) => number,
): number {
  checkInputs(schedule, t, setting, heads, x0, xt);
  const A = boundArithmetic(precision);
  const prim = primitivesOf<Bounded>(A, schedule, t, (v, which, step) => bounded(v, primitiveError(which, step)));
  const forms = (['posterior', 'ho'] as const).flatMap((form) => (['direct', 'tail'] as const).map((bins) => vlbTermIn(A, prim, t, setting, heads, x0, xt, form, bins).e));
  return Math.max(...forms);
}

/** L_T = KL(N(√ᾱ_T x_0, (1−ᾱ_T)I) ‖ N(0, I)) in the given units (improved-diffusion `_prior_bpd`). */
export function vlbPriorTerm<N>(A: Arithmetic<N>, abT: N, x0: ArrayLike<number>, units: VlbUnits): N {
  const one = A.int(1);
  const v = A.sub(one, abT);
  let total = A.int(0);
  for (let i = 0; i < x0.length; i++) {
    const x = A.c(x0[i]);
    const inner = A.add(A.add(A.sub(A.int(-1), A.log(v)), v), A.mul(abT, A.mul(x, x)));
    total = A.add(total, A.mul(A.c(0.5), inner));
  }
  return units === 'nats' ? total : A.div(total, A.c(x0.length * Math.LN2));
}

/** L_T in float64. */
export function vlbPrior(schedule: VPSchedule, x0: ArrayLike<number>, units: VlbUnits): number {
  requireFiniteArray('x0', x0);
  return vlbPriorTerm(exactArithmetic, schedule.alphaBar(schedule.T), x0, units);
}

/**
 * The whole bound at x_0 with supplied noises (calc_bpd_loop with its randomness given):
 * x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε_t for every t, total = Σ_t term_t + L_T.
 */
export function vlbTotal(
  schedule: VPSchedule, setting: VlbSetting, heads: AffineHeads, x0: ArrayLike<number>, noises: readonly ArrayLike<number>[],
): { terms: Float64Array; prior: number; total: number } {
  if (noises.length !== schedule.T) throw new DimensionMismatchError('noises', `${schedule.T} (one per step)`, noises.length);
  const terms = new Float64Array(schedule.T);
  for (let t = 1; t <= schedule.T; t++) {
    const { a, s } = schedule.level(t);
    const eps = noises[t - 1];
    if (eps.length !== x0.length) throw new DimensionMismatchError(`noises[${t - 1}]`, x0.length, eps.length);
    const xt = Array.from(x0, (v, i) => a * v + s * eps[i]);
    terms[t - 1] = vlbTerm(schedule, t, setting, heads, x0, xt);
  }
  const prior = vlbPrior(schedule, x0, setting.units);
  let total = prior;
  for (const v of terms) total += v;
  return { terms, prior, total };
}
