import type { VPSchedule } from '../diffusion/schedule.ts';
import { InvalidArgumentError } from '../errors.ts';
import { integrate } from '../numerics/gaussKronrod.ts';
import { variationOnInterval } from '../numerics/totalVariation.ts';
import { requireFinite, requirePositive } from '../validate.ts';

/*
 * "Linear in d" for stationary (AR(1), Toeplitz) targets (Liang et al. 2025 Theorem 1's W_bias; MATH.md §13.9).
 * Target N(m·1, v[ρ^{|i−j|}]), training N(0, [ρ'^{|i−j|}]), training score as guidance, seed sampler: per step
 * E‖Δ_t‖² = tr(D S D) + ᾱ m²‖P_tr 1‖², S = ᾱΣ_ta + (1−ᾱ)I, P_ta = S⁻¹, P_tr = (ᾱΣ_tr + (1−ᾱ)I)⁻¹, D = P_tr − P_ta,
 * and W_bias(d) = Σ_t (1−α_t)/2 · E‖Δ_t‖².
 *
 * Slope (Szegő): with the spectral densities f(θ) = v(1−ρ²)/|1 − ρe^{iθ}|², g(θ) = (1−ρ'²)/|1 − ρ'e^{iθ}|² and
 * f̂ = ᾱf + 1 − ᾱ, ĝ = ᾱg + 1 − ᾱ,
 *   a = Σ_t (1−α_t)/2 · [ (1/π)∫₀^π (f̂ − ĝ)²/(f̂ ĝ²) dθ + ᾱ_t m²/ĝ(0)² ].
 * Boundary (rigorous, every d): the AR(1) precision is the periodic tridiagonal (the circulant with eigenvalues
 * 1/f(2πk/d)) up to a rank-2 corner, so Σ − Σ̄ has rank ≤ 2 for the circulant Σ̄ with eigenvalues f(2πk/d); the
 * circulant version of E‖Δ_t‖² is Σ_k ψ_t(2πk/d) + d ᾱ m²/ĝ(0)², ψ_t = (f̂ − ĝ)²/(f̂ ĝ²), a Riemann sum of a periodic
 * function (off by ≤ TV_{[0,2π)}(ψ_t) = 2 TV_{[−1,1]} of ψ_t in c = cos θ, on a grid with refined extrema); replacing circulants by the Toeplitz matrices changes
 *   tr(DSD) by ≤ min{6(F̂⁺/Ĝ⁻² − F̂⁻/Ĝ⁺²) + 4(1/Ĝ⁻ − 1/Ĝ⁺) + 2(1/F̂⁻ − 1/F̂⁺), 10 δ² F̂⁺}
 * (rank-r Hermitian perturbations move a trace by ≤ r × the spectral range — Weyl interlacing; Toeplitz and circulant
 * spectra lie in [F̂⁻, F̂⁺] = the range of f̂, [Ĝ⁻, Ĝ⁺] of ĝ; δ bounds ‖D‖), and the mean term, with
 * Σ_tr 1 = g(0)1 − b, b_i = (ρ'^i + ρ'^{d+1−i})/(1 − ρ'), by ≤ ᾱm²[(2ᾱ/ĝ(0)²)(|1ᵀb|/ĝ(0) + ‖y‖‖b‖) + ‖y‖²],
 * ‖y‖ ≤ ᾱ‖b‖/(Ĝ⁻ĝ(0)), with d-free bounds |1ᵀb| ≤ 4|ρ'|/(1−ρ')², ‖b‖² ≤ 4ρ'²/((1−ρ'²)(1−ρ')²). Together:
 *   |W_bias(d) − a·d| ≤ B for every d, B independent of d — linear in d with slope a.
 * The remainder W_bias(d) − a·d − b∞ decays like r^d, r = max(|ρ|, |ρ'|) (the moduli of the symbols' poles and zeros,
 * which bound the decay of every boundary layer); |W − a·d − b∞| ≤ 2B always, so 2B·r^d is its envelope.
 */

export interface StationaryPair {
  readonly rhoTarget: number;
  readonly rhoTraining: number;
  readonly varianceTarget: number;
  readonly mean: number;
}

export interface StationaryBiasSlope {
  /** a = lim W_bias(d)/d. */
  readonly slope: number;
  /** The quadrature's error estimate for a (summed over steps). */
  readonly slopeError: number;
  /** B: |W_bias(d) − a·d| ≤ B for every d. */
  readonly boundary: number;
  /** r = max(|ρ|, |ρ'|): the boundary remainder decays like r^d. */
  readonly decayRate: number;
}

function spectralRange(rho: number, v: number): [number, number] {
  const r = Math.abs(rho);
  return [(v * (1 - r)) / (1 + r), (v * (1 + r)) / (1 - r)];
}

function density(theta: number, rho: number, v: number): number {
  return (v * (1 - rho * rho)) / (1 + rho * rho - 2 * rho * Math.cos(theta));
}

