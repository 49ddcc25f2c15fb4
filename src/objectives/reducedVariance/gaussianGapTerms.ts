import { Gaussian } from '../../gaussian/gaussian.ts';
import type { NoiseLevel } from '../../diffusion/noiseLevel.ts';
import { DimensionMismatchError } from '../../errors.ts';
import type { Matrix } from '../../linalg/index.ts';
import type { ConditionalScoreModel } from '../../models/scoreModel.ts';
import { AffineConditionalScoreModel } from '../../models/affineConditionalScoreModel.ts';
import type { ConditionedGaussianData } from '../conditionedData.ts';
import { requireNoiseLevel } from '../../diffusion/noiseLevel.ts';
import { requireIntegerInRange } from '../../validate.ts';
import type { Rng } from '../../mc/rng.ts';
import { type BatchScoreModel, batchAffineInto, inOrthonormalFrame } from '../../models/batchScoreModel.ts';
import { symmetricEigen } from '../../linalg/symmetricEigen.ts';
import { SimdArena, simdAvailable } from '../../models/simdKernels.ts';

/**
 * Per-sample pieces of the DSM − ESM gap (MATH.md §2, Theorem 1). With
 * x_t = a x_0 + s ε, σ = ∇log q_t(x_t) and ŝ = ŝ(x_t):
 *   dsm − esm = ‖ŝ + ε/s‖² − ‖ŝ − σ‖² = A + B,
 *   A = ‖ε‖²/s² − ‖σ‖²           (model-free; E A = d/s² − tr Σ_t⁻¹ = C_t exactly),
 *   B = 2 ŝ·(ε/s + σ)            (model term; E B = 0 for every ŝ, since E[ε/s | x_t] = −σ).
 * The plain estimator averages A + B; the reduced ones use A as a control
 * variate with its exact mean (see reducedGapEstimators.ts).
 */
export interface GapTerms {
  readonly n: number;
  readonly modelFree: Float64Array;
  readonly modelTerm: Float64Array;
  /** E A, exact: Σᵢ a²λᵢ / (s²(a²λᵢ + s²)), λ the eigenvalues of the data covariance. */
  readonly modelFreeMean: number;
  /** Rows 2k and 2k+1 are antithetic ((x_0 − μ, ε) → −(x_0 − μ, ε)). */
  readonly antithetic: boolean;
  /**
   * With `linearControl`: B_lin = 2 ℓ(u)·(ε/s + σ) for an affine ℓ fitted to the
   * frame model on an independent pilot sample. E B_lin = 0 exactly (for affine ℓ,
   * E[uᵢ(ε/s + σ)ⱼ] = δᵢⱼ(1 − pᵢ(a²λᵢ + s²)) = 0 and E[ε/s + σ] = 0), so it is a
   * control variate for B with known mean.
   */
  readonly linearControl?: Float64Array;
}

/**
 * Everything fixed for one (data, level, model): the eigenframe Σ = QΛQᵀ of the
 * data covariance, where u = x_t − aμ has independent coordinates
 * uᵢ = a√λᵢ wᵢ + s eᵢ (w, e ~ N(0, I)) and σᵢ = −uᵢ/(a²λᵢ + s²); the model is
 * folded into the frame once (u ↦ Qᵀŝ(aμ + Qu)). Norms are frame-invariant,
 * so the per-sample values are exactly those of the original coordinates.
 */
export interface PreparedGaussianGap {
  readonly dim: number;
  readonly level: NoiseLevel;
  /** a√λᵢ */
  readonly signalScale: Float64Array;
  /** 1 / (a²λᵢ + s²) */
  readonly marginalPrecision: Float64Array;
  readonly modelFreeMean: number;
  /** Fills `out` (m × d) with the frame model at the frame points `u` (m × d), drawing side inputs (c) from `rng`. */
  readonly evaluate: (u: Float64Array, m: number, out: Float64Array, rng: Rng) => void;
}

function frame(cov: Matrix, level: NoiseLevel, field: string) {
  const { a, s } = level;
  const eig = symmetricEigen(cov, field);
  const d = cov.rows;
  const signalScale = new Float64Array(d), marginalPrecision = new Float64Array(d);
  let mean = 0;
  for (let i = 0; i < d; i++) {
    const lam = Math.max(eig.values[i], 0); // PSD round-off
    signalScale[i] = a * Math.sqrt(lam);
    marginalPrecision[i] = 1 / (a * a * lam + s * s);
    mean += (a * a * lam) / (s * s * (a * a * lam + s * s));
  }
  return { q: eig.vectors, signalScale, marginalPrecision, modelFreeMean: mean };
}

