import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { normalCdf, normalPdf, normalUpperTail, tanhApproxNormalCdf, tanhApproxNormalPdf } from './normalCdf.ts';

/*
 * Φ, Q and φ (MATH.md §7.3) against routes that share nothing with the series / continued fraction:
 *  - Q(x) = φ(x)∫₀^∞ e^{−xu − u²/2} du (x ≥ 0; the substitution t = x + u), by composite Simpson;
 *  - Gordon's bounds x/(1 + x²)·φ(x) ≤ Q(x) ≤ φ(x)/x (x > 0), tight in the far tail where quadrature of Φ cannot reach;
 *  - ∫φ = 1, ∫x²φ = 1 and φ′ = −xφ;
 *  - the tanh approximation as the logistic σ(2z) it equals, and its distance from Φ.
 */
function simpson(f: (u: number) => number, a: number, b: number, n: number): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** Q(x) for x ≥ 0 by quadrature: the integrand falls below e^{−40} of its start beyond u = 40/(1 + x). */
const upperTailByQuadrature = (x: number) => normalPdf(x) * simpson((u) => Math.exp(-x * u - 0.5 * u * u), 0, 40 / (1 + x), 20_000);

describe('normalUpperTail and normalCdf against quadrature of the tail integral', () => {
  const agrees = (q: (x: number) => number, x: number) => {
    const want = x >= 0 ? upperTailByQuadrature(x) : 1 - upperTailByQuadrature(-x);
    return Math.abs(q(x) - want) <= 1e-11 * want;
  };
  test.prop([fc.double({ min: -8, max: 30, noNaN: true })], { numRuns: 200 })('relative 1e−11 on [−8, 30] (both branches and the switch at |x| = 2)', (x) => {
    expect(agrees(normalUpperTail, x)).toBe(true);
    expect(Math.abs(normalCdf(-x) - normalUpperTail(x))).toBeLessThanOrEqual(1e-15 * normalUpperTail(x)); // Φ(−x) = Q(x) computed directly
  });
  test.prop([fc.double({ min: 0.5, max: 38, noNaN: true })], { numRuns: 200 })('Gordon’s bounds x/(1+x²)·φ ≤ Q ≤ φ/x', (x) => {
    const q = normalUpperTail(x), p = normalPdf(x);
    expect(q).toBeGreaterThanOrEqual((x / (1 + x * x)) * p * (1 - 1e-15));
    expect(q).toBeLessThanOrEqual((p / x) * (1 + 1e-15));
  });
  it('boundaries: Q(0) = ½, Q(±∞) = 0, 1; NaN stays NaN', () => {
    expect(normalUpperTail(0)).toBe(0.5);
    expect(normalUpperTail(Infinity)).toBe(0);
    expect(normalUpperTail(-Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalUpperTail(NaN)).toBeNaN();
  });
  it('negative control: the tail as 1 − (tanh approximation of Φ) is rejected, in the body and in the tail', () => {
    expect(agrees((x) => 1 - tanhApproxNormalCdf(x), 0.7)).toBe(false);
    expect(agrees((x) => 1 - tanhApproxNormalCdf(x), 5)).toBe(false);
  });
});

describe('normalPdf', () => {
  const density = (pdf: (x: number) => number) => ({ mass: simpson(pdf, -40, 40, 8000), second: simpson((x) => x * x * pdf(x), -40, 40, 8000) });
  it('∫φ = 1 and ∫x²φ = 1 (Simpson on [−40, 40]); the 1/√π normalization (a negative control) is rejected', () => {
    const m = density(normalPdf);
    expect(Math.abs(m.mass - 1)).toBeLessThan(1e-12);
    expect(Math.abs(m.second - 1)).toBeLessThan(1e-12);
    expect(Math.abs(density((x) => Math.exp(-0.5 * x * x) / Math.sqrt(Math.PI)).mass - 1)).toBeGreaterThan(0.1);
  });
  test.prop([fc.double({ min: -8, max: 8, noNaN: true })], { numRuns: 200 })('φ′(x) = −xφ(x) (five-point difference)', (x) => {
    const h = 1e-3, fd = (8 * (normalPdf(x + h) - normalPdf(x - h)) - (normalPdf(x + 2 * h) - normalPdf(x - 2 * h))) / (12 * h);
    expect(Math.abs(fd + x * normalPdf(x))).toBeLessThanOrEqual(1e-11);
  });
});

describe('tanhApproxNormalCdf (improved-diffusion’s approx_standard_normal_cdf)', () => {
  const k = Math.sqrt(2 / Math.PI);
  const logistic = (x: number) => 1 / (1 + Math.exp(-2 * k * (x + 0.044715 * x ** 3)));
  test.prop([fc.double({ min: -10, max: 10, noNaN: true })], { numRuns: 300 })('equals σ(2k(x + 0.044715x³)) = ½(1 + tanh(…)) to rounding; its pdf is its derivative', (x) => {
    expect(Math.abs(tanhApproxNormalCdf(x) - logistic(x))).toBeLessThanOrEqual(4e-16);
    const h = 1e-4, fd = (tanhApproxNormalCdf(x + h) - tanhApproxNormalCdf(x - h)) / (2 * h);
    expect(Math.abs(tanhApproxNormalPdf(x) - fd)).toBeLessThanOrEqual(1e-7);
  });
  it('is not Φ: max |approx − Φ| on a grid of [−6, 6] lies between 1e−5 and 1e−3 (the documented ~1e−4), so a check can tell them apart', () => {
    let worst = 0;
    for (let x = -6; x <= 6; x += 0.001) worst = Math.max(worst, Math.abs(tanhApproxNormalCdf(x) - normalCdf(x)));
    expect(worst).toBeGreaterThan(1e-5);
    expect(worst).toBeLessThan(1e-3);
  });
});
