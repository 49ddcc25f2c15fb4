import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import type { Gaussian } from '../gaussian/gaussian.ts';
import { symmetricEigen } from '../linalg/index.ts';
import { requireFiniteArray } from '../validate.ts';

/*
 * The integrand of Li & Yan's density formula (Theorem 1, MATH.md §3) for Gaussian data N(μ, Σ) at a point
 * x_0, in closed form (MATH.md §13.8):
 *   g(α) = [E_z‖ε*(√α x_0 + √(1−α) z; α) − z‖² − dα] / (α(1−α)) = Σ_i (v_i² − 1 + (λ_i − 1)²α)/k_i²,
 *   k_i = 1 + (λ_i − 1)α,  Σ = Q diag(λ) Qᵀ,  v = Qᵀ(x_0 − μ),
 * so log q(x_0) = −(d/2) log 2πe − ½∫₀¹ g(α) dα. Each term h_i = (v_i² − λ_i)/k² + (λ_i − 1)/k is a function of
 * k (monotone in α, from 1 to λ_i) with at most one stationary point, k* = −2(v_i² − λ_i)/(λ_i − 1): its total
 * variation and supremum on [0, 1] are exact, and TV(g) ≤ Σ TV(h_i), sup|g| ≤ Σ sup|h_i|. These are the
 * constants of the discrete formula's error bound (discreteFormulaErrorBound.ts).
 */

export interface GaussianDensityIntegrand {
  /** g(α) for α ∈ [0, 1]. */
  readonly at: (alpha: number) => number;
  /** Σ_i TV_{[0,1]}(h_i) ≥ TV_{[0,1]}(g) (exact per coordinate). */
  readonly totalVariation: number;
  /** Σ_i sup_{[0,1]} |h_i| ≥ sup |g|. */
  readonly supremum: number;
}

interface Term { readonly a: number; readonly c: number }

/** h(k) = a/k² + c/k on k between 1 and 1 + c: TV and sup|h| from the endpoints and the one stationary point. */
function termVariation({ a, c }: Term): { tv: number; sup: number } {
  const h = (k: number) => a / (k * k) + c / k;
  const k1 = 1 + c;
  const lo = Math.min(1, k1), hi = Math.max(1, k1);
  const ends = [h(1), h(k1)];
  const kStar = c !== 0 ? (-2 * a) / c : NaN;
  if (kStar > lo && kStar < hi) {
    const m = h(kStar);
    return { tv: Math.abs(ends[0] - m) + Math.abs(m - ends[1]), sup: Math.max(Math.abs(ends[0]), Math.abs(ends[1]), Math.abs(m)) };
  }
  return { tv: Math.abs(ends[0] - ends[1]), sup: Math.max(Math.abs(ends[0]), Math.abs(ends[1])) };
}

/** The closed-form integrand of the density formula for Gaussian data at x_0, with its TV and supremum on [0, 1]. */
export function gaussianDensityIntegrand(data: Gaussian, x0: ArrayLike<number>): GaussianDensityIntegrand {
  requireFiniteArray('x0', x0);
  const d = data.dim;
  if (x0.length !== d) throw new DimensionMismatchError('x0', d, x0.length);
  const { values, vectors } = symmetricEigen(data.cov, 'data.cov');
  const terms: Term[] = [];
  for (let i = 0; i < d; i++) {
    let v = 0;
    for (let j = 0; j < d; j++) v += vectors.data[j * d + i] * (x0[j] - data.mean[j]);
    terms.push({ a: v * v - values[i], c: values[i] - 1 });
  }
  let tv = 0, sup = 0;
  for (const t of terms) {
    const r = termVariation(t);
    tv += r.tv;
    sup += r.sup;
  }
  return {
    at(alpha: number) {
      if (!(alpha >= 0 && alpha <= 1)) throw new InvalidArgumentError('alpha', alpha, 'must lie in [0, 1]');
      let s = 0;
      for (const { a, c } of terms) {
        const k = 1 + c * alpha;
        s += a / (k * k) + c / k;
      }
      return s;
    },
    totalVariation: tv,
    supremum: sup,
  };
}