/** Prepares the unconditional gap kernel for Gaussian data and a batched model. */
export function prepareGaussianGap(data: Gaussian, level: NoiseLevel, model: BatchScoreModel): PreparedGaussianGap {
  const lv = requireNoiseLevel(level);
  if (model.dim !== data.dim) throw new DimensionMismatchError('model.dim', data.dim, model.dim);
  const f = frame(data.cov, lv, 'data.cov');
  const shift = new Float64Array(data.dim);
  for (let i = 0; i < data.dim; i++) shift[i] = lv.a * data.mean[i];
  const framed = inOrthonormalFrame(model, f.q, shift);
  return {
    dim: data.dim, level: lv, signalScale: f.signalScale, marginalPrecision: f.marginalPrecision, modelFreeMean: f.modelFreeMean,
    evaluate: (u, m, out) => framed.evaluateBatch(u, m, out),
  };
}

/**
 * Prepares the conditional gap kernel (MATH.md §2, Theorem 2): c ~ its marginal,
 * x_0 | c ~ N(Mc + m, Σ_{x|c}), model ŝ(x_t, c); σ = ∇log q(x_t|c). The frame is
 * that of Σ_{x|c}; E A = d/s² − tr((a²Σ_{x|c} + s²I)⁻¹) (the input-bias gap).
 * Affine conditional models are folded exactly; any other model is evaluated
 * pointwise in the original coordinates.
 */
export function prepareConditionalGaussianGap(cd: ConditionedGaussianData, level: NoiseLevel, model: ConditionalScoreModel): PreparedGaussianGap {
  const lv = requireNoiseLevel(level);
  const d = cd.dataDim, k = cd.condDim, { a } = lv;
  if (model.dim !== d) throw new DimensionMismatchError('model.dim', d, model.dim);
  if (model.condDim !== k) throw new DimensionMismatchError('model.condDim', k, model.condDim);
  const { M, m, cov } = cd.conditional;
  const f = frame(cov, lv, 'conditional.cov');
  const n = d + k;
  const cMean = cd.joint.mean.slice(d);
  const cCov = { rows: k, cols: k, data: new Float64Array(k * k) };
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) cCov.data[i * k + j] = cd.joint.cov.data[(d + i) * n + d + j];
  const cLaw = new Gaussian(cMean, cCov, 'joint.cov (c block)');
  const Q = f.q.data;
  const Qt = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) Qt[j * d + i] = Q[i * d + j];
  let cBuf = new Float64Array(0), xi = new Float64Array(k), cRow = new Float64Array(k);
  let evaluate: PreparedGaussianGap['evaluate'];
  if (model instanceof AffineConditionalScoreModel) {
    // Qᵀ(A(a(Mc + m) + Qu) + Bc + b) = (QᵀAQ) u + Qᵀ(aAM + B) c + Qᵀ(aAm + b).
    const A = model.A.data, B = model.B.data;
    const AQ = new Float64Array(d * d), Wf = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) { let s = 0; for (let l = 0; l < d; l++) s += A[i * d + l] * Q[l * d + j]; AQ[i * d + j] = s; }
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) { let s = 0; for (let l = 0; l < d; l++) s += Q[l * d + i] * AQ[l * d + j]; Wf[i * d + j] = s; }
    const K0 = new Float64Array(d * k); // aAM + B
    for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) { let s = B[i * k + j]; for (let l = 0; l < d; l++) s += a * A[i * d + l] * M.data[l * k + j]; K0[i * k + j] = s; }
    const Kf = new Float64Array(d * k);
    for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) { let s = 0; for (let l = 0; l < d; l++) s += Q[l * d + i] * K0[l * k + j]; Kf[i * k + j] = s; }
    const off0 = new Float64Array(d);
    for (let i = 0; i < d; i++) { let s = model.b[i]; for (let l = 0; l < d; l++) s += a * A[i * d + l] * m[l]; off0[i] = s; }
    const off = new Float64Array(d);
    for (let i = 0; i < d; i++) { let s = 0; for (let l = 0; l < d; l++) s += Q[l * d + i] * off0[l]; off[i] = s; }
    let tmp = new Float64Array(0);
    evaluate = (u, rows, out, rng) => {
      if (cBuf.length < rows * k) { cBuf = new Float64Array(rows * k); tmp = new Float64Array(rows * d); }
      for (let r = 0; r < rows; r++) { cLaw.sampleInto(rng, cRow, xi); cBuf.set(cRow, r * k); }
      batchAffineInto(u, rows, d, Wf, d, off, out);
      batchAffineInto(cBuf, rows, k, Kf, d, null, tmp);
      for (let i = 0, mm = rows * d; i < mm; i++) out[i] += tmp[i];
    };
  } else {
    const x = new Float64Array(d), g = new Float64Array(d), c = new Float64Array(k);
    evaluate = (u, rows, out, rng) => {
      for (let r = 0; r < rows; r++) {
        cLaw.sampleInto(rng, c, xi);
        for (let i = 0; i < d; i++) { let s = m[i]; for (let j = 0; j < k; j++) s += M.data[i * k + j] * c[j]; x[i] = a * s; }
        for (let i = 0; i < d; i++) { let s = x[i]; for (let j = 0; j < d; j++) s += Q[i * d + j] * u[r * d + j]; x[i] = s; }
        model.evaluate(x, c, g);
        for (let i = 0; i < d; i++) { let s = 0; for (let j = 0; j < d; j++) s += Qt[i * d + j] * g[j]; out[r * d + i] = s; }
      }
    };
  }
  return { dim: d, level: lv, signalScale: f.signalScale, marginalPrecision: f.marginalPrecision, modelFreeMean: f.modelFreeMean, evaluate };
}

