/*
 * The standard normal distribution function Φ and its upper tail Q = 1 − Φ, to ~1e−15 relative
 * over the whole line (MATH.md §7.3):
 *   |x| < 2:  Φ(x) = ½ + φ(x)·Σ_n x^{2n+1}/(1·3·…·(2n+1))   (positive terms, no cancellation)
 *   x ≥ 2:    Q(x) = φ(x)/(x + 1/(x + 2/(x + 3/(x + …))))  (Laplace's continued fraction, Lentz)
 * and Φ(x) = Q(−x) for x ≤ −2. Each tail is computed directly, never as 1 − (a number near 1).
 */

const INV_SQRT_2PI = 0.3989422804014327;

/** φ(x) = e^{−x²/2}/√(2π). */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

function seriesPhiMinusHalf(x: number): number {
  let term = x, sum = x;
  const x2 = x * x;
  for (let n = 1; n < 200; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return normalPdf(x) * sum;
}

function upperTailContinuedFraction(x: number): number {
  // Lentz's algorithm for x + 1/(x + 2/(x + 3/(x + …))).
  const tiny = 1e-300;
  let f = x, c = x, d = 0;
  for (let n = 1; n < 5000; n++) {
    d = x + n * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + n / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return normalPdf(x) / f;
}

/** Q(x) = P(Z > x). */
export function normalUpperTail(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2) return x === Infinity ? 0 : upperTailContinuedFraction(x);
  if (x <= -2) return 1 - normalUpperTail(-x);
  return 0.5 - seriesPhiMinusHalf(x);
}

/** Φ(x) = P(Z ≤ x). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= -2) return x === -Infinity ? 0 : upperTailContinuedFraction(-x);
  if (x >= 2) return 1 - normalUpperTail(x);
  return 0.5 + seriesPhiMinusHalf(x);
}

/**
 * The tanh approximation of Φ used by improved-diffusion and guided-diffusion
 * (`approx_standard_normal_cdf`): ½(1 + tanh(√(2/π)(x + 0.044715x³))). Not Φ (off by up to ~1e−4
 * in the body and by orders of magnitude in relative terms in the tails): a subject declares which.
 */
export function tanhApproxNormalCdf(x: number): number {
  return 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}

/** d/dx of the tanh approximation: ½ sech²(k(x + 0.044715x³))·k(1 + 0.134145x²), k = √(2/π). */
export function tanhApproxNormalPdf(x: number): number {
  const k = Math.sqrt(2 / Math.PI);
  const th = Math.tanh(k * (x + 0.044715 * x * x * x));
  return 0.5 * (1 - th * th) * k * (1 + 3 * 0.044715 * x * x);
}
