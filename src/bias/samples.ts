import { InvalidArgumentError } from '../errors.ts';
import { type Matrix, zeros } from '../linalg/index.ts';
import { symmetrizeFromLower } from '../linalg/gram.ts';
import { GramEngine, type Region } from '../linalg/gramSimd.ts';

/**
 * What the bias calculator keeps of n samples in dimension d (MATH.md §2.1):
 * - n ≤ d (`gram`): the centered samples (n × d, rows padded to a stride that is a multiple
 *   of 4 for the SIMD kernel); the Gram matrix X_cX_cᵀ is formed from them, O(n²d), and Σ's
 *   nonzero spectrum is that of X_cX_cᵀ/(n − 1);
 * - n > d (`covariance`): the d × d sample covariance, accumulated while reading (blocks of
 *   256 rows, shifted by the first row against cancellation), O(nd²).
 * Either way at most min(n, d)·d doubles are held — never the file's text.
 */
export type SampleMoments =
  | { readonly route: 'gram'; readonly n: number; readonly d: number; readonly mean: Float64Array; readonly centered: Region; readonly stride: number }
  | { readonly route: 'covariance'; readonly n: number; readonly d: number; readonly mean: Float64Array; readonly cov: Matrix };

const BLOCK = 256;
const CHUNK_ROWS = 256;
/** Bytes the kept rows or the covariance may take (the SIMD kernel's memory is 2 GiB). */
export const MAX_MOMENT_BYTES = 1.75 * 2 ** 30;

const up4 = (x: number) => Math.ceil(x / 4) * 4;

/**
 * Streams samples in (any number of rows at a time) and keeps the smaller of the two
 * representations; switches from keeping rows to accumulating the covariance as soon as
 * there are more rows than dimensions.
 */
export class SampleAccumulator {
  private chunks: Float64Array[] = [];
  private count = 0;
  private mode: 'rows' | 'covariance' = 'rows';
  private readonly engine: GramEngine;
  // covariance mode
  private shift?: Float64Array;
  private sums?: Float64Array;
  private C?: Region;
  private Z?: Region; // up4(d) × BLOCK: pending rows, transposed
  private pending = 0;
  private readonly maxRows: number;

  constructor(
    readonly d: number,
    private readonly field: string,
    opts: { readonly engine?: GramEngine; readonly maxRows?: number } = {},
  ) {
    if (!Number.isInteger(d) || d < 1) throw new InvalidArgumentError(`${field} (dimension)`, d, 'must be an integer ≥ 1');
    this.engine = opts.engine ?? new GramEngine({ threads: 1 });
    this.maxRows = opts.maxRows ?? d;
  }

  get n(): number {
    return this.count;
  }

  /** `count` rows, row-major in `data` from `offset`; every value must be finite (names sample and column otherwise). */
  push(data: ArrayLike<number>, count: number, offset = 0): void {
    const d = this.d;
    // One pass: v·0 is NaN exactly for NaN and ±∞; only on failure look for the offender.
    let probe = 0;
    const end = offset + count * d;
    for (let i = offset; i < end; i++) probe += data[i] * 0;
    if (probe !== 0) {
      for (let i = offset; i < end; i++) {
        if (!Number.isFinite(data[i])) {
          const r = Math.floor((i - offset) / d), j = (i - offset) % d;
          throw new InvalidArgumentError(`${this.field}: sample ${this.count + r + 1}, column ${j + 1}`, data[i], 'must be a finite number');
        }
      }
    }
    const typed = ArrayBuffer.isView(data) ? (data as unknown as Float64Array) : undefined;
    for (let r = 0; r < count; r++) {
      const base = offset + r * d;
      if (this.mode === 'rows' && this.count + 1 > this.maxRows) this.toCovariance();
      if (this.mode === 'rows') {
        const c = this.count % CHUNK_ROWS;
        if (c === 0) {
          if ((this.count + 1) * d * 8 > MAX_MOMENT_BYTES) this.tooLarge('rows');
          this.chunks.push(new Float64Array(CHUNK_ROWS * d));
        }
        const chunk = this.chunks[this.chunks.length - 1];
        if (typed) chunk.set(typed.subarray(base, base + d), c * d);
        else for (let j = 0; j < d; j++) chunk[c * d + j] = data[base + j];
      } else this.addToBlock(data, base);
      this.count++;
    }
  }