export interface GapSamplingOptions {
  /** Mirror every draw: rows 2k+1 use −(w, e) of row 2k (n must be even). */
  readonly antithetic?: boolean;
  /** Rows per batch (default 256: keeps the batch in L2). */
  readonly batch?: number;
  /** Pilot sample size for the fitted linear control B_lin (0 or absent: none). */
  readonly linearControl?: number;
}

/**
 * Least-squares affine fit ℓ(u) = W u + b of the frame model on `pilot` draws of u.
 * In the frame the coordinates of u are independent, mean 0, variance a²λᵢ + s²,
 * so the population fit is Wⱼᵢ = E[gⱼuᵢ]/(a²λᵢ + s²), b = E g; both estimated on the pilot.
 */
function fitLinearControl(prep: PreparedGaussianGap, rng: Rng, pilot: number): { w: Float64Array; b: Float64Array } {
  const d = prep.dim, { s } = prep.level, r = prep.signalScale, p = prep.marginalPrecision;
  const u = new Float64Array(pilot * d), g = new Float64Array(pilot * d), z = rng.fillNormal(new Float64Array(pilot * 2 * d));
  for (let k = 0; k < pilot; k++) for (let i = 0; i < d; i++) u[k * d + i] = r[i] * z[k * 2 * d + i] + s * z[k * 2 * d + d + i];
  prep.evaluate(u, pilot, g, rng.fork('side'));
  const w = new Float64Array(d * d), b = new Float64Array(d);
  for (let k = 0; k < pilot; k++) {
    for (let j = 0; j < d; j++) {
      const gj = g[k * d + j];
      b[j] += gj;
      for (let i = 0; i < d; i++) w[j * d + i] += gj * u[k * d + i];
    }
  }
  for (let j = 0; j < d; j++) {
    b[j] /= pilot;
    for (let i = 0; i < d; i++) w[j * d + i] *= p[i] / pilot;
  }
  return { w, b };
}

interface GapWorkspace {
  readonly noise: Float64Array;
  readonly u: Float64Array;
  readonly g: Float64Array;
  /** With WebAssembly SIMD and d even: the arena the buffers live in, and their byte offsets. */
  readonly simd: SimdArena | null;
  readonly at: { noise: number; u: number; g: number; r: number; p: number; sv: number; cv: number; a: number; b: number };
}

/**
 * Batch buffers of sampleGapTerms. With WebAssembly SIMD and d even they are views
 * into one private wasm arena (normals drawn straight into it, no copies) and the
 * per-row loops run as the f64x2 kernels `frame` and `pieces` (src/models/simdKernels.ts);
 * otherwise plain arrays and the JS loops below.
 */
function gapWorkspace(batch: number, d: number, r: Float64Array, p: Float64Array, s: number): GapWorkspace {
  if (!(d % 2 === 0 && simdAvailable())) {
    const at = { noise: 0, u: 0, g: 0, r: 0, p: 0, sv: 0, cv: 0, a: 0, b: 0 };
    return { noise: new Float64Array(batch * 2 * d), u: new Float64Array(batch * d), g: new Float64Array(batch * d), simd: null, at };
  }
  const a = new SimdArena();
  const at = {
    noise: a.alloc(batch * 2 * d), u: a.alloc(batch * d), g: a.alloc(batch * d), r: a.put(r), p: a.put(p),
    sv: a.put([s, s]), cv: a.put([1 / s, 1 / s]), a: a.alloc(batch), b: a.alloc(batch),
  };
  const f = a.f64; // the arena does not grow after this: the views stay valid
  const view = (off: number, len: number) => f.subarray(off >> 3, (off >> 3) + len);
  return { noise: view(at.noise, batch * 2 * d), u: view(at.u, batch * d), g: view(at.g, batch * d), simd: a, at };
}