function requirePair(p: StationaryPair): void {
  for (const [k, r] of [['rhoTarget', p.rhoTarget], ['rhoTraining', p.rhoTraining]] as const) {
    requireFinite(k, r);
    if (!(Math.abs(r) < 1)) throw new InvalidArgumentError(k, r, 'must lie in (−1, 1)');
  }
  requirePositive('varianceTarget', p.varianceTarget);
  requireFinite('mean', p.mean);
}

/** The Szegő slope a, the d-free boundary bound B and the decay rate of the remainder, on a VP schedule with the seed sampler. */
export function stationaryBiasSlope(pair: StationaryPair, schedule: VPSchedule): StationaryBiasSlope {
  requirePair(pair);
  const { rhoTarget: rt, rhoTraining: rr, varianceTarget: v, mean: m } = pair;
  const [fl, fh] = spectralRange(rt, v), [gl, gh] = spectralRange(rr, 1);
  const g0 = (1 + rr) / (1 - rr);
  const oneB = (4 * Math.abs(rr)) / (1 - rr) ** 2;
  const normB = Math.sqrt((4 * rr * rr) / ((1 - rr * rr) * (1 - rr) ** 2));
  let slope = 0, slopeError = 0, boundary = 0;
  for (let t = 1; t <= schedule.T; t++) {
    const ab = schedule.alphaBar(t), w = (1 - schedule.alpha(t)) / 2;
    const F = (x: number) => ab * x + 1 - ab;
    const Fl = F(fl), Fh = F(fh), Gl = F(gl), Gh = F(gh), G0 = F(g0);
    const psi = (th: number) => {
      const a = F(density(th, rt, v)), b = F(density(th, rr, 1));
      return ((a - b) * (a - b)) / (a * b * b);
    };
    const I = integrate(psi, 0, Math.PI, { absTol: 1e-15, relTol: 1e-13, initialPieces: 8 });
    slope += w * (I.value / Math.PI + (ab * m * m) / (G0 * G0));
    slopeError += (w * I.error) / Math.PI;
    // circulant → Toeplitz: min of the two rank bounds
    const separate = 6 * (Fh / (Gl * Gl) - Fl / (Gh * Gh)) + 4 * (1 / Gl - 1 / Gh) + 2 * (1 / Fl - 1 / Fh);
    const delta = Math.max(Math.abs(1 / Gh - 1 / Fl), Math.abs(1 / Gl - 1 / Fh));
    const rank = Math.min(separate, 10 * delta * delta * Fh);
    // Riemann sum over the d Fourier frequencies: TV over a period = 2 × TV in c = cos θ (ψ depends on θ through c)
    const riemann = 2 * variationOnInterval((c) => psi(Math.acos(c)), -1, 1, 512).totalVariation;
    // mean term
    const y = (ab * normB) / (Gl * G0);
    const meanTerm = ab * m * m * ((2 * ab / (G0 * G0)) * (oneB / G0 + y * normB) + y * y);
    boundary += w * (rank + riemann + meanTerm);
  }
  return { slope, slopeError, boundary, decayRate: Math.max(Math.abs(rt), Math.abs(rr)) };
}

/**
 * Rounding of W_bias(d) as the path decomposition computes it: each E‖Δ_t‖² is a quadratic in Δ_t = P_tr − P_ta (and its
 * intercept), whose entries come from inverses accurate to γ = 16·d·κ·u of ‖P‖ ≤ p = 1/min(f⁻, 1) + 1/min(g⁻, 1); an error
 * δ in Δ moves E‖Δ‖² by ≤ 2‖δ‖·(E‖Δ‖²)^{½}(‖S‖^{½} + 2|m|)√d + ‖δ‖²…, so (Cauchy–Schwarz over t, Σ_t w_t √e_t ≤ √(Σw·W))
 *   |computed − exact| ≤ 2γp(√(d s) + 2|m|√d)√(Σw·W) + γ²p²d(s + 4m²)Σw + (T + 32)u·W,   s = max(f⁺, 1), Σw = ½Σβ_t:
 * proportional to √W, not W, where target and training nearly agree (cancellation in P_tr − P_ta).
 */
export function stationaryMismatchRoundingFloor(pair: StationaryPair, schedule: VPSchedule, d: number, wBias: number): number {
  requirePair(pair);
  const u = Number.EPSILON / 2;
  const [fl, fh] = spectralRange(pair.rhoTarget, pair.varianceTarget), [gl, gh] = spectralRange(pair.rhoTraining, 1);
  const gamma = 16 * d * Math.max(fh / fl, gh / gl) * u;
  const p = 1 / Math.min(fl, 1) + 1 / Math.min(gl, 1), s = Math.max(fh, 1), m = Math.abs(pair.mean);
  let sw = 0;
  for (let t = 1; t <= schedule.T; t++) sw += 0.5 * (1 - schedule.alpha(t));
  const w = Math.max(0, wBias);
  return 2 * gamma * p * (Math.sqrt(d * s) + 2 * m * Math.sqrt(d)) * Math.sqrt(sw * w) + gamma * gamma * p * p * d * (s + 4 * m * m) * sw + (schedule.T + 32) * u * w;
}
