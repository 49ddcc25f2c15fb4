import { describe, expect, test } from 'vitest';
import { GAUSS_HERMITE_MAX_NODES, gaussHermiteGrid, gaussHermiteNormal } from './gaussHermite.ts';

describe('Gauss–Hermite rule for N(0, 1)', () => {
  const counts = [1, 2, 5, 20, 60, 120, 150, 180, GAUSS_HERMITE_MAX_NODES];
  test.each(counts)('n = %d: Σw = 1, E z² = 1, E z⁴ = 3 (where exact), distinct nodes', (n) => {
    const { nodes, weights } = gaussHermiteNormal(n);
    let w = 0, m2 = 0, m4 = 0;
    for (let i = 0; i < n; i++) {
      w += weights[i];
      m2 += weights[i] * nodes[i] ** 2;
      m4 += weights[i] * nodes[i] ** 4;
      if (i > 0) expect(nodes[i]).toBeGreaterThan(nodes[i - 1]);
    }
    expect(Math.abs(w - 1)).toBeLessThanOrEqual(1e-13);
    if (n >= 2) expect(Math.abs(m2 - 1)).toBeLessThanOrEqual(1e-13);
    if (n >= 3) expect(Math.abs(m4 - 3)).toBeLessThanOrEqual(1e-12);
  });

  test('past the verified range the rule is refused, not returned broken (n = 199 used to sum to 0)', () => {
    expect(() => gaussHermiteNormal(GAUSS_HERMITE_MAX_NODES + 1)).toThrow(/gaussHermite.n/);
  });
});

describe('gaussHermiteGrid: the tensor rule integrates N(0, I_d) monomials exactly up to degree 2n − 1 per coordinate', () => {
  // Independent route: E Π z_k^{p_k} = Π (p_k − 1)!! for even p_k, 0 if any p_k is odd.
  const moment = (p: number) => (p % 2 ? 0 : Array.from({ length: p / 2 }, (_, i) => 2 * i + 1).reduce((s, v) => s * v, 1));
  /** Σ w f and Σ w |f| (the scale of its rounding: odd moments cancel terms of that size). */
  const integrateWithScale = (grid: ReturnType<typeof gaussHermiteGrid>, d: number, powers: number[]) => {
    let s = 0, abs = 0;
    for (let c = 0; c < grid.count; c++) {
      let v = grid.weights[c];
      for (let k = 0; k < d; k++) v *= grid.nodes[c * d + k] ** powers[k];
      s += v;
      abs += Math.abs(v);
    }
    return { value: s, scale: abs };
  };
  const integrate = (grid: ReturnType<typeof gaussHermiteGrid>, d: number, powers: number[]) => integrateWithScale(grid, d, powers).value;

  test.each([[1, 7], [2, 5], [3, 4], [4, 3], [6, 2]])('d = %d, n = %d: every monomial with powers ≤ 2n − 1 (to 1e-13·Σw|f|); the layout is row-major, last coordinate fastest', (d, n) => {
    const grid = gaussHermiteGrid(d, n);
    expect(grid.count).toBe(n ** d);
    expect(grid.nodes.length).toBe(n ** d * d);
    const r = gaussHermiteNormal(n);
    expect(grid.nodes[d - 1 + d]).toBe(r.nodes[1]); // second node: only the last coordinate moved
    const powers = new Array<number>(d).fill(0);
    const top = 2 * n - 1;
    for (;;) {
      const exact = powers.reduce((s, p) => s * moment(p), 1);
      const { value, scale } = integrateWithScale(grid, d, powers);
      expect(Math.abs(value - exact), `powers ${powers}`).toBeLessThanOrEqual(1e-13 * scale);
      let k = 0;
      while (k < d && ++powers[k] > Math.min(top, k < 2 ? top : 2)) powers[k++] = 0;
      if (k === d) break;
    }
  });

  test('negative control: degree 2n in one coordinate is not integrated exactly (the degree bound is sharp)', () => {
    for (const [d, n] of [[1, 3], [2, 4], [3, 2]]) {
      const powers = new Array<number>(d).fill(0);
      powers[d - 1] = 2 * n;
      expect(Math.abs(integrate(gaussHermiteGrid(d, n), d, powers) - moment(2 * n))).toBeGreaterThan(0.1);
    }
  });

  test('bad sizes are typed errors naming the field', () => {
    expect(() => gaussHermiteGrid(0, 3)).toThrow(/gaussHermite\.d/);
    expect(() => gaussHermiteGrid(7, 2)).toThrow(/gaussHermite\.d/);
    expect(() => gaussHermiteGrid(6, 20)).toThrow(/gaussHermite\.n/);
    expect(() => gaussHermiteGrid(2, 0)).toThrow(/gaussHermite\.n/);
  });
});
