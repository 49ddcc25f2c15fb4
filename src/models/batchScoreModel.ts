import { DimensionMismatchError, InvalidArgumentError } from '../errors.ts';
import { type Matrix } from '../linalg/index.ts';
import { requireFiniteArray } from '../validate.ts';
import type { AffineScoreModel } from './affineScoreModel.ts';
import type { MlpWeights } from './mlpScoreModel.ts';
import { SimdArena, simdAvailable } from './simdKernels.ts';

/**
 * A score model evaluated on a batch: `x` is n × dim row-major, `out` receives
 * n × dim. Implementations must not allocate per call in their hot loop.
 */
export interface BatchScoreModel {
  readonly dim: number;
  evaluateBatch(x: Float64Array, n: number, out: Float64Array): void;
  /**
   * The same function seen in an orthonormal frame: u ↦ Qᵀ ŝ(shift + Q u).
   * Models with linear first and last layers fold Q into their weights (exact,
   * no per-sample cost); the generic fallback is `inOrthonormalFrame`.
   */
  inFrame?(q: Matrix, shift: Float64Array): BatchScoreModel;
}

/**
 * out (n × p) = X (n × q) Wᵀ + b, W p × q row-major (rows of X and W are both
 * contiguous: every inner product streams two rows). Register blocking 2 rows
 * of X × 4 rows of W (8 accumulators; measured 1.3–1.5× faster than 2 × 2 for
 * p ≥ 4 on V8), 2 × 2 for p < 4.
 */
export function batchAffineInto(x: Float64Array, n: number, q: number, w: Float64Array, p: number, b: Float64Array | null, out: Float64Array): void {
  if (p < 4) {
    batchAffine2x2(x, n, q, w, p, b, out);
    return;
  }
  let k = 0;
  for (; k + 1 < n; k += 2) {
    const x0 = k * q, x1 = x0 + q, o0 = k * p, o1 = o0 + p;
    let i = 0;
    for (; i + 3 < p; i += 4) {
      const w0 = i * q, w1 = w0 + q, w2 = w1 + q, w3 = w2 + q;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let j = 0; j < q; j++) {
        const a0 = x[x0 + j], a1 = x[x1 + j];
        const b0 = w[w0 + j], b1 = w[w1 + j], b2 = w[w2 + j], b3 = w[w3 + j];
        s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
        s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
      }
      const c0 = b === null ? 0 : b[i], c1 = b === null ? 0 : b[i + 1], c2 = b === null ? 0 : b[i + 2], c3 = b === null ? 0 : b[i + 3];
      out[o0 + i] = s00 + c0; out[o0 + i + 1] = s01 + c1; out[o0 + i + 2] = s02 + c2; out[o0 + i + 3] = s03 + c3;
      out[o1 + i] = s10 + c0; out[o1 + i + 1] = s11 + c1; out[o1 + i + 2] = s12 + c2; out[o1 + i + 3] = s13 + c3;
    }
    for (; i < p; i++) {
      const w0 = i * q;
      let s0 = 0, s1 = 0;
      for (let j = 0; j < q; j++) { s0 += x[x0 + j] * w[w0 + j]; s1 += x[x1 + j] * w[w0 + j]; }
      const c0 = b === null ? 0 : b[i];
      out[o0 + i] = s0 + c0; out[o1 + i] = s1 + c0;
    }
  }
  if (k < n) lastRow(x, k, q, w, p, b, out);
}

function lastRow(x: Float64Array, k: number, q: number, w: Float64Array, p: number, b: Float64Array | null, out: Float64Array): void {
  const x0 = k * q, o0 = k * p;
  for (let i = 0; i < p; i++) {
    const w0 = i * q;
    let s = b === null ? 0 : b[i];
    for (let j = 0; j < q; j++) s += x[x0 + j] * w[w0 + j];
    out[o0 + i] = s;
  }
}

function batchAffine2x2(x: Float64Array, n: number, q: number, w: Float64Array, p: number, b: Float64Array | null, out: Float64Array): void {
  let k = 0;
  for (; k + 1 < n; k += 2) {
    const x0 = k * q, x1 = x0 + q, o0 = k * p, o1 = o0 + p;
    let i = 0;
    for (; i + 1 < p; i += 2) {
      const w0 = i * q, w1 = w0 + q;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let j = 0; j < q; j++) {
        const a0 = x[x0 + j], a1 = x[x1 + j], b0 = w[w0 + j], b1 = w[w1 + j];
        s00 += a0 * b0; s01 += a0 * b1; s10 += a1 * b0; s11 += a1 * b1;
      }
      const c0 = b === null ? 0 : b[i], c1 = b === null ? 0 : b[i + 1];
      out[o0 + i] = s00 + c0; out[o0 + i + 1] = s01 + c1;
      out[o1 + i] = s10 + c0; out[o1 + i + 1] = s11 + c1;
    }
    if (i < p) {
      const w0 = i * q;
      let s0 = 0, s1 = 0;
      for (let j = 0; j < q; j++) { s0 += x[x0 + j] * w[w0 + j]; s1 += x[x1 + j] * w[w0 + j]; }
      const c0 = b === null ? 0 : b[i];
      out[o0 + i] = s0 + c0; out[o1 + i] = s1 + c0;
    }
  }
  if (k < n) lastRow(x, k, q, w, p, b, out);
}

