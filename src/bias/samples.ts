import { InvalidArgumentError } from '../errors.ts';
import { type Matrix, zeros } from '../linalg/index.ts';
import { symmetrizeFromLower, syrkLower } from '../linalg/gram.ts';

/**
 * What the bias calculator keeps of n samples in dimension d (MATH.md §2.1):
 * - n ≤ d (`gram`): the centered samples themselves (n × d, the Gram matrix X_cX_cᵀ is
 *   formed from them, O(n²d), and Σ's nonzero spectrum is that of X_cX_cᵀ/(n − 1));
 * - n > d (`covariance`): the d × d sample covariance, accumulated while reading
 *   (blocks of rows, shifted by the first row against cancellation), O(nd²).
 * Either way at most min(n, d)·d doubles are held — never the file's text.
 */
export type SampleMoments =
  | { readonly route: 'gram'; readonly n: number; readonly d: number; readonly mean: Float64Array; readonly centered: Float64Array }
  | { readonly route: 'covariance'; readonly n: number; readonly d: number; readonly mean: Float64Array; readonly cov: Matrix };

const BLOCK = 256;

/**
 * Streams samples in (any number of rows at a time) and keeps the smaller of the two
 * representations; switches from keeping rows to accumulating the covariance as soon
 * as there are more rows than dimensions.
 */
export class SampleAccumulator {
  private rows: Float64Array;
  private count = 0;
  private mode: 'rows' | 'covariance' = 'rows';
  // covariance mode
  private shift?: Float64Array;
  private sums?: Float64Array;
  private C?: Float64Array;
  private block?: Float64Array; // d × BLOCK, transposed pending rows
  private pending = 0;

  constructor(
    readonly d: number,
    private readonly field: string,
    expectedRows?: number,
    /** Keep rows (Gram route) while n ≤ this; default d. */
    private readonly maxRows = d,
  ) {
    if (!Number.isInteger(d) || d < 1) throw new InvalidArgumentError(`${field} (dimension)`, d, 'must be an integer ≥ 1');
    const cap = Math.min(expectedRows ?? 64, maxRows + 1);
    this.rows = new Float64Array(Math.max(1, cap) * d);
  }

  get n(): number {
    return this.count;
  }

  /** `count` rows, row-major in `data` from `offset`; every value must be finite (names row and column otherwise). */
  push(data: ArrayLike<number>, count: number, offset = 0): void {
    const d = this.d;
    for (let r = 0; r < count; r++) {
      const base = offset + r * d;
      for (let j = 0; j < d; j++) {
        const v = data[base + j];
        if (!Number.isFinite(v)) throw new InvalidArgumentError(`${this.field}: sample ${this.count + 1}, column ${j + 1}`, v, 'must be a finite number');
      }
      if (this.mode === 'rows' && this.count + 1 > this.maxRows) this.toCovariance();
      if (this.mode === 'rows') {
        if ((this.count + 1) * d > this.rows.length) {
          const grown = new Float64Array(Math.min(this.maxRows + 1, Math.max(this.count + 1, this.count * 2)) * d);
          grown.set(this.rows.subarray(0, this.count * d));
          this.rows = grown;
        }
        for (let j = 0; j < d; j++) this.rows[this.count * d + j] = data[base + j];
      } else this.addToBlock(data, base);
      this.count++;
    }
  }

  private toCovariance(): void {
    const d = this.d;
    this.mode = 'covariance';
    this.shift = this.rows.slice(0, d);
    this.sums = new Float64Array(d);
    this.C = new Float64Array(d * d);
    this.block = new Float64Array(d * BLOCK);
    const kept = this.rows, n = this.count;
    this.rows = new Float64Array(0);
    for (let r = 0; r < n; r++) this.addToBlock(kept, r * d);
  }

  private addToBlock(data: ArrayLike<number>, base: number): void {
    const d = this.d, shift = this.shift!, sums = this.sums!, block = this.block!;
    const c = this.pending;
    for (let j = 0; j < d; j++) {
      const v = data[base + j] - shift[j];
      sums[j] += v;
      block[j * BLOCK + c] = v;
    }
    if (++this.pending === BLOCK) this.flush();
  }

  private flush(): void {
    if (this.pending === 0) return;
    const b = this.pending;
    syrkLower(this.block!, this.d, b, BLOCK, this.C!, this.d);
    this.pending = 0;
  }

  /** The moments; at least 2 samples. */
  finish(): SampleMoments {
    const n = this.count, d = this.d;
    if (n < 2) throw new InvalidArgumentError(this.field, `${n} sample${n === 1 ? '' : 's'}`, 'need at least 2 samples to estimate a covariance');
    if (this.mode === 'rows') {
      const X = this.rows.length === n * d ? this.rows : this.rows.slice(0, n * d);
      const mean = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X[i * d + j];
      for (let j = 0; j < d; j++) mean[j] /= n;
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) X[i * d + j] -= mean[j];
      this.rows = new Float64Array(0);
      return { route: 'gram', n, d, mean, centered: X };
    }
    this.flush();
    const C = this.C!, sums = this.sums!, shift = this.shift!;
    const mbar = new Float64Array(d);
    for (let j = 0; j < d; j++) mbar[j] = sums[j] / n;
    const inv = 1 / (n - 1);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) C[i * d + j] = (C[i * d + j] - n * mbar[i] * mbar[j]) * inv;
    symmetrizeFromLower(C, d);
    const mean = new Float64Array(d);
    for (let j = 0; j < d; j++) mean[j] = shift[j] + mbar[j];
    this.C = undefined;
    return { route: 'covariance', n, d, mean, cov: { rows: d, cols: d, data: C } };
  }
}

/** Moments of an in-memory n × d sample matrix (rows are samples). */
export function sampleMoments(samples: Matrix, field = 'data.samples'): SampleMoments {
  const acc = new SampleAccumulator(samples.cols, field, samples.rows);
  acc.push(samples.data, samples.rows);
  return acc.finish();
}

/** X_c Bᵀ (n × k) for centered rows X_c (n × d) and B (k × d). */
export function centeredTimesBt(centered: Float64Array, n: number, d: number, B: Matrix): Matrix {
  const k = B.rows;
  const out = zeros(n, k);
  for (let i = 0; i < n; i++) {
    const r = i * d;
    for (let c = 0; c < k; c++) {
      const b = c * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += centered[r + j] * B.data[b + j];
      out.data[i * k + c] = s;
    }
  }
  return out;
}

/** B Bᵀ (k × k). */
export function gramOfRows(B: Matrix): Matrix {
  const k = B.rows, d = B.cols;
  const out = zeros(k, k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += B.data[a * d + j] * B.data[b * d + j];
      out.data[a * k + b] = s;
      out.data[b * k + a] = s;
    }
  }
  return out;
}
