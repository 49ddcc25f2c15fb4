import type { Matrix } from '../../linalg/index.ts';
import { symmetricEigen } from '../../linalg/index.ts';
import type { StateLevel } from './denoiser.ts';

/**
 * The continuous-time limit of a sampler on Gaussian data with the exact network (MATH.md §5.5):
 * the process that the loop discretises, from the state level (a₁, s₁) of its first step to the
 * level (a₀, s₀) after its last, started from any Gaussian law. In an eigen-direction of Σ with
 * variance λ the marginal variance at a level is v = a²λ + s², and the deviation from the marginal
 * mean aμ is multiplied by
 *   f = √(v₀/v₁) · [(v₀/v₁)(ᾱ₁/ᾱ₀)]^{η²/2},   ᾱ = a²/(a² + s²),
 * plus independent noise of variance v₀ − f²v₁: η = 0 is the probability-flow ODE (f = √(v₀/v₁),
 * any state scaling), η = 1 the reverse SDE that DDPM discretises, 0 < η < 1 DDIM(η).
 * The map is x ↦ a₀μ + M(x − a₁μ) + N(0, Q), M = U diag(f) Uᵀ, Q = U diag(v₀ − f²v₁) Uᵀ.
 */
export interface LimitMap {
  readonly M: Matrix;
  readonly Q: Matrix;
  readonly a1: number;
  readonly a0: number;
}

export function limitMap(cov: Matrix, start: StateLevel, end: StateLevel, eta: number): LimitMap {
  const C = cov.rows;
  const { values, vectors } = symmetricEigen(cov, 'data.channelCov');
  const ab1 = start.a ** 2 / (start.a ** 2 + start.s ** 2), ab0 = end.a ** 2 / (end.a ** 2 + end.s ** 2);
  const f = new Float64Array(C), q = new Float64Array(C);
  for (let k = 0; k < C; k++) {
    const lam = Math.max(0, values[k]);
    const v1 = start.a ** 2 * lam + start.s ** 2, v0 = end.a ** 2 * lam + end.s ** 2;
    const ratio = v0 / v1;
    f[k] = Math.sqrt(ratio) * (eta === 0 ? 1 : (ratio * (ab1 / ab0)) ** ((eta * eta) / 2));
    q[k] = Math.max(0, v0 - f[k] * f[k] * v1);
  }
  const U = vectors.data;
  const build = (w: Float64Array): Matrix => {
    const out = new Float64Array(C * C);
    for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) {
      let acc = 0;
      for (let k = 0; k < C; k++) acc += U[i * C + k] * w[k] * U[j * C + k];
      out[i * C + j] = acc;
    }
    return { rows: C, cols: C, data: out };
  };
  return { M: build(f), Q: build(q), a1: start.a, a0: end.a };
}
