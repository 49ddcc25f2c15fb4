import { InvalidArgumentError, DimensionMismatchError } from '../errors.ts';
import { Gaussian } from '../gaussian/gaussian.ts';
import { type DataDistribution, GaussianMixture } from '../gaussian/mixture.ts';
import { gaussianKL } from '../gaussian/klDivergence.ts';
import { cholesky, choleskyLogDet } from '../linalg/index.ts';
import { gaussHermiteGrid, gaussHermiteRules } from '../numerics/gaussHermite.ts';
import { integrate, integrateVector } from '../numerics/gaussKronrod.ts';
import { requireIntegerInRange } from '../validate.ts';
import { mmseNoisePredictor } from './mmseNoisePredictor.ts';
import { type VpPoint, logSnrPanels, vpPointAtLogSnr } from './vpPoint.ts';

/*
 * Li & Yan 2024 §4.2 — what a score-matching regularizer controls in GAN training (MATH.md §13.5).
 * Applying the density formula (MATH.md §3) to the generator p_G and to the data p_data at the same
 * x_0 and subtracting, then averaging over x_0 ~ p_G (ε*_G = E[z | x_α] under p_G kills the cross term):
 *   KL(p_G ‖ p_data) = ½ ∫₀¹ E_{x_α ~ p_{G,α}} ‖ε*_data(x_α) − ε*_G(x_α)‖² / (α(1−α)) dα
 *                    = ½ ∫_ℝ E_{p_{G,α}} ‖ε*_data − ε*_G‖² dλ           (λ = log(α/(1−α)))
 *                    = ½ ∫₀¹ E_{p_{G,α}} ‖∇log p_{G,α} − ∇log p_{data,α}‖² dα / α:
 * the divergence between generator and data written through their scores along the forward process.
 * The regularizer one can implement without ε*_G — the DSM form with a frozen data model,
 *   R_DSM(G) = ½ ∫ (E_{x_0~p_G, z} ‖ε*_data(√α x_0 + √(1−α) z) − z‖² − dα) dλ,
 * is by the formula −E_{p_G} log p_data − (d/2) log(2πe) = KL(p_G ‖ p_data) + H(p_G) − (d/2) log(2πe):
 * the generator's entropy enters with a + sign, so minimizing R_DSM alone rewards collapse (Xu 2025's
 * bias on the data distribution, sds.ts).
 */

export interface QuadratureValue {
  readonly value: number;
  /** Deterministic bound: ½ (Gauss–Kronrod estimate + tails + inner-rule discrepancy). */
  readonly error: number;
}

const L_BOUND = 40;
const MAX_GH_DIM = 2;
/**
 * Gauss–Hermite nodes per axis for a 2-d generator mixture's inner expectation (rules 48/32/24 for the
 * error estimate). At 30 the three rules still erred alike on a data mixture with a 0.1-variance
 * component (suite seed 41: error ≈ 0.021 against an estimate of 0.017); at 48 the estimate is
 * 0.019 against an error ≈ 0.005, and at 40/54/90 it also covers the error (MATH.md §13.5).
 */
const D2_NODES = 48;

/** E_{x ~ N(m, C)} f(x) by a tensor Gauss–Hermite rule (x = m + L g). */
function gaussHermiteExpectation(grid: ReturnType<typeof gaussHermiteGrid>, mean: Float64Array, L: Float64Array, f: (x: Float64Array) => number, x: Float64Array): number {
  const d = mean.length;
  let acc = 0;
  for (let c = 0; c < grid.count; c++) {
    for (let i = 0; i < d; i++) {
      let v = mean[i];
      for (let k = 0; k < d; k++) v += L[i * d + k] * grid.nodes[c * d + k];
      x[i] = v;
    }
    acc += grid.weights[c] * f(x);
  }
  return acc;
}

function components(p: DataDistribution): { weights: Float64Array; comps: readonly Gaussian[] } {
  return p instanceof Gaussian ? { weights: Float64Array.of(1), comps: [p] } : { weights: p.weights, comps: p.components };
}

