import { describe, expect, test } from 'vitest';
import { GAUSS_HERMITE_MAX_NODES, gaussHermiteNormal } from './gaussHermite.ts';

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
