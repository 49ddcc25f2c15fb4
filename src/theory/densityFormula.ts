import { DimensionMismatchError, InvalidArgumentError, NonFiniteError } from '../errors.ts';
import { estimateFromSamples } from '../mc/estimate.ts';
import { createRng } from '../mc/rng.ts';
import { gaussHermiteRules } from '../numerics/gaussHermite.ts';
import { integrateVector } from '../numerics/gaussKronrod.ts';
import { requireFiniteArray, requireIntegerInRange } from '../validate.ts';
import { type NoisePredictor, type VpPoint, logSnrPanels, vpPointAtLogSnr } from './vpPoint.ts';

/*
 * Li & Yan 2024 density formula (MATH.md §3):
 *   log q_0(x_0) = −(d/2) log(2πe) − ½ ∫₀¹ [E_z‖ε(√α x_0 + √(1−α) z; α) − z‖² − dα] / (α(1−α)) dα.
 * With λ = log(α/(1−α)), dα = α(1−α) dλ, so
 *   log q_0(x_0) = −(d/2) log(2πe) − ½ ∫_ℝ f(λ) dλ,  f(λ) = E_z‖ε − z‖² − d σ(λ).
 * For data with a smooth density f = O(e^{−|λ|}) at both ends; the integral is
 * taken over [−L, L] and the tails are bounded by |f(−L)| + |f(L)| (∫_L^∞ C e^{−λ} = C e^{−L}).
 */

/** How E_z is computed at each α. */
export type InnerExpectation =
  /** Exact for a predictor affine in x (e.g. the MMSE predictor of Gaussian data): probes ε at d + 1 points and checks affinity at one more. */
  | { readonly kind: 'affine' }
  /** Tensor Gauss–Hermite with `nodes` per axis (d ≤ 3); error ∫|fine − coarse| dλ against a second, coarser rule (⌈2n/3⌉ nodes). */
  | { readonly kind: 'gauss-hermite'; readonly nodes?: number }
  /**
   * Seeded Monte Carlo with `pairs` antithetic pairs (z, −z), the same draws at every α
   * and the control variate α(‖z‖² − d); per-sample λ-integrals are iid, so their
   * sample variance gives the statistical error.
   */
  | { readonly kind: 'monte-carlo'; readonly pairs: number; readonly seed: number | string };

export interface DensityFormulaOptions {
  readonly inner?: InnerExpectation;
  /** Tolerances of the λ-integral ∫ f dλ (defaults 1e-12, 1e-12). */
  readonly absTol?: number;
  readonly relTol?: number;
  /** L: the λ-integral runs over [−L, L] (default 40). */
  readonly logSnrBound?: number;
  readonly maxIntervals?: number;
}

export interface DensityFormulaResult {
  /** The formula's value for log q_0(x_0). */
  readonly logDensity: number;
  /** Deterministic error bound on logDensity: ½ (Gauss–Kronrod estimate + tail bound + inner-rule discrepancy). */
  readonly quadratureError: number;
  /** One standard error of logDensity from Monte Carlo over z (0 for deterministic inner rules). */
  readonly statisticalError: number;
  /** The parts of quadratureError (all already halved). */
  readonly parts: { readonly outer: number; readonly tail: number; readonly inner: number };
  /** ∫_{−L}^{L} f(λ) dλ. */
  readonly integral: number;
  readonly converged: boolean;
  readonly intervals: number;
  /** Number of predictor calls. */
  readonly predictorCalls: number;
}

const LOG_2PI_E = Math.log(2 * Math.PI) + 1;

/** Default Gauss–Hermite nodes per axis for d = 1, 2, 3. */
const DEFAULT_GH_NODES = [0, 48, 24, 14];

/** The integrand f(λ) as a vector: the estimate first, then auxiliaries (coarse rule / per-sample values). */
type Integrand = { readonly size: number; readonly at: (t: VpPoint) => Float64Array; readonly calls: () => number };

function callPredictor(predictor: NoisePredictor, x: Float64Array, t: VpPoint, d: number): ArrayLike<number> {
  const e = predictor(x, t);
  if (e.length !== d) throw new DimensionMismatchError('predictor output', d, e.length);
  for (let i = 0; i < d; i++) if (!Number.isFinite(e[i])) throw new NonFiniteError(`predictor output[${i}] at logSnr=${t.logSnr}`, e[i]);
  return e;
}

