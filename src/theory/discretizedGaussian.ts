import { type Arithmetic, exactArithmetic } from '../numerics/roundingArithmetic.ts';
import { normalPdf, tanhApproxNormalPdf } from '../numerics/normalCdf.ts';

/*
 * The decoder likelihood of 8-bit data (Ho et al. 2020 eq. 13; improved-diffusion
 * `discretized_gaussian_log_likelihood`, MATH.md §7.3): x ∈ [−1, 1] on the grid k/127.5 − 1,
 * p(x) = ∫ over the bin [x − 1/255, x + 1/255] of N(μ, σ²), with the first bin extended to −∞ and the
 * last to +∞:
 *   z± = (x − μ ± 1/255)/σ,
 *   log p = log max(F(z+), 1e−12)            if x < −0.999,
 *           log max(1 − F(z−), 1e−12)        if x > 0.999,
 *           log max(F(z+) − F(z−), 1e−12)    otherwise,
 * with F = Φ ('exact') or improved-diffusion's tanh approximation ('tanh_approx'). Written once
 * against `Arithmetic<N>`: float64 values, and the rounding bound of a subject evaluating the same
 * formula in its precision (the bin difference cancels when both CDFs are near 1).
 */

export type DecoderCdf = 'exact' | 'tanh_approx';

export const HALF_BIN = 1 / 255;
const CLAMP = 1e-12;

function cdf<N>(A: Arithmetic<N>, z: N, kind: DecoderCdf): N {
  if (kind === 'exact') return A.normalCdf(z);
  // ½(1 + tanh(√(2/π)(z + 0.044715 z³)))
  const z3 = A.mul(A.mul(z, z), z);
  const inner = A.mul(A.c(Math.sqrt(2 / Math.PI)), A.add(z, A.mul(A.c(0.044715), z3)));
  return A.mul(A.c(0.5), A.add(A.int(1), A.tanh(inner)));
}

/**
 * How the bin mass is formed: 'direct' as written above (what improved-diffusion does; it cancels
 * when both CDFs are near 1), or 'tail' with upper tails F(−z) where the bin lies right of the
 * mean (mathematically equal — F(−z) = 1 − F(z) holds for Φ and for the odd tanh form — and
 * accurate). scorecheck's values use 'tail'; a subject's rounding bound takes the larger of both.
 */
export type BinArrangement = 'direct' | 'tail';

/** log p(x) in nats of one coordinate; `logScale` = log σ = ½ log σ². */
export function discretizedGaussianLogLikelihood<N>(A: Arithmetic<N>, x: number, mean: N, logScale: N, kind: DecoderCdf, arrangement: BinArrangement = 'tail'): N {
  const xc = A.c(x);
  const centered = A.sub(xc, mean);
  const inv = A.exp(A.sub(A.int(0), logScale));
  const plus = A.mul(inv, A.add(centered, A.c(HALF_BIN)));
  const minus = A.mul(inv, A.sub(centered, A.c(HALF_BIN)));
  const clamp = A.c(CLAMP);
  const zero = A.int(0);
  const upper = (z: N) => (arrangement === 'tail' ? cdf(A, A.sub(zero, z), kind) : A.sub(A.int(1), cdf(A, z, kind)));
  if (x < -0.999) return A.log(A.max(cdf(A, plus, kind), clamp));
  if (x > 0.999) return A.log(A.max(upper(minus), clamp));
  const rightOfMean = arrangement === 'tail' && A.value(centered) > 0;
  return A.log(A.max(rightOfMean ? A.sub(upper(minus), upper(plus)) : A.sub(cdf(A, plus, kind), cdf(A, minus, kind)), clamp));
}

/** Float64 value of the decoder log-likelihood. */
export function discretizedGaussianLogLikelihood64(x: number, mean: number, logScale: number, kind: DecoderCdf): number {
  return discretizedGaussianLogLikelihood(exactArithmetic, x, mean, logScale, kind);
}

/**
 * ∂ log p/∂μ and ∂ log p/∂(log σ) (float64). With F′ = f (φ, or the tanh approximation's derivative),
 * ∂z±/∂μ = −1/σ and ∂z±/∂log σ = −z±; zero where the 1e−12 clamp is active.
 */
export function discretizedGaussianGradient(x: number, mean: number, logScale: number, kind: DecoderCdf): { mean: number; logScale: number } {
  const inv = Math.exp(-logScale);
  const zp = inv * (x - mean + HALF_BIN), zm = inv * (x - mean - HALF_BIN);
  const F = (z: number) => cdf(exactArithmetic, z, kind);
  const f = kind === 'exact' ? normalPdf : tanhApproxNormalPdf;
  if (x < -0.999) {
    const p = F(zp);
    if (p <= CLAMP) return { mean: 0, logScale: 0 };
    return { mean: (-f(zp) * inv) / p, logScale: (-f(zp) * zp) / p };
  }
  if (x > 0.999) {
    const p = F(-zm);
    if (p <= CLAMP) return { mean: 0, logScale: 0 };
    return { mean: (f(zm) * inv) / p, logScale: (f(zm) * zm) / p };
  }
  const p = x - mean > 0 ? F(-zm) - F(-zp) : F(zp) - F(zm);
  if (p <= CLAMP) return { mean: 0, logScale: 0 };
  return { mean: (-(f(zp) - f(zm)) * inv) / p, logScale: -(f(zp) * zp - f(zm) * zm) / p };
}

/** The 8-bit grid value of integer k ∈ [0, 255]: k/127.5 − 1. */
export function eightBitValue(k: number): number {
  return k / 127.5 - 1;
}
