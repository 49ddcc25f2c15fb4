import { InvalidArgumentError } from '../errors.ts';
import { requireIntegerInRange } from '../validate.ts';

/**
 * Gauss–Hermite rule for the standard normal: Σ w_i g(z_i) ≈ E g(Z), Z ~ N(0, 1),
 * exact for polynomials of degree ≤ 2n − 1. Nodes of the physicists' H_n by Newton
 * iteration on the orthonormal recurrence (Numerical Recipes `gauher`), then
 * z = √2 x, w = w_phys / √π.
 */
export interface QuadratureRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

const cache = new Map<number, QuadratureRule>();

/** Largest node count whose rule is verified (moments exact to rounding). */
export const GAUSS_HERMITE_MAX_NODES = 190;

export function gaussHermiteNormal(n: number): QuadratureRule {
  // The node guesses of `gauher` stop converging to distinct roots at n = 199 (checked: the
  // weights then sum to 0); 190 keeps a margin (src/numerics/gaussHermite.test.ts).
  requireIntegerInRange('gaussHermite.n', n, 1, GAUSS_HERMITE_MAX_NODES);
  const hit = cache.get(n);
  if (hit) return hit;
  const x = new Float64Array(n), w = new Float64Array(n);
  const PIM4 = Math.PI ** -0.25;
  const m = Math.floor((n + 1) / 2);
  let z = 0;
  for (let i = 0; i < m; i++) {
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** (-1 / 6);
    else if (i === 1) z -= (1.14 * n ** 0.426) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * x[0];
    else if (i === 3) z = 1.91 * z - 0.91 * x[1];
    else z = 2 * z - x[i - 2];
    let pp = 0;
    let it = 0;
    for (; it < 100; it++) {
      let p1 = PIM4, p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    if (it === 100) throw new InvalidArgumentError('gaussHermite.n', n, 'Newton iteration for the nodes did not converge');
    x[i] = z;
    x[n - 1 - i] = -z;
    w[i] = 2 / (pp * pp);
    w[n - 1 - i] = w[i];
  }
  const nodes = new Float64Array(n), weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    nodes[i] = Math.SQRT2 * x[n - 1 - i];
    weights[i] = w[n - 1 - i] / Math.sqrt(Math.PI);
  }
  const rule = { nodes, weights };
  cache.set(n, rule);
  return rule;
}

/**
 * Tensor-product rule for N(0, I_d): n^d nodes, row-major (count × d), and weights.
 */
export function gaussHermiteGrid(d: number, n: number): { readonly nodes: Float64Array; readonly weights: Float64Array; readonly count: number } {
  requireIntegerInRange('gaussHermite.d', d, 1, 6);
  const r = gaussHermiteNormal(n);
  const count = n ** d;
  if (count > 2_000_000) throw new InvalidArgumentError('gaussHermite.n', n, `n^d = ${count} nodes is too many for d = ${d}`);
  const nodes = new Float64Array(count * d), weights = new Float64Array(count);
  const idx = new Int32Array(d);
  for (let c = 0; c < count; c++) {
    let w = 1;
    for (let k = 0; k < d; k++) {
      nodes[c * d + k] = r.nodes[idx[k]];
      w *= r.weights[idx[k]];
    }
    weights[c] = w;
    for (let k = d - 1; k >= 0; k--) {
      if (++idx[k] < n) break;
      idx[k] = 0;
    }
  }
  return { nodes, weights, count };
}

/**
 * The three tensor rules of an estimate with its error: n nodes per axis (the estimate) and ⌈2n/3⌉, ⌈n/2⌉
 * (at least `minNodes`). The error estimate is max(|f_n − f_⌈2n/3⌉|, |f_n − f_⌈n/2⌉|): one coarser rule alone
 * under-states it where two rules err alike (MATH.md §3).
 */
export function gaussHermiteRules(d: number, nodes: number, minNodes = 2) {
  return {
    fine: gaussHermiteGrid(d, nodes),
    coarse: gaussHermiteGrid(d, Math.max(minNodes, Math.ceil((2 * nodes) / 3))),
    coarser: gaussHermiteGrid(d, Math.max(minNodes, Math.ceil(nodes / 2))),
  };
}
