import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { simpleDouble } from '../arbitraries/index.ts';
import { type Matrix, infNorm, traceOfProduct } from './matrix.ts';

/*
 * traceOfProduct against tr(BA) summed the other way round (the cyclic identity, with the product written out);
 * infNorm against its definition as an induced norm, max over the sign vectors x ∈ {±1}ⁿ of ‖Ax‖_∞ (the ∞-ball's
 * vertices, where a convex function's maximum is attained).
 */
const mat = (rows: number, cols: number) => fc.array(simpleDouble(-3, 3, 3), { minLength: rows * cols, maxLength: rows * cols }).map((v): Matrix => ({ rows, cols, data: Float64Array.from(v) }));
const pairArb = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })).chain(([m, n]) => fc.tuple(mat(m, n), mat(n, m)));

/** tr(BA) = Σ_k (BA)_kk = Σ_k Σ_i B_ki A_ik. */
function traceOfReversedProduct(a: Matrix, b: Matrix): number {
  let s = 0;
  for (let k = 0; k < b.rows; k++) for (let i = 0; i < a.rows; i++) s += b.data[k * b.cols + i] * a.data[i * a.cols + k];
  return s;
}

function inducedInfNorm(a: Matrix): number {
  let best = 0;
  for (let mask = 0; mask < 2 ** a.cols; mask++) {
    for (let i = 0; i < a.rows; i++) {
      let s = 0;
      for (let j = 0; j < a.cols; j++) s += a.data[i * a.cols + j] * ((mask >> j) & 1 ? -1 : 1);
      best = Math.max(best, Math.abs(s));
    }
  }
  return best;
}

describe('traceOfProduct', () => {
  const agrees = (got: number, a: Matrix, b: Matrix) => {
    let mag = 0;
    for (let k = 0; k < b.rows; k++) for (let i = 0; i < a.rows; i++) mag += Math.abs(b.data[k * b.cols + i] * a.data[i * a.cols + k]);
    return Math.abs(got - traceOfReversedProduct(a, b)) <= 1e-14 * mag;
  };
  test.prop([pairArb], { numRuns: 300 })('tr(AB) = tr(BA) for A m×n, B n×m (m ≠ n included)', ([a, b]) => {
    expect(agrees(traceOfProduct(a, b), a, b)).toBe(true);
  });
  it('negative control: tr(AᵀB)-style indexing (A_ik B_ik) is rejected; mismatched shapes are a typed error', () => {
    const a: Matrix = { rows: 2, cols: 2, data: Float64Array.of(1, 2, 3, 4) }, b: Matrix = { rows: 2, cols: 2, data: Float64Array.of(5, -6, 7, 8) };
    expect(agrees(traceOfProduct(a, b), a, b)).toBe(true);
    expect(agrees(a.data.reduce((s, v, i) => s + v * b.data[i], 0), a, b)).toBe(false);
    expect(() => traceOfProduct(a, { rows: 3, cols: 2, data: new Float64Array(6) })).toThrow(/traceOfProduct/);
  });
});

describe('infNorm: the induced ∞-norm', () => {
  test.prop([fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 8 })).chain(([m, n]) => mat(m, n))], { numRuns: 300 })('equals max over sign vectors of ‖Ax‖_∞ (rectangular included)', (a) => {
    expect(infNorm(a)).toBeCloseTo(inducedInfNorm(a), 12);
  });
  it('negative control: the max column sum (the 1-norm) differs on a non-symmetric matrix, and the comparison sees it', () => {
    const a: Matrix = { rows: 2, cols: 2, data: Float64Array.of(1, -4, 0.5, 0) };
    expect(infNorm(a)).toBe(inducedInfNorm(a));
    const maxColumnSum = Math.max(Math.abs(1) + Math.abs(0.5), Math.abs(-4) + 0); // 4; the row sums are 5 and 0.5
    expect(Math.abs(maxColumnSum - inducedInfNorm(a))).toBeGreaterThan(0.5);
  });
});
