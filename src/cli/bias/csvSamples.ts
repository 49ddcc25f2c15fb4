import { ScorecheckError } from '../../errors.ts';
import { type Matrix, type Vector, zeros } from '../../linalg/index.ts';

/** A samples CSV that cannot be used: names the file, line (1-based) and column. */
export class CsvError extends ScorecheckError {
  override name = 'CsvError';
  constructor(
    readonly file: string,
    readonly lineNumber: number | undefined,
    readonly detail: string,
  ) {
    super(`${file}${lineNumber !== undefined ? `:${lineNumber}` : ''}: ${detail}`);
  }
}

export interface CsvSamples {
  /** Column names if the first line is a header (every cell non-numeric). */
  readonly header?: readonly string[];
  /** n × d, one sample per row. */
  readonly samples: Matrix;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses samples, one per line, values separated by commas (or semicolons /
 * tabs, detected from the first data line). A first line whose cells are all
 * non-numeric is a header. Blank lines and lines starting with # are skipped.
 * Ragged rows and text cells are CsvErrors naming the line and column.
 */
export function parseSamplesCsv(text: string, file: string): CsvSamples {
  const lines = text.split(/\r?\n/);
  const rows: number[][] = [];
  let header: string[] | undefined;
  let width = -1;
  let widthLine = 0;
  let sep: RegExp | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    sep ??= raw.includes(',') ? /,/ : raw.includes(';') ? /;/ : raw.includes('\t') ? /\t/ : /\s+/;
    const cells = raw.split(sep).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    const lineNo = i + 1;
    if (rows.length === 0 && header === undefined && cells.every((c) => !NUMBER.test(c))) {
      header = cells;
      width = cells.length;
      widthLine = lineNo;
      continue;
    }
    if (width === -1) {
      width = cells.length;
      widthLine = lineNo;
    } else if (cells.length !== width) {
      throw new CsvError(file, lineNo, `ragged row: ${cells.length} value${cells.length === 1 ? '' : 's'}, but line ${widthLine} has ${width}`);
    }
    const row: number[] = [];
    for (let j = 0; j < cells.length; j++) {
      const c = cells[j];
      if (c === '') throw new CsvError(file, lineNo, `column ${j + 1} is empty`);
      if (!NUMBER.test(c)) throw new CsvError(file, lineNo, `column ${j + 1} is not a number: ${JSON.stringify(c.length > 40 ? `${c.slice(0, 37)}...` : c)}`);
      const v = Number(c);
      if (!Number.isFinite(v)) throw new CsvError(file, lineNo, `column ${j + 1} is not finite: ${c}`);
      row.push(v);
    }
    rows.push(row);
  }
  if (rows.length === 0) throw new CsvError(file, undefined, 'no samples (the file has no data rows)');
  const d = width;
  const m = zeros(rows.length, d);
  rows.forEach((r, i) => m.data.set(r, i * d));
  return { ...(header ? { header } : {}), samples: m };
}

/**
 * Sample mean and unbiased sample covariance (two-pass), exactly symmetric.
 * Needs n ≥ d + 1 samples for a covariance that can be positive definite.
 */
export function sampleMeanAndCovariance(samples: Matrix, file: string): { mean: Vector; cov: Matrix } {
  const n = samples.rows, d = samples.cols;
  if (n < d + 1) throw new CsvError(file, undefined, `${n} sample${n === 1 ? '' : 's'} in dimension ${d}: need at least ${d + 1} to estimate a positive definite covariance`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += samples.data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const cov = zeros(d, d);
  const c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) c[j] = samples.data[i * d + j] - mean[j];
    for (let j = 0; j < d; j++) for (let k = j; k < d; k++) cov.data[j * d + k] += c[j] * c[k];
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      const v = cov.data[j * d + k] / (n - 1);
      cov.data[j * d + k] = v;
      cov.data[k * d + j] = v;
    }
  }
  return { mean, cov };
}
