import { describe, expect, it } from 'vitest';
import { pseudoInverse } from './pseudoInverse.ts';
import { fromRows, matmul, relativeFrobeniusDistance, toRows } from './matrix.ts';

/** The four Penrose conditions: HXH = H, XHX = X, (HX)ᵀ = HX, (XH)ᵀ = XH. */
function expectPenrose(hRows: number[][]): void {
  const H = fromRows(hRows);
  const X = pseudoInverse(H);
  expect(relativeFrobeniusDistance(matmul(matmul(H, X), H), H)).toBeLessThan(1e-12);
  expect(relativeFrobeniusDistance(matmul(matmul(X, H), X), X)).toBeLessThan(1e-12);
  const HX = toRows(matmul(H, X)), XH = toRows(matmul(X, H));
  for (let i = 0; i < HX.length; i++) for (let j = 0; j < HX.length; j++) expect(HX[i][j]).toBeCloseTo(HX[j][i], 12);
  for (let i = 0; i < XH.length; i++) for (let j = 0; j < XH.length; j++) expect(XH[i][j]).toBeCloseTo(XH[j][i], 12);
}

describe('pseudoInverse', () => {
  it('handles an inpainting mask that mathjs pinv rejects', () => {
    expectPenrose([[0, 0, 1]]);
    expect(Array.from(pseudoInverse(fromRows([[0, 0, 1]])).data)).toEqual([0, 0, 1]);
  });
  it('satisfies the Penrose conditions for full-rank, wide, tall and rank-deficient H', () => {
    expectPenrose([[1, 2, 0], [0, 1, -1]]);
    expectPenrose([[1, 0], [2, 1], [0, 3]]);
    expectPenrose([[1, 2, 3], [2, 4, 6]]);
    expectPenrose([[0, 0], [0, 0]]);
  });
  it('negative control: Hᵀ is not the pseudo-inverse of a non-orthogonal H', () => {
    const H = fromRows([[1, 2, 0], [0, 1, -1]]);
    const wrong = { rows: 3, cols: 2, data: Float64Array.from([1, 0, 2, 1, 0, -1]) };
    expect(relativeFrobeniusDistance(matmul(matmul(H, wrong), H), H)).toBeGreaterThan(0.1);
  });
});