/** E_{N(m, v)} f over z ∈ [−12, 12] (x = m + √v z) by adaptive Gauss–Kronrod: value and error estimate (d = 1). */
function gaussKronrodExpectation1d(m: number, v: number, f: (x: Float64Array) => number, x: Float64Array): { value: number; error: number } {
  const sd = Math.sqrt(v), c = 1 / Math.sqrt(2 * Math.PI);
  const r = integrate((z) => {
    x[0] = m + sd * z;
    return c * Math.exp(-0.5 * z * z) * f(x);
  }, -12, 12, { absTol: 1e-13, relTol: 1e-12, initialPieces: 12, maxIntervals: 400 });
  return { value: r.value, error: r.error };
}

/** L·R(θ) for a 2×2 factor (x = m + L R z with z ~ N(0, I) has the same law: a rotated tensor grid). */
function rotatedFactor(L: Float64Array, theta: number): Float64Array {
  const c = Math.cos(theta), s = Math.sin(theta);
  return Float64Array.of(L[0] * c + L[1] * s, -L[0] * s + L[1] * c, L[2] * c + L[3] * s, -L[2] * s + L[3] * c);
}

/** The rotation of the fourth rule: not a multiple of π/4, so no node line of the rotated grid is an axis or a diagonal of the first. */
const GRID_ROTATION = Math.PI / 5;

/**
 * Σ_k π_k E_{N(m_k, L_kL_kᵀ)} f by the fine rule, with the error estimate the largest difference from three other
 * rules: the ⌈2n/3⌉ and ⌈n/2⌉ rules (one coarser rule alone under-stated the error where two rules erred alike,
 * suite seed 18), and the fine rule on a grid rotated by π/5. Nested-size rules share their blind spots in the
 * pre-asymptotic regime — all three erred alike by ≈ 0.021 on a data component of variance 0.1 (suite seed 41 at
 * 30 nodes, seed 62 at 48) — while the rotated grid samples a sharp feature of f at other places (MATH.md §13.5).
 */
function ghOverComponents(rules: ReturnType<typeof gaussHermiteRules>, weights: ArrayLike<number>, parts: readonly { m: Float64Array; L: Float64Array }[], f: (y: Float64Array) => number, x: Float64Array): QuadratureValue {
  let a = 0, b = 0, c2 = 0, r = 0;
  parts.forEach(({ m, L }, k) => {
    const fine = gaussHermiteExpectation(rules.fine, m, L, f, x);
    a += weights[k] * fine;
    b += weights[k] * gaussHermiteExpectation(rules.coarse, m, L, f, x);
    c2 += weights[k] * gaussHermiteExpectation(rules.coarser, m, L, f, x);
    r += weights[k] * (m.length === 2 ? gaussHermiteExpectation(rules.fine, m, rotatedFactor(L, GRID_ROTATION), f, x) : fine);
  });
  return { value: a, error: Math.max(Math.abs(a - b), Math.abs(a - c2), Math.abs(a - r)) };
}

/**
 * The λ-integrand E_{x ~ p_α} g(x, t) over the components of p_α: in d = 1 by adaptive Gauss–Kronrod per
 * component (components out[0] = out[1] = value, out[2] = the integrator's error estimate — robust to components
 * of very different widths, where Gauss–Hermite's fine/coarse difference under-estimated the error: seed 3);
 * in d = 2 by tensor Gauss–Hermite (out[1] = out[0], out[2] = the error estimate of ghOverComponents).
 */