function mat(rows: number, cols: number, data: Float64Array): Matrix {
  return { rows, cols, data };
}
/** C = A B (plain, for one-off weight folding). */
function mm(a: Matrix, b: Matrix): Matrix {
  const c = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) for (let k = 0; k < a.cols; k++) {
    const aik = a.data[i * a.cols + k];
    if (aik === 0) continue;
    for (let j = 0; j < b.cols; j++) c[i * b.cols + j] += aik * b.data[k * b.cols + j];
  }
  return mat(a.rows, b.cols, c);
}
function tr(a: Matrix): Matrix {
  const t = new Float64Array(a.data.length);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t[j * a.rows + i] = a.data[i * a.cols + j];
  return mat(a.cols, a.rows, t);
}
function mv(a: Matrix, x: Float64Array): Float64Array {
  const y = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) { let s = 0; for (let j = 0; j < a.cols; j++) s += a.data[i * a.cols + j] * x[j]; y[i] = s; }
  return y;
}
function requireFrame(q: Matrix, shift: Float64Array, d: number): void {
  if (q.rows !== d || q.cols !== d) throw new DimensionMismatchError('frame.q', `${d}x${d}`, `${q.rows}x${q.cols}`);
  if (shift.length !== d) throw new DimensionMismatchError('frame.shift', d, shift.length);
}

/** ŝ(x) = W x + b (MATH.md §1: the affine family with closed-form objectives). */
export class AffineBatchModel implements BatchScoreModel {
  readonly dim: number;
  constructor(readonly weight: Matrix, readonly bias: Float64Array) {
    // Copies nothing: callers pass owned arrays.
    if (weight.rows !== weight.cols) throw new DimensionMismatchError('affine.weight', 'square', `${weight.rows}x${weight.cols}`);
    if (bias.length !== weight.rows) throw new DimensionMismatchError('affine.bias', weight.rows, bias.length);
    requireFiniteArray('affine.weight', weight.data);
    requireFiniteArray('affine.bias', bias);
    this.dim = weight.rows;
  }
  private simd: SimdAffine | null | undefined;
  evaluateBatch(x: Float64Array, n: number, out: Float64Array): void {
    if (this.simd === undefined) this.simd = simdAvailable() ? new SimdAffine(this.weight.data, this.bias, this.dim) : null;
    if (this.simd) this.simd.evaluate(x, n, out);
    else batchAffineInto(x, n, this.dim, this.weight.data, this.dim, this.bias, out);
  }
  /** Qᵀ(W(shift + Qu) + b) = (QᵀWQ) u + Qᵀ(W shift + b). */
  inFrame(q: Matrix, shift: Float64Array): BatchScoreModel {
    requireFrame(q, shift, this.dim);
    const qt = tr(q);
    const b = mv(this.weight, shift);
    for (let i = 0; i < b.length; i++) b[i] += this.bias[i];
    return new AffineBatchModel(mm(mm(qt, this.weight), q), mv(qt, b));
  }
}

/**
 * The one-hidden-layer tanh MLP of src/models/mlpScoreModel.ts, batched:
 * ŝ(x) = W₂ tanh(W₁ x + b₁) + b₂ + S x (S the linear skip), hidden width h.
 * Three blocked matrix products and an elementwise tanh per batch.
 */
