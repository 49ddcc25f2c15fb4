import type { Gaussian } from '../gaussian/gaussian.ts';
import type { NoiseLevel } from '../diffusion/noiseLevel.ts';
import { type Matrix, addScaledIdentity, cholesky, choleskyInverse, matmul, matvec, scale, zeros } from '../linalg/index.ts';
import type { AffineGaussianSetting } from './affineGaussianObjective.ts';
import { type ConditionedGaussianData, conditionalNoisyPrecision } from './conditionedData.ts';

/** DSM, unconditional: z = (x_0, ε) ~ N((μ, 0), diag(Σ, I)), u = x_t = a x_0 + s ε, target −ε/s. */
export function dsmSetting(data: Gaussian, level: NoiseLevel): AffineGaussianSetting {
  const { a, s } = level;
  const d = data.dim, n = 2 * d;
  const m = new Float64Array(n);
  m.set(data.mean);
  const S = zeros(n, n), U = zeros(d, n), G = zeros(d, n);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) S.data[i * n + j] = data.cov.data[i * d + j];
    S.data[(d + i) * n + d + i] = 1;
    U.data[i * n + i] = a;
    U.data[i * n + d + i] = s;
    G.data[i * n + d + i] = 1 / s;
  }
  return { m, S, U, u0: new Float64Array(d), G, g0: new Float64Array(d) };
}

/** ESM, unconditional: z = x_t ~ N(aμ, Σ_t), target ∇log q_t = −P(x_t − aμ), P = Σ_t⁻¹. */
export function esmSetting(data: Gaussian, level: NoiseLevel): AffineGaussianSetting {
  const { a, s } = level;
  const d = data.dim;
  const St = addScaledIdentity(scale(data.cov, a * a), s * s);
  const P = choleskyInverse(cholesky(St, 'data.cov (marginal)'));
  const m = data.mean.map((v) => a * v);
  const g0 = matvec(P, m).map((v) => -v);
  const U = zeros(d, d);
  for (let i = 0; i < d; i++) U.data[i * d + i] = 1;
  return { m, S: St, U, u0: new Float64Array(d), G: P, g0 };
}

/** DSM, conditional: z = (x_0, c, ε), u = (x_t, c), target −ε/s. */
export function conditionalDsmSetting(cd: ConditionedGaussianData, level: NoiseLevel): AffineGaussianSetting {
  const { a, s } = level;
  const d = cd.dataDim, k = cd.condDim, j = d + k, n = j + d;
  const m = new Float64Array(n);
  m.set(cd.joint.mean);
  const S = zeros(n, n), U = zeros(j, n), G = zeros(d, n);
  for (let r = 0; r < j; r++) for (let c = 0; c < j; c++) S.data[r * n + c] = cd.joint.cov.data[r * j + c];
  for (let i = 0; i < d; i++) {
    S.data[(j + i) * n + j + i] = 1;
    U.data[i * n + i] = a;
    U.data[i * n + j + i] = s;
    G.data[i * n + j + i] = 1 / s;
  }
  for (let i = 0; i < k; i++) U.data[(d + i) * n + d + i] = 1;
  return { m, S, U, u0: new Float64Array(j), G, g0: new Float64Array(d) };
}

/**
 * ESM, conditional: z = (x_t, c) ~ N((aμ_x, μ_c), [[a²Σ_xx + s²I, aΣ_xc], [aΣ_cx, Σ_cc]]),
 * target ∇log q(x_t|c) = −K(x_t − a(Mc + m)), K = (a²Σ_{x|c} + s²I)⁻¹.
 */
export function conditionalEsmSetting(cd: ConditionedGaussianData, level: NoiseLevel): AffineGaussianSetting {
  const { a, s } = level;
  const d = cd.dataDim, k = cd.condDim, j = d + k;
  const { M, m: mc } = cd.conditional;
  const K = conditionalNoisyPrecision(cd, level);
  const m = Float64Array.from(cd.joint.mean);
  for (let i = 0; i < d; i++) m[i] *= a;
  const S = zeros(j, j);
  const J = cd.joint.cov.data;
  for (let r = 0; r < j; r++) {
    for (let c = 0; c < j; c++) {
      const f = (r < d ? a : 1) * (c < d ? a : 1);
      S.data[r * j + c] = f * J[r * j + c] + (r === c && r < d ? s * s : 0);
    }
  }
  const KM = matmul(K, M);
  const G = zeros(d, j);
  for (let i = 0; i < d; i++) {
    for (let c = 0; c < d; c++) G.data[i * j + c] = K.data[i * d + c];
    for (let c = 0; c < k; c++) G.data[i * j + d + c] = -a * KM.data[i * k + c];
  }
  const g0 = matvec(K, mc).map((v) => -a * v);
  const U = zeros(j, j);
  for (let i = 0; i < j; i++) U.data[i * j + i] = 1;
  return { m, S, U, u0: new Float64Array(j), G, g0 };
}

/** [A B] for a conditional affine model. */
export function concatColumns(A: Matrix, B: Matrix): Matrix {
  const d = A.rows, p = A.cols + B.cols;
  const W = zeros(d, p);
  for (let i = 0; i < d; i++) {
    for (let c = 0; c < A.cols; c++) W.data[i * p + c] = A.data[i * A.cols + c];
    for (let c = 0; c < B.cols; c++) W.data[i * p + A.cols + c] = B.data[i * B.cols + c];
  }
  return W;
}
