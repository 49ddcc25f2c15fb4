import type { Gaussian } from '../../src/gaussian/gaussian.ts';
import type { Matrix } from '../../src/linalg/index.ts';
import type { FlowCoefficients } from '../../src/theory/flowPath.ts';

/**
 * One draw of a flow-matching path from standard normals, written from the path's definition (MATH.md §19.1):
 * x₀ = μ + L g_x (L L ᵀ = Σ), x_t = a x₀ + s ε + r ξ, u_t = ȧ x₀ + ṡ ε + ṙ ξ. g holds g_x, ε, ξ from `offset` on.
 */
export function flowPathDraw(data: Gaussian, L: Matrix, co: FlowCoefficients, g: Float64Array, offset = 0) {
  const d = data.dim;
  const x0 = new Float64Array(d), xt = new Float64Array(d), u = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    x0[i] = data.mean[i];
    for (let j = 0; j <= i; j++) x0[i] += L.data[i * d + j] * g[offset + j];
  }
  for (let i = 0; i < d; i++) {
    const eps = g[offset + d + i], xi = g[offset + 2 * d + i];
    xt[i] = co.a * x0[i] + co.s * eps + co.r * xi;
    u[i] = co.da * x0[i] + co.ds * eps + co.dr * xi;
  }
  return { x0, xt, u };
}
