import { describe, expect, it } from 'vitest';
import { NotSPDError } from '../errors.ts';
import { cholesky, choleskyInverse, choleskyLogDet, choleskySolve, spdTraceInverse } from './cholesky.ts';
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