function mixtureIntegrand(p: DataDistribution, nodes: number, g: (x: Float64Array, t: VpPoint) => number): (t: VpPoint) => Float64Array {
  const { weights, comps } = components(p);
  const d = p.dim;
  if (d === 1) {
    const x = new Float64Array(1);
    const out = new Float64Array(3);
    return (t) => {
      let a = 0, e = 0;
      comps.forEach((c, k) => {
        const r = gaussKronrodExpectation1d(t.a * c.mean[0], t.alpha * c.cov.data[0] + t.oneMinusAlpha, (y) => g(y, t), x);
        a += weights[k] * r.value;
        e += weights[k] * r.error;
      });
      out[0] = a;
      out[1] = a;
      out[2] = e;
      return out;
    };
  }
  requireIntegerInRange('dimension (Gauss–Hermite)', d, 1, MAX_GH_DIM);
  const rules = gaussHermiteRules(d, nodes, 3);
  const x = new Float64Array(d);
  const out = new Float64Array(3);
  return (t) => {
    const parts = comps.map((c, k) => {
      const cov = { rows: d, cols: d, data: new Float64Array(d * d) };
      for (let i = 0; i < d * d; i++) cov.data[i] = t.alpha * c.cov.data[i];
      for (let i = 0; i < d; i++) cov.data[i * d + i] += t.oneMinusAlpha;
      return { m: c.mean.map((v) => t.a * v), L: cholesky(cov, `generator.components[${k}] (marginal)`).data };
    });
    const r = ghOverComponents(rules, weights, parts, (y) => g(y, t), x);
    out[0] = r.value;
    out[1] = r.value;
    out[2] = r.error;
    return out;
  };
}


/** For a Gaussian generator: probe the two (affine) predictors at c = aμ_G and c + e_j: u(x) = u0 + U(x − c), v likewise. */
function affinePair(generator: Gaussian, eData: (x: Float64Array, t: VpPoint) => ArrayLike<number>, eGen: (x: Float64Array, t: VpPoint) => ArrayLike<number>, t: VpPoint) {
  const d = generator.dim;
  const c = generator.mean.map((m) => t.a * m);
  const x = Float64Array.from(c);
  const u0 = Float64Array.from(eData(x, t)), v0 = Float64Array.from(eGen(x, t));
  const U = new Float64Array(d * d), V = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    x.set(c);
    x[j] += 1;
    const u = eData(x, t), v = eGen(x, t);
    for (let i = 0; i < d; i++) {
      U[i * d + j] = u[i] - u0[i];
      V[i * d + j] = v[i] - v0[i];
    }
  }
  // Σ_α = αΣ_G + (1−α)I
  const S = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) S[i] = t.alpha * generator.cov.data[i];
  for (let i = 0; i < d; i++) S[i * d + i] += t.oneMinusAlpha;
  /** E⟨A(x), B(x)⟩ for affine A = a0 + A1(x − c), B = b0 + B1(x − c), x ~ N(c, Σ_α): a0·b0 + tr(A1 Σ_α B1ᵀ). */
  const inner = (a0: Float64Array, A1: Float64Array, b0: Float64Array, B1: Float64Array) => {
    let f = 0;
    for (let i = 0; i < d; i++) {
      f += a0[i] * b0[i];
      for (let j = 0; j < d; j++) {
        let v = 0;
        for (let k = 0; k < d; k++) v += A1[i * d + k] * S[k * d + j];
        f += v * B1[i * d + j];
      }
    }
    return f;
  };
  return { u0, U, v0, V, inner };
}

/** The λ-integrand for a Gaussian generator and data: `value` of the probed affine pair at each level, exact. */
function gaussianIntegrand(
  generator: Gaussian, eData: (x: Float64Array, t: VpPoint) => ArrayLike<number>, eGen: (x: Float64Array, t: VpPoint) => ArrayLike<number>,
  value: (pair: ReturnType<typeof affinePair>, t: VpPoint) => number,
): (t: VpPoint) => Float64Array {
  const out = new Float64Array(3);
  return (t) => {
    out[0] = out[1] = value(affinePair(generator, eData, eGen, t), t);
    out[2] = 0;
    return out;
  };
}