  private tooLarge(what: 'rows' | 'covariance'): never {
    const d = this.d;
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
    throw new InvalidArgumentError(
      this.field,
      `${this.count + 1} samples in dimension ${d}`,
      what === 'rows'
        ? `keeping ${this.count + 1} × ${d} samples takes more than ${gib(MAX_MOMENT_BYTES)}; use fewer samples`
        : `more samples than dimensions needs the ${d} × ${d} covariance (${gib(8 * up4(d) ** 2)}, over ${gib(MAX_MOMENT_BYTES)}); use at most ${d} samples (the Gram route) or fewer dimensions`,
    );
  }

  private toCovariance(): void {
    const d = this.d, dp = up4(d);
    if (8 * dp * dp > MAX_MOMENT_BYTES) this.tooLarge('covariance');
    this.mode = 'covariance';
    this.shift = this.chunks.length > 0 ? this.chunks[0].slice(0, d) : undefined; // else the first row pushed
    this.sums = new Float64Array(d);
    this.C = this.engine.alloc(dp * dp);
    this.Z = this.engine.alloc(dp * BLOCK);
    const chunks = this.chunks, n = this.count;
    this.chunks = [];
    for (let r = 0; r < n; r++) this.addToBlock(chunks[Math.floor(r / CHUNK_ROWS)], (r % CHUNK_ROWS) * d);
  }

  private addToBlock(data: ArrayLike<number>, base: number): void {
    const d = this.d, sums = this.sums!;
    this.shift ??= Float64Array.from({ length: d }, (_, j) => data[base + j]);
    const shift = this.shift;
    const block = this.Z!.view();
    const c = this.pending;
    for (let j = 0; j < d; j++) {
      const v = data[base + j] - shift[j];
      sums[j] += v;
      block[j * BLOCK + c] = v;
    }
    if (++this.pending === BLOCK) this.flush();
  }

  private flush(): void {
    const b = this.pending;
    if (b === 0) return;
    const d = this.d, dp = up4(d), bp = up4(b);
    const block = this.Z!.view();
    if (bp > b) for (let j = 0; j < d; j++) block.fill(0, j * BLOCK + b, j * BLOCK + bp);
    this.engine.syrkSync(this.Z!, d, bp, BLOCK, this.C!, dp);
    this.pending = 0;
  }

  /** The moments; at least 2 samples. */
  finish(): SampleMoments {
    const n = this.count, d = this.d;
    if (n < 2) throw new InvalidArgumentError(this.field, `${n} sample${n === 1 ? '' : 's'}`, 'need at least 2 samples to estimate a covariance');
    if (this.mode === 'rows') {
      const mean = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const ch = this.chunks[Math.floor(i / CHUNK_ROWS)], o = (i % CHUNK_ROWS) * d;
        for (let j = 0; j < d; j++) mean[j] += ch[o + j];
      }
      for (let j = 0; j < d; j++) mean[j] /= n;
      const stride = up4(d);
      const region = this.engine.alloc(up4(n) * stride);
      const X = region.view();
      for (let i = 0; i < n; i++) {
        const ch = this.chunks[Math.floor(i / CHUNK_ROWS)], o = (i % CHUNK_ROWS) * d, r = i * stride;
        for (let j = 0; j < d; j++) X[r + j] = ch[o + j] - mean[j];
        if (o + d === ch.length) this.chunks[Math.floor(i / CHUNK_ROWS)] = new Float64Array(0); // free as we go
      }
      this.chunks = [];
      return { route: 'gram', n, d, mean, centered: region, stride };
    }
    this.flush();
    const dp = up4(d);
    const Cv = this.C!.view(), sums = this.sums!, shift = this.shift!;
    const mbar = new Float64Array(d);
    for (let j = 0; j < d; j++) mbar[j] = sums[j] / n;
    const inv = 1 / (n - 1);
    const cov = zeros(d, d);
    for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) cov.data[i * d + j] = (Cv[i * dp + j] - n * mbar[i] * mbar[j]) * inv;
    symmetrizeFromLower(cov.data, d);
    const mean = new Float64Array(d);
    for (let j = 0; j < d; j++) mean[j] = shift[j] + mbar[j];
    return { route: 'covariance', n, d, mean, cov };
  }
}

/** Moments of an in-memory n × d sample matrix (rows are samples). */
export function sampleMoments(samples: Matrix, field = 'data.samples', engine?: GramEngine): SampleMoments {
  const acc = new SampleAccumulator(samples.cols, field, engine ? { engine } : {});
  acc.push(samples.data, samples.rows);
  return acc.finish();
}

/** X_c Bᵀ (n × k) for centered rows X_c (n × d, row stride `stride`) and B (k × d). */
export function centeredTimesBt(centered: Float64Array, n: number, d: number, B: Matrix, stride = d): Matrix {
  const k = B.rows;
  const out = zeros(n, k);
  for (let i = 0; i < n; i++) {
    const r = i * stride;
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
