import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ScorecheckError } from '../errors.ts';

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

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BLOCK_ROWS = 256;

/**
 * Incremental CSV parser for samples, one per line: values separated by commas (or
 * semicolons / tabs / spaces, detected from the first data line); a first line whose cells
 * are all non-numeric is a header; blank lines and lines starting with # are skipped.
 * Ragged rows and text cells are CsvErrors naming the line and column. Text is fed in
 * pieces (`feed`), rows come out in blocks of up to 256 (`onRows(block, count, d)`, the block
 * reused between calls): the file is never held as one string.
 */
export class CsvRowParser {
  private rest = '';
  private lineNo = 0;
  private width = -1;
  private widthLine = 0;
  private sep: RegExp | undefined;
  private block = new Float64Array(0);
  private count = 0;
  private rows = 0;
  header: string[] | undefined;

  constructor(
    private readonly file: string,
    private readonly onRows: (block: Float64Array, count: number, d: number) => void,
  ) {}

  /** Total data rows so far. */
  get n(): number {
    return this.rows + this.count;
  }

  feed(text: string): void {
    let start = 0;
    const all = this.rest + text;
    for (;;) {
      const nl = all.indexOf('\n', start);
      if (nl < 0) break;
      this.line(all.slice(start, nl));
      start = nl + 1;
    }
    this.rest = all.slice(start);
  }

  end(): void {
    if (this.rest !== '') this.line(this.rest);
    this.rest = '';
    this.flush();
    if (this.n === 0) throw new CsvError(this.file, undefined, 'no samples (the file has no data rows)');
  }

  private line(rawLine: string): void {
    this.lineNo++;
    const raw = rawLine.trim();
    if (raw === '' || raw.charCodeAt(0) === 35 /* # */) return;
    this.sep ??= raw.includes(',') ? /,/ : raw.includes(';') ? /;/ : raw.includes('\t') ? /\t/ : /\s+/;
    const cells = raw.split(this.sep);
    const lineNo = this.lineNo;
    if (this.width === -1 && this.header === undefined) {
      const trimmed = cells.map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
      if (trimmed.every((c) => !NUMBER.test(c))) {
        this.header = trimmed;
        this.width = cells.length;
        this.widthLine = lineNo;
        return;
      }
    }
    if (this.width === -1) {
      this.width = cells.length;
      this.widthLine = lineNo;
    } else if (cells.length !== this.width) {
      throw new CsvError(this.file, lineNo, `ragged row: ${cells.length} value${cells.length === 1 ? '' : 's'}, but line ${this.widthLine} has ${this.width}`);
    }
    const d = this.width;
    if (this.block.length !== d * BLOCK_ROWS) this.block = new Float64Array(d * BLOCK_ROWS);
    const base = this.count * d;
    for (let j = 0; j < d; j++) {
      let c = cells[j];
      let v = +c;
      // Fast path: Number() also accepts '', blanks, '0x…'/'0b…'/'0o…' and 'Infinity', so a
      // finite result counts only if the cell starts like a decimal (digit, sign or point) and
      // is not 0 followed by a radix letter; everything else takes the strict regex.
      const f = c.charCodeAt(0);
      const decimalStart = (f >= 48 && f <= 57) || f === 45 || f === 43 || f === 46;
      const radix = f === 48 && c.length > 1 && ((c.charCodeAt(1) | 32) === 120 || (c.charCodeAt(1) | 32) === 98 || (c.charCodeAt(1) | 32) === 111);
      if (!(decimalStart && !radix && v - v === 0)) {
        c = c.trim().replace(/^"(.*)"$/, '$1');
        if (c === '') throw new CsvError(this.file, lineNo, `column ${j + 1} is empty`);
        if (!NUMBER.test(c)) throw new CsvError(this.file, lineNo, `column ${j + 1} is not a number: ${JSON.stringify(c.length > 40 ? `${c.slice(0, 37)}...` : c)}`);
        v = Number(c);
      }
      if (!Number.isFinite(v)) throw new CsvError(this.file, lineNo, `column ${j + 1} is not finite: ${c}`);
      this.block[base + j] = v;
    }
    if (++this.count === BLOCK_ROWS) this.flush();
  }

  private flush(): void {
    if (this.count === 0) return;
    this.onRows(this.block, this.count, this.width);
    this.rows += this.count;
    this.count = 0;
  }
}

/**
 * Streams a samples CSV from disk in 4 MB pieces through CsvRowParser. `onProgress(bytes
 * read, file size)`. Returns the header (if any) and the number of rows.
 */
export function readCsvRows(path: string, file: string, onRows: (block: Float64Array, count: number, d: number) => void, onProgress?: (done: number, total: number) => void): { header?: readonly string[]; n: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new CsvError(file, undefined, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot read');
  }
  try {
    const size = fstatSync(fd).size;
    const parser = new CsvRowParser(file, onRows);
    const decoder = new TextDecoder('utf-8');
    const buf = new Uint8Array(4 << 20);
    let pos = 0;
    for (;;) {
      const k = readSync(fd, buf, 0, buf.length, pos);
      if (k === 0) break;
      pos += k;
      parser.feed(decoder.decode(buf.subarray(0, k), { stream: true }));
      onProgress?.(pos, size);
    }
    parser.feed(decoder.decode());
    parser.end();
    return { ...(parser.header ? { header: parser.header } : {}), n: parser.n };
  } finally {
    closeSync(fd);
  }
}

/** Parses CSV text held in memory (small inputs, tests): rows as one n × d array. */
export function parseSamplesCsv(text: string, file: string): { header?: readonly string[]; n: number; d: number; data: Float64Array } {
  const parts: Float64Array[] = [];
  let d = 0;
  const parser = new CsvRowParser(file, (block, count, width) => {
    d = width;
    parts.push(block.slice(0, count * width));
  });
  parser.feed(text);
  parser.end();
  const n = parser.n;
  const data = new Float64Array(n * d);
  let off = 0;
  for (const p of parts) {
    data.set(p, off);
    off += p.length;
  }
  return { ...(parser.header ? { header: parser.header } : {}), n, d, data };
}
