import { type QuadraticMoments, affineSquaredNormMoments } from '../gaussian/affineExpectation.ts';
import { DimensionMismatchError } from '../errors.ts';
import { type Matrix, type Vector, matmul, matvec, transpose } from '../linalg/index.ts';

/**
 * Every DSM/ESM objective of an affine model on Gaussian data (MATH.md §1):
 * z ~ N(m, S) jointly Gaussian, model input u = U z + u0, and the residual
 * r = W u + b + (G z + g0), where −(G z + g0) is the regression target (a
 * conditional or marginal score). Objective E‖r‖² = E‖L z + l‖², L = W U + G,
 * l = W u0 + b + g0.
 */
export interface AffineGaussianSetting {
  readonly m: Vector;
  readonly S: Matrix;
  readonly U: Matrix;
  readonly u0: Vector;
  readonly G: Matrix;
  readonly g0: Vector;
}

function residualMap(setting: AffineGaussianSetting, W: Matrix, b: ArrayLike<number>): { L: Matrix; l: Vector } {
  if (W.cols !== setting.U.rows) throw new DimensionMismatchError('model input', setting.U.rows, W.cols);
  if (W.rows !== setting.G.rows) throw new DimensionMismatchError('model output', setting.G.rows, W.rows);
  if (b.length !== W.rows) throw new DimensionMismatchError('model.b', W.rows, b.length);
  const WU = matmul(W, setting.U);
  const L: Matrix = { rows: WU.rows, cols: WU.cols, data: WU.data };
  for (let i = 0; i < L.data.length; i++) L.data[i] += setting.G.data[i];
  const l = matvec(W, setting.u0);
  for (let i = 0; i < l.length; i++) l[i] += b[i] + setting.g0[i];
  return { L, l };
}

/** E‖r‖² and the exact variance of one draw of ‖r‖². */
export function affineObjectiveMoments(setting: AffineGaussianSetting, W: Matrix, b: ArrayLike<number>): QuadraticMoments {
  const { L, l } = residualMap(setting, W, b);
  return affineSquaredNormMoments(L, l, setting.m, setting.S);
}

/**
 * ∂/∂W E‖r‖² = 2 E[r uᵀ] = 2 (L S Uᵀ + (L m + l)(U m + u0)ᵀ), ∂/∂b = 2 (L m + l).
 * Returned row-major: (vec ∂W, ∂b).
 */
export function affineObjectiveGradient(setting: AffineGaussianSetting, W: Matrix, b: ArrayLike<number>): { W: Matrix; b: Vector } {
  const { L, l } = residualMap(setting, W, b);
  const LSUt = matmul(matmul(L, setting.S), transpose(setting.U));
  const r = matvec(L, setting.m);
  for (let i = 0; i < r.length; i++) r[i] += l[i];
  const u = matvec(setting.U, setting.m);
  for (let i = 0; i < u.length; i++) u[i] += setting.u0[i];
  const p = u.length;
  for (let i = 0; i < r.length; i++) for (let j = 0; j < p; j++) LSUt.data[i * p + j] = 2 * (LSUt.data[i * p + j] + r[i] * u[j]);
  return { W: LSUt, b: r.map((v) => 2 * v) };
}
