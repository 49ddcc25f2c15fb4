import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { fromEigen, givensProduct, rotation, simpleDouble } from '../arbitraries/index.ts';
import { NotSPDError } from '../errors.ts';
import { backSubstituteTransposed, cholesky, choleskyInverse, choleskyLogDet, choleskySolve, forwardSubstitute, spdLogDet, spdTraceInverse } from './cholesky.ts';
import { fromRows, matmul, matvec, transpose, identity, relativeFrobeniusDistance } from './matrix.ts';

const A = fromRows([[4, 2, 0.6], [2, 2, 0.5], [0.6, 0.5, 3]]);

describe('cholesky', () => {
  it('reconstructs A = L Lᵀ', () => {
    const L = cholesky(A);
    expect(relativeFrobeniusDistance(matmul(L, transpose(L)), A)).toBeLessThan(1e-15);
  });
  it('solves, inverts and takes log det consistently', () => {
    const L = cholesky(A);
    const b = [1, -2, 0.5];
    const x = choleskySolve(L, b);
    const Ax = matvec(A, x);
    for (let i = 0; i < 3; i++) expect(Ax[i]).toBeCloseTo(b[i], 13);
    expect(relativeFrobeniusDistance(matmul(A, choleskyInverse(L)), identity(3))).toBeLessThan(1e-14);
    // det A = 4(6 - 0.25) - 2(6 - 0.3) + 0.6(1 - 1.2) = 23 - 11.4 - 0.12 = 11.48
    expect(choleskyLogDet(L)).toBeCloseTo(Math.log(11.48), 13);
    const inv = choleskyInverse(L);
    expect(spdTraceInverse(A)).toBeCloseTo(inv.data[0] + inv.data[4] + inv.data[8], 13);
  });
  it('rejects asymmetric, indefinite and non-finite matrices, naming the field', () => {
    expect(() => cholesky(fromRows([[1, 0.5], [0, 1]]), 'data.cov')).toThrow(/data\.cov.*asymmetric/);
    expect(() => cholesky(fromRows([[1, 2], [2, 1]]), 'data.cov')).toThrow(NotSPDError);
    expect(() => cholesky(fromRows([[1, NaN], [NaN, 1]]), 'prior.cov')).toThrow(/prior\.cov.*NaN/);
  });
});

/*
 * Direct checks by independent routes: the triangular solves by their residuals (the triangular product written
 * out here), spdLogDet against Σ log λ of a matrix built from known eigenvalues (no factorization on that side).
 */
describe('forwardSubstitute and backSubstituteTransposed: residuals of the solved triangular systems', () => {
  const lower = (d: number) => fc.tuple(
    fc.array(simpleDouble(0.2, 3, 4), { minLength: d, maxLength: d }),
    fc.array(simpleDouble(-2, 2, 4), { minLength: d * d, maxLength: d * d }),
    fc.array(simpleDouble(-5, 5, 4), { minLength: d, maxLength: d }),
  ).map(([diag, off, b]) => ({ L: { rows: d, cols: d, data: Float64Array.from(off, (v, k) => (Math.floor(k / d) === k % d ? diag[k % d] : Math.floor(k / d) > k % d ? v : 0)) }, b }));
  const caseArb = fc.integer({ min: 1, max: 6 }).chain(lower);
  /** max_i |Σ_j M_ij x_j − b_i| for M = L (lower) or Lᵀ (upper), relative to Σ_j |M_ij x_j| + |b_i|. */
  const residual = (L: { data: Float64Array; rows: number }, x: ArrayLike<number>, b: ArrayLike<number>, transposed: boolean) => {
    const d = L.rows;
    let worst = 0;
    for (let i = 0; i < d; i++) {
      let s = -b[i], mag = Math.abs(b[i]);
      for (let j = 0; j < d; j++) {
        const m = transposed ? L.data[j * d + i] : L.data[i * d + j];
        s += m * x[j];
        mag += Math.abs(m * x[j]);
      }
      worst = Math.max(worst, mag === 0 ? 0 : Math.abs(s) / mag);
    }
    return worst;
  };

  test.prop([caseArb], { numRuns: 200 })('L y = b and Lᵀ x = y hold to rounding (backward stable: ~d·ε relative)', ({ L, b }) => {
    const y = forwardSubstitute(L, b), x = backSubstituteTransposed(L, b);
    expect(residual(L, y, b, false)).toBeLessThan(1e-14);
    expect(residual(L, x, b, true)).toBeLessThan(1e-14);
  });

  it('negative control: solving with L where Lᵀ is needed (and vice versa) leaves a residual', () => {
    const L = fromRows([[2, 0, 0], [1, 1, 0], [-0.5, 0.3, 1.5]]), b = [1, -2, 0.5];
    expect(residual(L, backSubstituteTransposed(L, b), b, false)).toBeGreaterThan(1e-2);
    expect(residual(L, forwardSubstitute(L, b), b, true)).toBeGreaterThan(1e-2);
  });
});

describe('spdLogDet against Σ log λ of Σ = R diag(λ) Rᵀ', () => {
  const caseArb = fc.integer({ min: 1, max: 6 }).chain((d) => fc.tuple(rotation(d), fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: d, maxLength: d })));

  test.prop([caseArb], { numRuns: 200 })('eigenvalues 10^u, u ∈ [−6, 6] (condition numbers up to 1e12)', ([R, u]) => {
    const lambda = u.map((v) => 10 ** v), want = lambda.reduce((s, l) => s + Math.log(l), 0);
    // Rounding in building Σ perturbs λ_i by ~ε·λ_max: log λ_i by ~ε·κ.
    const kappa = Math.max(...lambda) / Math.min(...lambda);
    expect(Math.abs(spdLogDet(fromEigen(R, lambda)) - want)).toBeLessThanOrEqual(1e-13 * lambda.length * Math.max(1, kappa) + 1e-12 * Math.abs(want));
  });

  it('negative control: Σ log L_ii (the factor 2 dropped) is rejected; an indefinite matrix is a typed error naming the field', () => {
    const lambda = [4, 0.5, 2], S = fromEigen(givensProduct(3, [0.3, -1.1, 0.7]), lambda);
    const want = Math.log(4) + Math.log(0.5) + Math.log(2);
    expect(Math.abs(spdLogDet(S) - want)).toBeLessThan(1e-13);
    expect(Math.abs(spdLogDet(S) / 2 - want)).toBeGreaterThan(0.1);
    expect(() => spdLogDet(fromRows([[1, 2], [2, 1]]), 'prior.cov')).toThrow(/prior\.cov/);
  });
});
