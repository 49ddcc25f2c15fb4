import { InvalidArgumentError, NotSPDError } from '../errors.ts';
import { type Matrix, identity, transpose, zeros } from '../linalg/index.ts';
import { symmetricSpectrum } from '../linalg/tridiagonalEigen.ts';

/**
 * The data covariance Σ as the bias calculator uses it: its eigenvalues (MATH.md §2.1 —
 * every reported quantity is a sum over them), and, when there is an encoder, the
 * coordinates of the encoder rows in Σ's eigenbasis.
 *
 * Σ = V diag(values) Vᵀ on the m explicit eigenvectors; the other `zeros` = d − m
 * eigenvalues are exactly 0 and their eigenvectors are orthogonal to the encoder's
 * rows (so nothing about them needs storing: they enter every sum in closed form).
 */
export interface CovarianceSpectrum {
  readonly d: number;
  /** Explicit eigenvalues of Σ, ≥ 0, descending (clamped: |λ| ≤ rankTolerance counts as 0). */
  readonly values: Float64Array;
  /** d − values.length eigenvalues that are exactly 0 and orthogonal to the encoder rows. */
  readonly zeros: number;
  /** Number of eigenvalues > rankTolerance (the numerical rank of Σ). */
  readonly rank: number;
  /** |λ| ≤ this counts as 0: max(n, d)·2⁻⁵²·λ_max (NumPy's matrix_rank rule on eigenvalues). */
  readonly rankTolerance: number;
  /** How many computed eigenvalues were within ±rankTolerance and set to 0. */
  readonly clamped: number;
  /** G = VᵀBᵀ (values.length × k): the encoder rows in the explicit eigenbasis. */
  readonly encoderCoordinates?: Matrix;
  /** tr Σ. */
  readonly trace: number;
}

/** |λ| ≤ tol is rounding: tol = size·2⁻⁵²·max|λ| (size = max(n, d), as NumPy's matrix_rank). */
export function rankTolerance(maxAbs: number, size: number): number {
  return size * 2 ** -52 * maxAbs;
}

/**
 * Clamps rounding-level eigenvalues to 0 and rejects a genuinely negative one
 * (λ + ε < −tol, ε the user's regularizer: Σ + εI must be PSD).
 */
function clampSpectrum(values: Float64Array, size: number, field: string, regularization: number): { tol: number; clamped: number; rank: number } {
  let maxAbs = 0;
  for (const v of values) maxAbs = Math.max(maxAbs, Math.abs(v));
  const tol = rankTolerance(maxAbs, size);
  let clamped = 0, rank = 0, min = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    min = Math.min(min, v);
    if (Math.abs(v) <= tol) {
      if (v !== 0) clamped++;
      values[i] = 0;
    } else if (v > 0) rank++;
  }
  if (min + regularization < -tol) {
    throw new NotSPDError(
      field,
      `nor semidefinite: smallest eigenvalue ${min.toPrecision(6)} < −${tol.toPrecision(3)}, the rounding tolerance${regularization > 0 ? `, even with regularization ${regularization}` : ''}; a regularization ε ≥ ${(-min).toPrecision(3)} makes Σ + εI PSD`,
    );
  }
  // Negative values that the regularizer lifts stay as they are (Σ + εI ⪰ 0); anything below −tol without it was refused above.
  return { tol, clamped, rank };
}

/**
 * From a d × d covariance (symmetric, PSD up to rounding): one symmetric
 * eigendecomposition (Householder + QL, O(d³) once). With `encoderB` (k × d), also
 * G = VᵀBᵀ, by applying the eigenvector transformations to Bᵀ (O(d²k), V never formed).
 */