/** ε affine in x: E_z‖ε(c + s z) − z‖² = ‖s A − I‖²_F + ‖ε(c)‖², A_{·i} = ε(c + e_i) − ε(c). */
function affineIntegrand(predictor: NoisePredictor, x0: Float64Array): Integrand {
  const d = x0.length;
  let calls = 0;
  const out = new Float64Array(1);
  const x = new Float64Array(d);
  return {
    size: 1,
    calls: () => calls,
    at(t) {
      for (let i = 0; i < d; i++) x[i] = t.a * x0[i];
      const e0 = Float64Array.from(callPredictor(predictor, x, t, d));
      const A = new Float64Array(d * d);
      for (let j = 0; j < d; j++) {
        x[j] += 1;
        const ej = callPredictor(predictor, x, t, d);
        for (let i = 0; i < d; i++) A[i * d + j] = ej[i] - e0[i];
        x[j] -= 1;
      }
      // Affinity check at c + u, u_i = (−1)^i (i + 1)/(2d + 1): ε(c + u) = ε(c) + A u.
      let scaleRef = 0, dev = 0;
      for (let i = 0; i < d; i++) x[i] += ((i % 2 ? -1 : 1) * (i + 1)) / (2 * d + 1);
      const eu = callPredictor(predictor, x, t, d);
      calls += d + 2;
      for (let i = 0; i < d; i++) {
        let v = e0[i];
        for (let j = 0; j < d; j++) v += (A[i * d + j] * ((j % 2 ? -1 : 1) * (j + 1))) / (2 * d + 1);
        dev = Math.max(dev, Math.abs(eu[i] - v));
        scaleRef = Math.max(scaleRef, Math.abs(e0[i]), Math.abs(eu[i]));
        for (let j = 0; j < d; j++) scaleRef = Math.max(scaleRef, Math.abs(A[i * d + j]));
      }
      if (dev > 1e-8 * (1 + scaleRef)) {
        throw new InvalidArgumentError('inner', 'affine', `the predictor is not affine in x at logSnr=${t.logSnr} (deviation ${dev}); use 'gauss-hermite' or 'monte-carlo'`);
      }
      let f = -d * t.alpha;
      for (let i = 0; i < d; i++) {
        f += e0[i] * e0[i];
        for (let j = 0; j < d; j++) {
          const m = t.s * A[i * d + j] - (i === j ? 1 : 0);
          f += m * m;
        }
      }
      out[0] = f;
      return out;
    },
  };
}

function gaussHermiteIntegrand(predictor: NoisePredictor, x0: Float64Array, nodes: number): Integrand {
  const d = x0.length;
  const { fine, coarse, coarser } = gaussHermiteRules(d, nodes);
  let calls = 0;
  const out = new Float64Array(3);
  const x = new Float64Array(d);
  const rule = (g: typeof fine, t: VpPoint) => {
    let acc = 0;
    for (let c = 0; c < g.count; c++) {
      for (let i = 0; i < d; i++) x[i] = t.a * x0[i] + t.s * g.nodes[c * d + i];
      const e = callPredictor(predictor, x, t, d);
      let q = 0;
      for (let i = 0; i < d; i++) {
        const r = e[i] - g.nodes[c * d + i];
        q += r * r;
      }
      acc += g.weights[c] * q;
    }
    calls += g.count;
    return acc - d * t.alpha;
  };
  // Components: fine rule, coarse rule (⅔ of the nodes), max(|fine − coarse|, |fine − coarser (½)|): its λ-integral
  // is the inner-error estimate (integrating the signed difference would let errors of opposite sign at different λ
  // cancel; a second coarser rule catches the pre-asymptotic regime where two rules err alike).
  return {
    size: 3, calls: () => calls, at: (t) => {
      out[0] = rule(fine, t);
      out[1] = rule(coarse, t);
      out[2] = Math.max(Math.abs(out[0] - out[1]), Math.abs(out[0] - rule(coarser, t)));
      return out;
    },
  };
}