function lambdaIntegral(integrand: (t: VpPoint) => Float64Array): QuadratureValue {
  const r = integrateVector((lam) => integrand(vpPointAtLogSnr(lam)), -L_BOUND, L_BOUND, 3, {
    absTol: 1e-11, relTol: 1e-11, initialPieces: logSnrPanels(L_BOUND), maxIntervals: 400, control: [0],
  });
  const tail = Math.abs(integrand(vpPointAtLogSnr(-L_BOUND))[0]) + Math.abs(integrand(vpPointAtLogSnr(L_BOUND))[0]);
  return { value: r.value[0], error: r.error[0] + tail + r.value[2] + r.error[2] };
}

function requireSameDim(generator: DataDistribution, data: DataDistribution): void {
  if (!(generator instanceof Gaussian || generator instanceof GaussianMixture)) throw new InvalidArgumentError('generator', generator, 'must be a Gaussian or a Gaussian mixture');
  if (!(data instanceof Gaussian || data instanceof GaussianMixture)) throw new InvalidArgumentError('data', data, 'must be a Gaussian or a Gaussian mixture');
  if (generator.dim !== data.dim) throw new DimensionMismatchError('generator', data.dim, generator.dim);
}

type Predictor = (x: Float64Array, t: VpPoint) => ArrayLike<number>;

/**
 * ½ ∫ E_{x ~ p_{G,α}} h(ε*_data(x), ε*_G(x), t) dλ for an integrand h of the two predictors: with the
 * generator's and the data's MMSE predictors; exact for Gaussians (`affine` evaluates h's expectation from
 * the probed affine pair), tensor Gauss–Hermite over p_G's components otherwise (d ≤ 2).
 */
function generatorIntegral(
  generator: DataDistribution, data: DataDistribution, nodes: number | undefined,
  pointwise: (u: ArrayLike<number>, v: ArrayLike<number>, t: VpPoint) => number,
  affine: (pair: ReturnType<typeof affinePair>, t: VpPoint) => number,
): QuadratureValue {
  requireSameDim(generator, data);
  const eData: Predictor = mmseNoisePredictor(data), eGen: Predictor = mmseNoisePredictor(generator);
  const integrand = generator instanceof Gaussian && data instanceof Gaussian
    ? gaussianIntegrand(generator, eData, eGen, affine)
    : mixtureIntegrand(generator, nodes ?? (generator.dim === 1 ? 60 : D2_NODES), (x, t) => pointwise(eData(x, t), eGen(x, t), t));
  const r = lambdaIntegral(integrand);
  return { value: 0.5 * r.value, error: 0.5 * r.error };
}

/**
 * ½ ∫ E_{p_{G,α}} ‖ε*_data − ε*_G‖² dλ (= KL(p_G ‖ p_data) by the density formula). Inner expectation:
 * closed form when both are Gaussian (the difference is affine), tensor Gauss–Hermite over p_G's
 * components otherwise (d ≤ 2; `nodes` per axis, error from two coarser rules: ghOverComponents).
 */
export function scoreDivergenceIntegral(generator: DataDistribution, data: DataDistribution, opts: { nodes?: number } = {}): QuadratureValue {
  return generatorIntegral(generator, data, opts.nodes, (u, v) => {
    let q = 0;
    for (let i = 0; i < u.length; i++) q += (u[i] - v[i]) ** 2;
    return q;
  }, ({ u0, U, v0, V, inner }) => {
    const D0 = u0.map((x, i) => x - v0[i]), D1 = U.map((x, i) => x - V[i]);
    return inner(D0, D1, D0, D1);
  });
}

/**
 * R_DSM(G) = ½ ∫ (E_{x_0~p_G, z}‖ε*_data(x_α) − z‖² − dα) dλ: the DSM-form regularizer with a frozen data
 * model. Inner expectation over x_α ~ p_{G,α} jointly with z: E‖ε − z‖² = E‖ε(x_α)‖² − 2E⟨ε(x_α), z⟩ + d,
 * and E[z | x_α] = ε*_G(x_α), so the integrand is E_{p_{G,α}}[‖ε_data‖² − 2⟨ε_data, ε*_G⟩] + d(1 − α).
 */
