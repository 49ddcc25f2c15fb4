import { InvalidArgumentError } from '../errors.ts';
import { requireFinite } from '../validate.ts';

/*
 * Conditional probability paths of flow matching (MATH.md §19.1). Every path here writes the
 * state at time t as an affine combination of the data x₀ and independent standard normals,
 *   x_t = a_t x₀ + s_t ε + r_t ξ,
 * and its conditional velocity (the regression target of conditional flow matching) as
 *   u_t = ȧ_t x₀ + ṡ_t ε + ṙ_t ξ          (the time derivative of the same combination),
 * so that d/dt x_t = u_t along every conditional path.
 *  - rectified: a = 1 − t, s = t, r = 0 — rectified flow / SD3 / Flux (t = 1 is pure noise); u = ε − x₀.
 *  - ot:        a = t, s = 1 − (1 − σ_min)t, r = 0 — Lipman et al. 2023's optimal-transport path
 *               (data at t = 1): ψ_t(x) = (1 − (1 − σ_min)t)x + t x₁, u = x₁ − (1 − σ_min)ε.
 *  - icfm:      a = t, s = 1 − t, r = σ — Tong et al. 2023's independent CFM (data at t = 1):
 *               x_t = t x₁ + (1 − t)x₀ + σξ with the noise sample x₀ = ε, u = x₁ − ε. Its target
 *               conditions on the pair (ε, x₁), not on x₁ alone: with σ > 0 it is NOT the velocity of
 *               the Gaussian path p_t(x|x₁) (MATH.md §19.4).
 * The data x₀ is always called x₀ here; Lipman's x₁ and Tong's x₁ are this x₀.
 */
export type FlowPathSpec =
  | { readonly kind: 'rectified' }
  | { readonly kind: 'ot'; readonly sigmaMin: number }
  | { readonly kind: 'icfm'; readonly sigma: number };

export const FLOW_PATH_KINDS = ['rectified', 'ot', 'icfm'] as const;

/** The coefficients of x_t and u_t at one time (MATH.md §19.1). */
export interface FlowCoefficients {
  readonly t: number;
  readonly a: number;
  readonly s: number;
  readonly r: number;
  readonly da: number;
  readonly ds: number;
  readonly dr: number;
}

export const RECTIFIED_FLOW: FlowPathSpec = { kind: 'rectified' };

export function requireFlowPath(spec: FlowPathSpec, field = 'path'): FlowPathSpec {
  if (spec === null || typeof spec !== 'object' || !(FLOW_PATH_KINDS as readonly string[]).includes(spec.kind)) {
    throw new InvalidArgumentError(`${field}.kind`, (spec as { kind?: unknown } | null)?.kind ?? spec, `must be one of ${FLOW_PATH_KINDS.join(', ')}`);
  }
  if (spec.kind === 'ot') {
    requireFinite(`${field}.sigmaMin`, spec.sigmaMin);
    if (!(spec.sigmaMin >= 0 && spec.sigmaMin < 1)) throw new InvalidArgumentError(`${field}.sigmaMin`, spec.sigmaMin, 'must lie in [0, 1)');
  }
  if (spec.kind === 'icfm') {
    requireFinite(`${field}.sigma`, spec.sigma);
    if (!(spec.sigma >= 0)) throw new InvalidArgumentError(`${field}.sigma`, spec.sigma, 'must be ≥ 0');
  }
  return spec;
}

/**
 * a_t, s_t, r_t and their derivatives. The formulas are polynomials in t, so they are also
 * evaluated (analytically continued) slightly outside [0, 1] — finite differences at the ends use that.
 */
export function flowCoefficients(spec: FlowPathSpec, t: number): FlowCoefficients {
  requireFinite('t', t);
  switch (spec.kind) {
    case 'rectified':
      return { t, a: 1 - t, s: t, r: 0, da: -1, ds: 1, dr: 0 };
    case 'ot': {
      const k = 1 - spec.sigmaMin;
      return { t, a: t, s: 1 - k * t, r: 0, da: 1, ds: -k, dr: 0 };
    }
    case 'icfm':
      return { t, a: t, s: 1 - t, r: spec.sigma, da: 1, ds: -1, dr: 0 };
  }
}

/** Which end of [0, 1] is the data (a = 1 there) and which the noise. */
export function dataEnd(spec: FlowPathSpec): 0 | 1 {
  return spec.kind === 'rectified' ? 0 : 1;
}

/** Total noise variance of x_t given x₀: s² + r². */
export function noiseVariance(c: FlowCoefficients): number {
  return c.s * c.s + c.r * c.r;
}

/**
 * The per-eigenvalue conditional variance of the target given x_t (MATH.md §19.2):
 * for data variance λ along one eigenvector, with p = (ȧ√λ, ṡ, ṙ) and q = (a√λ, s, r),
 *   Var(u | x_t) = |p|² − (p·q)²/|q|² = [λ(ȧs − ṡa)² + λ(ȧr − ṙa)² + (ṡr − ṙs)²] / (a²λ + s² + r²)
 * (Lagrange's identity: no cancellation). When a²λ + s² + r² = 0 (no noise, λ = 0) x_t carries no
 * information along that direction and the variance is ṡ² + ṙ² (the numerator's limit form).
 */
export function conditionalTargetVariance(c: FlowCoefficients, lambda: number): number {
  const den = c.a * c.a * lambda + c.s * c.s + c.r * c.r;
  const m1 = c.da * c.s - c.ds * c.a, m2 = c.da * c.r - c.dr * c.a, m3 = c.ds * c.r - c.dr * c.s;
  const num = lambda * (m1 * m1 + m2 * m2) + m3 * m3;
  if (den === 0) return c.da * c.da * lambda + c.ds * c.ds + c.dr * c.dr;
  return num / den;
}