/** Frame points u = r∘w + s e of rows (w, e) of `noise` (m × 2d). Small monomorphic loops: V8 optimizes them on their own. */
function framePoints(noise: Float64Array, r: Float64Array, s: number, m: number, d: number, u: Float64Array): void {
  for (let row = 0; row < m; row++) {
    const o = row * 2 * d, ou = row * d;
    for (let i = 0; i < d; i++) u[ou + i] = r[i] * noise[o + i] + s * noise[o + d + i];
  }
}

/** A = ‖e/s‖² − ‖σ‖², B = 2 g·(e/s + σ), σ = −p∘u, per row, into modelFree/modelTerm from index k0. */
function gapPieces(noise: Float64Array, u: Float64Array, g: Float64Array, p: Float64Array, invS: number, m: number, d: number, modelFree: Float64Array, modelTerm: Float64Array, k0: number): void {
  for (let row = 0; row < m; row++) {
    const o = row * 2 * d + d, ou = row * d;
    let A = 0, B = 0;
    for (let i = 0; i < d; i++) {
      const es = noise[o + i] * invS;
      const sig = -p[i] * u[ou + i];
      A += es * es - sig * sig;
      B += g[ou + i] * (es + sig);
    }
    modelFree[k0 + row] = A;
    modelTerm[k0 + row] = 2 * B;
  }
}

/**
 * Draws n per-sample gap pieces. Batched, allocation-free after the first
 * batch; every draw from `rng` (normals for w, e; the side inputs from a fork).
 */
export function sampleGapTerms(prep: PreparedGaussianGap, rng: Rng, n: number, opts: GapSamplingOptions = {}): GapTerms {
  const antithetic = opts.antithetic ?? false;
  requireIntegerInRange('n', n, 2, 1e9);
  if (antithetic && n % 2 !== 0) throw new DimensionMismatchError('n (antithetic pairs)', 'an even number', n);
  const batch = requireIntegerInRange('batch', opts.batch ?? 256, 2, 1 << 16) & ~1;
  const d = prep.dim, { s } = prep.level, invS = 1 / s;
  const r = prep.signalScale, p = prep.marginalPrecision;
  const modelFree = new Float64Array(n), modelTerm = new Float64Array(n);
  const ws = gapWorkspace(batch, d, r, p, s);
  const { noise, u, g } = ws;
  const side = rng.fork('side');
  const pilot = opts.linearControl ?? 0;
  const lin = pilot > 0 ? fitLinearControl(prep, rng.fork('pilot'), requireIntegerInRange('linearControl', pilot, 2, 1e7)) : undefined;
  const linearControl = lin ? new Float64Array(n) : undefined;
  const lbuf = lin ? new Float64Array(batch * d) : undefined;
  for (let k0 = 0; k0 < n; k0 += batch) {
    const m = Math.min(batch, n - k0);
    const fresh = antithetic ? m >> 1 : m;
    rng.fillNormal(fresh === batch ? noise : noise.subarray(0, fresh * 2 * d));
    if (antithetic) {
      // Fresh pairs (w, e) sit in the first half; spread them to rows 2j and mirror into 2j+1.
      for (let j = fresh - 1; j >= 0; j--) {
        const src = j * 2 * d, a0 = 2 * j * 2 * d, a1 = a0 + 2 * d;
        for (let i = 2 * d - 1; i >= 0; i--) {
          const v = noise[src + i];
          noise[a0 + i] = v;
          noise[a1 + i] = -v;
        }
      }
    }
    if (ws.simd) ws.simd.frame(ws.at.noise, ws.at.r, ws.at.sv, m, d, ws.at.u);
    else framePoints(noise, r, s, m, d, u);
    prep.evaluate(m === batch ? u : u.subarray(0, m * d), m, g, side);
    if (lin && lbuf && linearControl) {
      batchAffineInto(u, m, d, lin.w, d, lin.b, lbuf);
      for (let row = 0; row < m; row++) {
        const o = row * 2 * d, ou = row * d;
        let c = 0;
        for (let i = 0; i < d; i++) c += lbuf[ou + i] * (noise[o + d + i] * invS - p[i] * u[ou + i]);
        linearControl[k0 + row] = 2 * c;
      }
    }
    if (ws.simd) {
      const { at } = ws, f = ws.simd.f64;
      ws.simd.pieces(at.noise, at.u, at.g, at.p, at.cv, m, d, at.a, at.b);
      modelFree.set(f.subarray(at.a >> 3, (at.a >> 3) + m), k0);
      modelTerm.set(f.subarray(at.b >> 3, (at.b >> 3) + m), k0);
    } else gapPieces(noise, u, g, p, invS, m, d, modelFree, modelTerm, k0);
  }
  return { n, modelFree, modelTerm, modelFreeMean: prep.modelFreeMean, antithetic, linearControl };
}