export function dsmRegularizer(generator: DataDistribution, data: DataDistribution, opts: { nodes?: number } = {}): QuadratureValue {
  const d = generator.dim;
  return generatorIntegral(generator, data, opts.nodes, (u, v, t) => {
    let q = 0;
    for (let i = 0; i < u.length; i++) q += u[i] * u[i] - 2 * u[i] * v[i];
    return q + d * t.oneMinusAlpha;
  }, ({ u0, U, v0, V, inner }, t) => inner(u0, U, u0, U) - 2 * inner(u0, U, v0, V) + d * t.oneMinusAlpha);
}

/** KL(p ‖ q) for Gaussians (closed form) or mixtures (Gauss–Hermite over p's components, d ≤ 2). */
export function klByQuadrature(p: DataDistribution, q: DataDistribution, nodes = 80): QuadratureValue {
  requireSameDim(p, q);
  if (p instanceof Gaussian && q instanceof Gaussian) return { value: gaussianKL(p, q), error: 0 };
  const { weights, comps } = components(p);
  const d = p.dim;
  if (d === 1) return expectationOverComponents1d(weights, comps, (y) => p.logPdf(y) - q.logPdf(y));
  requireIntegerInRange('dimension (Gauss–Hermite)', d, 1, MAX_GH_DIM);
  return ghOverComponents(gaussHermiteRules(d, nodes, 3), weights, comps.map((c) => ({ m: Float64Array.from(c.mean), L: c.chol.data })), (y) => p.logPdf(y) - q.logPdf(y), new Float64Array(d));
}

/** Σ_k π_k E_{N_k} f by adaptive Gauss–Kronrod (d = 1), with the summed error estimates. */
function expectationOverComponents1d(weights: Float64Array, comps: readonly Gaussian[], f: (x: Float64Array) => number): QuadratureValue {
  const x = new Float64Array(1);
  let value = 0, error = 0;
  comps.forEach((c, k) => {
    const r = gaussKronrodExpectation1d(c.mean[0], c.cov.data[0], f, x);
    value += weights[k] * r.value;
    error += weights[k] * r.error;
  });
  return { value, error };
}

/** Differential entropy H(p): closed form for a Gaussian, Gauss–Hermite for a mixture (d ≤ 2). */
export function entropyByQuadrature(p: DataDistribution, nodes = 80): QuadratureValue {
  if (p instanceof Gaussian) return { value: 0.5 * (p.dim * Math.log(2 * Math.PI * Math.E) + choleskyLogDet(p.chol)), error: 0 };
  const { weights, comps } = components(p);
  const d = p.dim;
  if (d === 1) return expectationOverComponents1d(weights, comps, (y) => -p.logPdf(y));
  requireIntegerInRange('dimension (Gauss–Hermite)', d, 1, MAX_GH_DIM);
  return ghOverComponents(gaussHermiteRules(d, nodes, 3), weights, comps.map((c) => ({ m: Float64Array.from(c.mean), L: c.chol.data })), (y) => -p.logPdf(y), new Float64Array(d));
}

/** Figure-ready: the λ-integrand ½E_{p_{G,α}}‖ε*_data − ε*_G‖² over a λ grid (its area is KL(p_G ‖ p_data)). */
export function scoreDivergenceDensity(generator: DataDistribution, data: DataDistribution, logSnrs: readonly number[], nodes = 40): { logSnr: number; density: number }[] {
  requireSameDim(generator, data);
  const eData = mmseNoisePredictor(data), eGen = mmseNoisePredictor(generator);
  const d = generator.dim;
  const integrand = mixtureIntegrand(generator, nodes, (x, t) => {
    const u = eData(x, t), v = eGen(x, t);
    let q = 0;
    for (let i = 0; i < d; i++) q += (u[i] - v[i]) ** 2;
    return q;
  });
  return logSnrs.map((lam) => ({ logSnr: lam, density: 0.5 * integrand(vpPointAtLogSnr(lam))[0] }));
}

