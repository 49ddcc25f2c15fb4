import { fc, test } from '@fast-check/vitest';
import { type BigNumber, all, create } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { BigFloat } from './bigFloat.ts';
import { BigFloatMatrix } from './bigFloatMatrix.ts';

/*
 * BigFloat against two independent routes: exact float64 arithmetic where the float64 result is exact (sums and
 * products of small dyadic numbers), and mathjs BigNumber at 120 decimal digits (decimal.js, a different
 * representation and rounding) for +, −, ×, ÷ and a 3×3 inverse at 320 bits (≈ 96 digits).
 */
const M = create(all, { number: 'BigNumber', precision: 120, relTol: 1e-120, absTol: 1e-300 });
const BITS = 320;
/** The exact decimal value of a BigFloat, as a mathjs BigNumber. */
const toBig = (x: BigFloat): BigNumber => M.multiply(M.bignumber(x.m.toString()), M.pow(M.bignumber(2), M.bignumber(x.e))) as BigNumber;
/** The exact decimal value of a float64. */
const exactBig = (x: number): BigNumber => toBig(BigFloat.fromNumber(x));
const relErr = (got: BigNumber, want: BigNumber): number => {
  const diff: unknown = M.abs(M.subtract(got, want));
  const den: unknown = M.abs(want);
  return (den as BigNumber).isZero() ? Number(String(diff)) : Number(String(M.divide(diff as BigNumber, den as BigNumber)));
};
const double = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }).filter((x) => x === 0 || Math.abs(x) > 1e-30);

describe('BigFloat', () => {
  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true })])('fromNumber is exact: toNumber returns the same float64 (subnormals, ±0 as 0, extremes)', (x) => {
    expect(BigFloat.fromNumber(x).toNumber()).toBe(x === 0 ? 0 : x);
  });

  it('fromNumber gives the exact binary value (0.1 is not 1/10) and rejects non-finite input by name', () => {
    const tenth = BigFloat.fromNumber(0.1);
    expect(tenth.m * 10n).not.toBe(2n ** BigInt(-tenth.e)); // 0.1·10 ≠ 1 exactly
    expect(Math.abs(relErr(toBig(tenth), M.bignumber('0.1')))).toBeLessThan(1e-16);
    expect(Math.abs(relErr(toBig(tenth), M.bignumber('0.1')))).toBeGreaterThan(1e-18);
    expect(() => BigFloat.fromNumber(Number.NaN)).toThrow(/x/);
  });

  test.prop([fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), fc.integer({ min: -40, max: 40 }), fc.integer({ min: -40, max: 40 })])(
    'sums and products that float64 computes exactly agree bit for bit', (p, q, i, j) => {
      const x = p * 2 ** i, y = q * 2 ** j;
      const X = BigFloat.fromNumber(x), Y = BigFloat.fromNumber(y);
      expect(X.mul(Y, BITS).toNumber() === x * y).toBe(true); // === : BigFloat has no −0
      if (Math.abs(i - j) <= 30) expect(X.add(Y, BITS).toNumber() === x + y).toBe(true);
      expect(X.sub(X, BITS).sign()).toBe(0);
    });

  test.prop([double, double])('+, −, ×, ÷ at 320 bits against 120-digit decimal arithmetic: relative error ≤ 2⁻³¹⁸', (x, y) => {
    const X = BigFloat.fromNumber(x), Y = BigFloat.fromNumber(y), bx = exactBig(x), by = exactBig(y);
    const tol = 2 ** -318;
    expect(relErr(toBig(X.mul(Y, BITS)), M.multiply(bx, by) as BigNumber)).toBeLessThanOrEqual(tol);
    expect(relErr(toBig(X.add(Y, BITS)), M.add(bx, by) as BigNumber)).toBeLessThanOrEqual(tol);
    expect(relErr(toBig(X.sub(Y, BITS)), M.subtract(bx, by) as BigNumber)).toBeLessThanOrEqual(tol);
    if (y !== 0) expect(relErr(toBig(X.div(Y, BITS)), M.divide(bx, by) as BigNumber)).toBeLessThanOrEqual(tol);
  });

  it('a summand far below the other still rounds the sum correctly (1 + 2⁻⁴⁰⁰ at 320 bits is 1; 2⁻³²⁰ at 321 bits is not lost)', () => {
    const one = BigFloat.fromBigInt(1n);
    expect(one.add(one.scale2(-400), BITS).sub(one, BITS).sign()).toBe(0);
    expect(one.add(one.scale2(-320), 322).sub(one, 322).toNumber()).toBe(2 ** -320);
    expect(one.sub(one.scale2(-400), BITS).toNumber()).toBe(1);
  });

  it('negative control: at 64 bits a product differs from the 120-digit value by more than 2⁻³¹⁸', () => {
    const x = BigFloat.fromNumber(Math.PI), y = BigFloat.fromNumber(Math.E);
    expect(relErr(toBig(x.mul(y, 64)), M.multiply(exactBig(Math.PI), exactBig(Math.E)) as BigNumber)).toBeGreaterThan(2 ** -318);
  });

  it('division by zero is an error', () => {
    expect(() => BigFloat.fromBigInt(1n).div(BigFloat.ZERO, BITS)).toThrow(RangeError);
  });
});

describe('BigFloatMatrix', () => {
  // entries 0 or ≥ 1e-30 in size: mathjs.inv itself breaks on subnormal entries (−1e203 for an entry that is 0)
  test.prop([fc.array(fc.double({ min: -10, max: 10, noNaN: true }).filter((x) => x === 0 || Math.abs(x) > 1e-30), { minLength: 9, maxLength: 9 })])(
    'A⁻¹A = I to 2⁻²⁸⁰·κ, and A⁻¹ agrees with 120-digit mathjs.inv', (entries) => {
      const A = { rows: 3, cols: 3, data: Float64Array.from(entries.map((v, i) => v + (i % 4 === 0 ? 25 : 0))) }; // diagonally dominant
      const B = BigFloatMatrix.fromMatrix(A, BITS);
      const inv = B.inverse();
      const prod = inv.mul(B);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Math.abs(prod.at(i, j).toNumber() - (i === j ? 1 : 0))).toBeLessThan(2 ** -280);
      const ref = M.inv(M.matrix([0, 1, 2].map((i) => [0, 1, 2].map((j) => exactBig(A.data[i * 3 + j]))))) as unknown as { get(ix: number[]): BigNumber };
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
        const want = ref.get([i, j]);
        expect(Number(String(M.abs(M.subtract(toBig(inv.at(i, j)), want))))).toBeLessThan(1e-90);
      }
    });

  it('a singular matrix is an error naming the field; transpose, trace and scale are exact where they should be', () => {
    const S = BigFloatMatrix.fromMatrix({ rows: 2, cols: 2, data: Float64Array.from([1, 2, 2, 4]) }, BITS);
    expect(() => S.inverse('GᵀG')).toThrow(/GᵀG is singular/);
    expect(S.trace().toNumber()).toBe(5);
    const R = BigFloatMatrix.fromMatrix({ rows: 2, cols: 3, data: Float64Array.from([1, 2, 3, 4, 5, 6]) }, BITS);
    expect(R.transpose().data.map((v) => v.toNumber())).toEqual([1, 4, 2, 5, 3, 6]);
    expect(R.scale(BigFloat.fromNumber(0.5)).data.map((v) => v.toNumber())).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    expect(() => R.mul(R)).toThrow(/B/);
  });
});
