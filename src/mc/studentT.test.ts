import { describe, expect, test } from 'vitest';
import { studentTwoSidedTail } from './studentT.ts';
import { criticalT, criticalZ } from './tolerance.ts';

/**
 * An independent route to Student's t: A&S 26.7.3/26.7.4, P(|T_ν| ≤ t) as a finite sum in θ = atan(t/√ν)
 * for integer ν (ν even: sin θ Σ_{k<ν/2} ((2k−1)!!/(2k)!!) cos^{2k}θ; ν odd: (2/π)(θ + sin θ Σ ((2k)!!/(2k+1)!!) cos^{2k+1}θ)).
 * No incomplete beta, no Lanczos. Its tail is 1 − A, so it carries an absolute rounding ≈ 1e-16·ν.
 */
function tailBySum(t: number, nu: number): number {
  const th = Math.atan(t / Math.sqrt(nu)), s = Math.sin(th), c = Math.cos(th), c2 = c * c;
  if (nu % 2 === 0) {
    let term = 1, sum = 1;
    for (let k = 2; k <= nu - 2; k += 2) { term *= ((k - 1) / k) * c2; sum += term; }
    return 1 - s * sum;
  }
  if (nu === 1) return 1 - (2 * th) / Math.PI;
  let term = c, sum = c;
  for (let k = 3; k <= nu - 2; k += 2) { term *= ((k - 1) / k) * c2; sum += term; }
  return 1 - (2 / Math.PI) * (th + s * sum);
}

/** The Cornish–Fisher critical value criticalT returned at every ν before 2026-12 (A&S 26.7.5, three terms). */
function cornishFisher(alpha: number, nu: number): number {
  const z = criticalZ(alpha), z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2;
  return z + (z3 + z) / 4 / nu + (5 * z5 + 16 * z3 + 3 * z) / 96 / nu ** 2 + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384 / nu ** 3;
}

const DOFS = [1, 2, 3, 4, 5, 7, 9, 19, 29, 49, 99, 200];
const ALPHAS = [0.05, 0.01, 1e-3, 1e-6, 1e-9];
/** Tail agreement allowed: relative 1e-9 plus the sum route's absolute rounding 1e-15·ν. */
const close = (got: number, ref: number, nu: number) => Math.abs(got - ref) <= 1e-9 * ref + 1e-15 * nu;

describe('studentTwoSidedTail (incomplete beta) against the A&S finite sums', () => {
  test('every integer ν in the list, t from 0 to the far tail', () => {
    for (const nu of DOFS) for (const t of [0, 0.3, 1, 2, 4, 10, 50, 1e3]) {
      expect(close(studentTwoSidedTail(t, nu), tailBySum(t, nu), nu), `ν = ${nu}, t = ${t}`).toBe(true);
    }
    expect(studentTwoSidedTail(Infinity, 3)).toBe(0);
    // ν = 1 is Cauchy: P(|T| > t) = 1 − (2/π) atan t, and for large t ≈ 2/(πt) (no cancellation).
    expect(Math.abs(studentTwoSidedTail(1e8, 1) * (Math.PI * 1e8) / 2 - 1)).toBeLessThan(1e-12);
  });

  test('bad input is a RangeError naming the argument', () => {
    expect(() => studentTwoSidedTail(1, 0.5)).toThrow(/degrees of freedom/);
    expect(() => studentTwoSidedTail(-1, 3)).toThrow(/t must be/);
    expect(() => studentTwoSidedTail(Number.NaN, 3)).toThrow(RangeError);
  });
});

describe('criticalT: the exact two-sided t critical value (the real false-alarm rate is α)', () => {
  test('P(|T_ν| > criticalT(α, ν)) = α by the finite sums, ν = 1…200, α = 0.05…1e-9', () => {
    for (const nu of DOFS) for (const a of ALPHAS) {
      const tail = tailBySum(criticalT(a, nu), nu);
      expect(Math.abs(tail - a), `ν = ${nu}, α = ${a}: tail ${tail}`).toBeLessThanOrEqual(1e-9 * a + 1e-15 * nu);
    }
  });

  test('negative control: the old Cornish–Fisher value fails the same comparison at small ν (4.9·α at ν = 4, α = 1e-6)', () => {
    const ratio = tailBySum(cornishFisher(1e-6, 4), 4) / 1e-6;
    expect(ratio).toBeGreaterThan(4.5);
    expect(ratio).toBeLessThan(5.5);
    for (const nu of [1, 2, 3, 4, 5, 9]) expect(tailBySum(cornishFisher(1e-6, nu), nu) / 1e-6).toBeGreaterThan(1.3);
  });

  test('continuous where it hands over to Cornish–Fisher (ν = 1e5); ≥ z; decreasing in ν; → z as ν → ∞', () => {
    for (const a of [1e-3, 1e-9]) {
      const z = criticalZ(a);
      expect(Math.abs(criticalT(a, 1e5) / criticalT(a, 1e5 + 1) - 1)).toBeLessThan(1e-9);
      let prev = Infinity;
      for (const nu of [1, 2, 5, 30, 1e3, 1e5, 1e7]) {
        const t = criticalT(a, nu);
        expect(t).toBeGreaterThan(z);
        expect(t).toBeLessThan(prev);
        prev = t;
      }
      expect(criticalT(a, 1e9) / z - 1).toBeLessThan(1e-8);
    }
  });

  test('criticalZ is −Φ⁻¹(α/2) without rounding 1 − α/2: z at α = 1e-12 agrees with the tail bound φ(z)/z·(1 − 1/z²) ≤ α/2 ≤ φ(z)/z', () => {
    for (const a of [1e-12, 1e-15, 1e-20]) {
      const z = criticalZ(a), phi = Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
      expect(phi / z).toBeGreaterThanOrEqual(a / 2);
      expect((phi / z) * (1 - 1 / (z * z))).toBeLessThanOrEqual(a / 2);
    }
  });
});