function monteCarloIntegrand(predictor: NoisePredictor, x0: Float64Array, pairs: number, seed: number | string): Integrand {
  const d = x0.length;
  const z = createRng(`densityFormula/${seed}`).fillNormal(new Float64Array(pairs * d));
  let calls = 0;
  const out = new Float64Array(pairs + 1);
  const x = new Float64Array(d);
  return {
    size: pairs + 1,
    calls: () => calls,
    at(t) {
      let sum = 0;
      for (let p = 0; p < pairs; p++) {
        let v = 0;
        for (const sign of [1, -1]) {
          for (let i = 0; i < d; i++) x[i] = t.a * x0[i] + sign * t.s * z[p * d + i];
          const e = callPredictor(predictor, x, t, d);
          for (let i = 0; i < d; i++) {
            const r = e[i] - sign * z[p * d + i];
            v += r * r;
          }
        }
        // Control variate α(‖z‖² − d) (mean 0): makes every per-sample integrand decay at
        // both ends (‖ε − z‖² − α‖z‖² = O(α) as α → 0 and O(1 − α) as α → 1 for a pair).
        let zz = 0;
        for (let i = 0; i < d; i++) zz += z[p * d + i] * z[p * d + i];
        v = 0.5 * v - t.alpha * zz;
        out[p + 1] = v;
        sum += v;
      }
      calls += 2 * pairs;
      out[0] = sum / pairs;
      return out;
    },
  };
}

/**
 * log q_0(x_0) by the density formula, from any noise predictor. Returns the value
 * with its quadrature error bound and (Monte Carlo) standard error, separately.
 */
export function densityFormulaLogDensity(x0: ArrayLike<number>, predictor: NoisePredictor, options: DensityFormulaOptions = {}): DensityFormulaResult {
  requireFiniteArray('x0', x0);
  const d = x0.length;
  if (d < 1) throw new InvalidArgumentError('x0', x0, 'dimension must be ≥ 1');
  const x = Float64Array.from(x0);
  const inner = options.inner ?? { kind: 'affine' };
  const L = options.logSnrBound ?? 40;
  if (!(L > 0 && L <= 700)) throw new InvalidArgumentError('logSnrBound', L, 'must lie in (0, 700]');
  let integrand: Integrand;
  if (inner.kind === 'affine') integrand = affineIntegrand(predictor, x);
  else if (inner.kind === 'gauss-hermite') {
    requireIntegerInRange('x0.length (Gauss–Hermite)', d, 1, 3);
    const n = inner.nodes ?? DEFAULT_GH_NODES[d];
    requireIntegerInRange('inner.nodes', n, 3, 200);
    integrand = gaussHermiteIntegrand(predictor, x, n);
  } else if (inner.kind === 'monte-carlo') {
    requireIntegerInRange('inner.pairs', inner.pairs, 2, 1e7);
    integrand = monteCarloIntegrand(predictor, x, inner.pairs, inner.seed);
  } else throw new InvalidArgumentError('inner', inner, 'unknown inner expectation');

  const r = integrateVector((lam) => integrand.at(vpPointAtLogSnr(lam)), -L, L, integrand.size, {
    absTol: options.absTol ?? 1e-12,
    relTol: options.relTol ?? 1e-12,
    initialPieces: logSnrPanels(L),
    maxIntervals: options.maxIntervals ?? 400,
    control: [0],
  });
  const tail = Math.abs(integrand.at(vpPointAtLogSnr(-L))[0]) + Math.abs(integrand.at(vpPointAtLogSnr(L))[0]);
  const innerErr = inner.kind === 'gauss-hermite' ? r.value[2] + r.error[2] : 0;
  let statistical = 0;
  if (inner.kind === 'monte-carlo') statistical = 0.5 * estimateFromSamples(r.value.subarray(1)).stderr;
  const outer = 0.5 * r.error[0];
  const logDensity = -0.5 * d * LOG_2PI_E - 0.5 * r.value[0];
  if (!Number.isFinite(logDensity)) throw new NonFiniteError('densityFormula.logDensity', logDensity);
  return {
    logDensity,
    quadratureError: outer + 0.5 * tail + 0.5 * innerErr,
    statisticalError: statistical,
    parts: { outer, tail: 0.5 * tail, inner: 0.5 * innerErr },
    integral: r.value[0],
    converged: r.converged,
    intervals: r.intervals,
    predictorCalls: integrand.calls(),
  };
}