export function spectrumFromCovariance(cov: Matrix, opts: { encoderB?: Matrix; field?: string; regularization?: number; samples?: number; overwrite?: boolean; onProgress?: (done: number, total: number) => void } = {}): CovarianceSpectrum {
  const field = opts.field ?? 'data.cov';
  const d = cov.rows;
  if (cov.cols !== d) throw new NotSPDError(field, `not square (${cov.rows}x${cov.cols})`);
  if (d < 1) throw new InvalidArgumentError(field, `${d}x${d}`, 'needs dimension ≥ 1');
  const project = opts.encoderB ? transpose(opts.encoderB) : undefined;
  const eig = symmetricSpectrum(cov, { field, ...(project ? { project } : {}), ...(opts.overwrite ? { overwrite: true } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  const values = eig.values;
  const { tol, clamped, rank } = clampSpectrum(values, Math.max(d, opts.samples ?? 0), field, opts.regularization ?? 0);
  let trace = 0;
  for (const v of values) trace += v;
  return { d, values, zeros: 0, rank, rankTolerance: tol, clamped, trace, ...(eig.projected ? { encoderCoordinates: eig.projected } : {}) };
}

/** From eigenvalues given directly (no encoder possible: no eigenvectors); the rest of d are zeros. */
export function spectrumFromEigenvalues(eigenvalues: ArrayLike<number>, d = eigenvalues.length, field = 'data.eigenvalues', regularization = 0): CovarianceSpectrum {
  if (!Number.isInteger(d) || d < eigenvalues.length || d < 1) throw new InvalidArgumentError(`${field} (dim)`, d, `must be an integer ≥ the number of eigenvalues (${eigenvalues.length}) and ≥ 1`);
  const values = new Float64Array(eigenvalues.length);
  for (let i = 0; i < values.length; i++) {
    const v = eigenvalues[i];
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`${field}[${i}]`, v, 'must be a finite number');
    values[i] = v;
  }
  values.sort().reverse();
  const { tol, clamped, rank } = clampSpectrum(values, d, field, regularization);
  let trace = 0;
  for (const v of values) trace += v;
  return { d, values, zeros: d - values.length, rank, rankTolerance: tol, clamped, trace };
}

/**
 * From the Gram matrix K = X_c X_cᵀ (n × n) of n centered samples in dimension d
 * (MATH.md §2.1, low-rank data): the nonzero eigenvalues of Σ = X_cᵀX_c/(n − 1) are those
 * of K/(n − 1), the other d − rank are exactly 0. With the encoder, `XcBt` = X_c Bᵀ
 * (n × k) gives G = VᵀBᵀ on the range of Σ (V = X_cᵀ U Λ^{-1/2}/√(n−1), U K's
 * eigenvectors, so G = Λ^{-1/2} Uᵀ X_cBᵀ/√(n−1)); `BBt` = BBᵀ (k × k) gives the part of
 * the encoder rows outside range(Σ), needed only with a regularizer (where Σ + εI is
 * not zero there): its coordinates N in an orthonormal basis of that part satisfy
 * NᵀN = BBᵀ − GᵀG.
 *
 * `K` is overwritten.
 */
export function spectrumFromGram(
  K: Matrix, n: number, d: number,
  opts: { XcBt?: Matrix; BBt?: Matrix; regularization?: number; field?: string; onProgress?: (done: number, total: number) => void } = {},
): CovarianceSpectrum {
  const field = opts.field ?? 'data.samples';
  if (K.rows !== n || K.cols !== n) throw new InvalidArgumentError(`${field} (Gram)`, `${K.rows}x${K.cols}`, `must be ${n}x${n}`);
  if (n < 2) throw new InvalidArgumentError(field, n, 'need at least 2 samples to estimate a covariance');
  const scale = 1 / (n - 1);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) K.data[i * n + j] *= scale;
  let project: Matrix | undefined;
  if (opts.XcBt) {
    const k = opts.XcBt.cols;
    project = zeros(n, k);
    const sq = Math.sqrt(scale);
    for (let i = 0; i < n * k; i++) project.data[i] = opts.XcBt.data[i] * sq;
  }
  const eig = symmetricSpectrum(K, { field, overwrite: true, ...(project ? { project } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  const all = eig.values;
  const { tol, clamped, rank } = clampSpectrum(all, Math.max(n, d), field, 0);
  const values = all.slice(0, rank); // descending: the positive ones first
  let trace = 0;
  for (const v of values) trace += v;
  if (!project || !eig.projected) return { d, values, zeros: d - rank, rank, rankTolerance: tol, clamped, trace };

  const k = project.cols;
  // G on the range: row i = (Uᵀ X_cBᵀ/√(n−1))_i / √λ_i.
  const G = zeros(rank, k);
  for (let i = 0; i < rank; i++) {
    const r = 1 / Math.sqrt(values[i]);
    for (let c = 0; c < k; c++) G.data[i * k + c] = eig.projected.data[i * k + c] * r;
  }
  const eps = opts.regularization ?? 0;
  if (eps > 0 && !opts.BBt && rank < d) throw new InvalidArgumentError(`${field} (BBt)`, 'missing', 'with a regularizer and an encoder, BBᵀ is needed: the encoder rows outside range(Σ) see variance ε there (MATH.md §2.1)');
  if (!(eps > 0) || !opts.BBt || rank === d) {
    return { d, values, zeros: d - rank, rank, rankTolerance: tol, clamped, trace, encoderCoordinates: G };
  }
  // The encoder rows' part outside range(Σ): NᵀN = BBᵀ − GᵀG (k × k), N = √ν Wᵀ in the basis Q_N = (I − P)Bᵀ W ν^{-1/2}.
  const NtN = zeros(k, k);
  let bScale = 0;
  for (let a = 0; a < k; a++) {
    bScale = Math.max(bScale, Math.abs(opts.BBt.data[a * k + a]));
    for (let b = 0; b < k; b++) {
      let g = 0;
      for (let i = 0; i < rank; i++) g += G.data[i * k + a] * G.data[i * k + b];
      NtN.data[a * k + b] = opts.BBt.data[a * k + b] - g;
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) NtN.data[a * k + b] = NtN.data[b * k + a] = 0.5 * (NtN.data[a * k + b] + NtN.data[b * k + a]);
  const ne = symmetricSpectrum(NtN, { field: `${field} (encoder rows outside range(Σ))`, project: identity(k) });
  // ν below the cancellation level of BBᵀ − GᵀG is zero: that part of B lies in range(Σ).
  const nuTol = 1e3 * Math.max(d, n) * 2 ** -52 * bScale;
  const extra: number[] = [];
  for (let i = 0; i < k; i++) if (ne.values[i] > nuTol) extra.push(i);
  const m = rank + extra.length;
  const Gfull = zeros(m, k);
  Gfull.data.set(G.data);
  extra.forEach((idx, e) => {
    const s = Math.sqrt(ne.values[idx]);
    // N = √ν Wᵀ: row e = √ν_idx · (eigenvector idx)ᵀ = √ν · row idx of WᵀI.
    for (let c = 0; c < k; c++) Gfull.data[(rank + e) * k + c] = s * ne.projected!.data[idx * k + c];
  });
  const vals = new Float64Array(m);
  vals.set(values);
  return { d, values: vals, zeros: d - m, rank, rankTolerance: tol, clamped, trace, encoderCoordinates: Gfull };
}