export class MlpBatchModel implements BatchScoreModel {
  readonly dim: number;
  readonly hidden: number;
  private hid = new Float64Array(0);
  private lin = new Float64Array(0);
  constructor(readonly w1: Matrix, readonly b1: Float64Array, readonly w2: Matrix, readonly b2: Float64Array, readonly skip: Matrix) {
    if (w2.cols !== w1.rows || w2.rows !== w1.cols) throw new DimensionMismatchError('mlp.W2', `${w1.cols}x${w1.rows}`, `${w2.rows}x${w2.cols}`);
    if (skip.rows !== w1.cols || skip.cols !== w1.cols) throw new DimensionMismatchError('mlp.skip', `${w1.cols}x${w1.cols}`, `${skip.rows}x${skip.cols}`);
    if (b1.length !== w1.rows) throw new DimensionMismatchError('mlp.b1', w1.rows, b1.length);
    if (b2.length !== w2.rows) throw new DimensionMismatchError('mlp.b2', w2.rows, b2.length);
    for (const [f, v] of [['mlp.W1', w1.data], ['mlp.b1', b1], ['mlp.W2', w2.data], ['mlp.b2', b2], ['mlp.skip', skip.data]] as const) requireFiniteArray(f, v);
    this.dim = w1.cols;
    this.hidden = w1.rows;
  }
  /** From the weights of src/models (unconditional: inputDim = outputDim). */
  static fromWeights(w: MlpWeights): MlpBatchModel {
    if (w.inputDim !== w.outputDim) throw new InvalidArgumentError('weights.inputDim', w.inputDim, `must equal outputDim ${w.outputDim} for an unconditional model`);
    const d = w.outputDim, h = w.hidden;
    return new MlpBatchModel(mat(h, d, w.W1), w.b1, mat(d, h, w.W2), w.b2, mat(d, d, w.skip));
  }
  private simd: SimdMlp | null | undefined;
  evaluateBatch(x: Float64Array, n: number, out: Float64Array): void {
    if (this.simd === undefined) this.simd = simdAvailable() ? new SimdMlp(this) : null;
    if (this.simd) {
      this.simd.evaluate(x, n, out);
      return;
    }
    const h = this.hidden, d = this.dim;
    if (this.hid.length < n * h) {
      this.hid = new Float64Array(n * h);
      this.lin = new Float64Array(n * d);
    }
    const z = this.hid, lin = this.lin;
    batchAffineInto(x, n, d, this.w1.data, h, this.b1, z);
    for (let i = 0, m = n * h; i < m; i++) z[i] = Math.tanh(z[i]);
    batchAffineInto(z, n, h, this.w2.data, d, this.b2, out);
    batchAffineInto(x, n, d, this.skip.data, d, null, lin);
    for (let i = 0, m = n * d; i < m; i++) out[i] += lin[i];
  }
  /** W₁ ← W₁Q, b₁ ← W₁ shift + b₁, W₂ ← QᵀW₂, b₂ ← Qᵀ(b₂ + S shift), S ← QᵀSQ. */
  inFrame(q: Matrix, shift: Float64Array): BatchScoreModel {
    requireFrame(q, shift, this.dim);
    const qt = tr(q);
    const b1 = mv(this.w1, shift);
    for (let i = 0; i < b1.length; i++) b1[i] += this.b1[i];
    const b2 = mv(this.skip, shift);
    for (let i = 0; i < b2.length; i++) b2[i] += this.b2[i];
    return new MlpBatchModel(mm(this.w1, q), b1, mm(qt, this.w2), mv(qt, b2), mm(mm(qt, this.skip), q));
  }
}

/** Wᵀ of a p × q row-major W as q × pp (pp ≥ p, even; zero columns), the layout of SimdArena.gemm. */
function transposedPadded(w: Float64Array, p: number, q: number, pp: number): Float64Array {
  const t = new Float64Array(q * pp);
  for (let i = 0; i < p; i++) for (let j = 0; j < q; j++) t[j * pp + i] = w[i * q + j];
  return t;
}
const even = (k: number) => k + (k & 1);
/** Rows per SIMD pass: keeps the hidden activations of a pass in L1/L2 (measured in bench/). */
const SIMD_ROWS = 128;

/** Copies m × pp (row stride pp) from the arena into out (m × d). */
function copyOut(a: SimdArena, o: number, m: number, d: number, pp: number, out: Float64Array, outOff: number): void {
  const base = o >> 3;
  if (pp === d) out.set(a.f64.subarray(base, base + m * d), outOff);
  else for (let k = 0; k < m; k++) out.set(a.f64.subarray(base + k * pp, base + k * pp + d), outOff + k * d);
}

/** ŝ(x) = W x + b with the wasm f64x2 product (src/models/simdKernels.ts). */
class SimdAffine {
  private readonly a = new SimdArena();
  private readonly wt: number;
  private readonly b: number;
  private readonly pp: number;
  private readonly mark: number;
  private cap = 0;
  private xb = 0;
  private ob = 0;
  constructor(w: Float64Array, bias: Float64Array, private readonly d: number) {
    this.pp = even(d);
    this.wt = this.a.put(transposedPadded(w, d, d, this.pp));
    const bp = new Float64Array(this.pp);
    bp.set(bias);
    this.b = this.a.put(bp);
    this.mark = this.a.mark();
  }
  evaluate(x: Float64Array, n: number, out: Float64Array): void {
    const d = this.d, pp = this.pp, a = this.a;
    for (let k0 = 0; k0 < n; k0 += SIMD_ROWS) {
      const m = Math.min(SIMD_ROWS, n - k0);
      if (this.cap < m) {
        a.release(this.mark);
        this.xb = a.alloc(SIMD_ROWS * d);
        this.ob = a.alloc(SIMD_ROWS * pp);
        this.cap = SIMD_ROWS;
      }
      a.f64.set(x.subarray(k0 * d, (k0 + m) * d), this.xb >> 3);
      a.gemm(this.xb, d, m, d, this.wt, pp, this.b, this.ob, pp, false);
      copyOut(a, this.ob, m, d, pp, out, k0 * d);
    }
  }
}

/** The tanh MLP with the wasm f64x2 products and tanh (hidden width padded to even with zero units). */
class SimdMlp {
  private readonly a = new SimdArena();
  private readonly w1t: number;
  private readonly b1: number;
  private readonly w2t: number;
  private readonly b2: number;
  private readonly st: number;
  private readonly hp: number;
  private readonly pp: number;
  private readonly d: number;
  private readonly mark: number;
  private cap = 0;
  private xb = 0;
  private hb = 0;
  private ob = 0;
  constructor(m: MlpBatchModel) {
    const d = m.dim, h = m.hidden, a = this.a;
    this.d = d;
    this.hp = even(h);
    this.pp = even(d);
    this.w1t = a.put(transposedPadded(m.w1.data, h, d, this.hp));
    const b1 = new Float64Array(this.hp);
    b1.set(m.b1);
    this.b1 = a.put(b1);
    const w2 = new Float64Array(d * this.hp); // zero columns for the padding unit
    for (let i = 0; i < d; i++) w2.set(m.w2.data.subarray(i * h, (i + 1) * h), i * this.hp);
    this.w2t = a.put(transposedPadded(w2, d, this.hp, this.pp));
    const b2 = new Float64Array(this.pp);
    b2.set(m.b2);
    this.b2 = a.put(b2);
    this.st = a.put(transposedPadded(m.skip.data, d, d, this.pp));
    this.mark = a.mark();
  }
  evaluate(x: Float64Array, n: number, out: Float64Array): void {
    const d = this.d, hp = this.hp, pp = this.pp, a = this.a;
    for (let k0 = 0; k0 < n; k0 += SIMD_ROWS) {
      const m = Math.min(SIMD_ROWS, n - k0);
      if (this.cap < m) {
        a.release(this.mark);
        this.xb = a.alloc(SIMD_ROWS * d);
        this.hb = a.alloc(SIMD_ROWS * hp);
        this.ob = a.alloc(SIMD_ROWS * pp);
        this.cap = SIMD_ROWS;
      }
      a.f64.set(x.subarray(k0 * d, (k0 + m) * d), this.xb >> 3);
      a.gemm(this.xb, d, m, d, this.w1t, hp, this.b1, this.hb, hp, false, true); // tanh fused into the store
      a.gemm(this.hb, hp, m, hp, this.w2t, pp, this.b2, this.ob, pp, false);
      a.gemm(this.xb, d, m, d, this.st, pp, this.b2, this.ob, pp, true);
      copyOut(a, this.ob, m, d, pp, out, k0 * d);
    }
  }
}

/** The batched form of src/models' AffineScoreModel (same A, b). */
export function affineBatchModel(model: AffineScoreModel): AffineBatchModel {
  return new AffineBatchModel(model.A, model.b);
}

/** Generic frame change for a black-box model: two d × d products per batch. */
export function inOrthonormalFrame(model: BatchScoreModel, q: Matrix, shift: Float64Array): BatchScoreModel {
  if (model.inFrame) return model.inFrame(q, shift);
  const d = model.dim;
  requireFrame(q, shift, d);
  const qd = q.data;
  const qt = tr(q).data;
  let xb = new Float64Array(0), gb = new Float64Array(0);
  return {
    dim: d,
    evaluateBatch(u, n, out) {
      if (xb.length < n * d) { xb = new Float64Array(n * d); gb = new Float64Array(n * d); }
      batchAffineInto(u, n, d, qd, d, shift, xb); // x = shift + Q u
      model.evaluateBatch(xb, n, gb);
      batchAffineInto(gb, n, d, qt, d, null, out); // Qᵀ ŝ
    },
  };
}

/** Wraps a pointwise in-place score (x, out) ↦ out as a batch model. */
export function batchFromPointwise(dim: number, score: (x: Float64Array, out: Float64Array) => unknown): BatchScoreModel {
  if (!(Number.isInteger(dim) && dim >= 1)) throw new InvalidArgumentError('dim', dim, 'must be an integer ≥ 1');
  return {
    dim,
    evaluateBatch(x, n, out) {
      for (let k = 0; k < n; k++) score(x.subarray(k * dim, (k + 1) * dim), out.subarray(k * dim, (k + 1) * dim));
    },
  };
}
