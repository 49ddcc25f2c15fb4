import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ScorecheckError } from '../errors.ts';

/**
 * A NumPy `.npy` file that cannot be used: names the file and the header field (or the
 * byte offset) and what was found.
 */
export class NpyError extends ScorecheckError {
  override name = 'NpyError';
  constructor(
    readonly file: string,
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${file}: ${field}: ${detail}`);
  }
}

/**
 * The header of a `.npy` file (format versions 1.0, 2.0 and 3.0:
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
 * Supported data: float16, float32 or float64, little-endian (`<f2`, `<f4`, `<f8`; `|`/`=`
 * accepted on this little-endian reader), C order (`fortran_order: False`). float16 (how
 * latents are often saved) is widened exactly to float64.
 * Shape (n,) is n samples of dimension 1; (n, d₁, d₂, …) is n samples of dimension
 * d = d₁·d₂·… (a batch of latents 4 × 64 × 64 is d = 16384), flattened in C order.
 */
export interface NpyHeader {
  readonly version: string;
  readonly dtype: 'float16' | 'float32' | 'float64';
  readonly itemSize: 2 | 4 | 8;
  readonly shape: readonly number[];
  /** Rows (shape[0]) and the flattened dimension of one row. */
  readonly n: number;
  readonly d: number;
  /** Byte offset of the data. */
  readonly dataOffset: number;
}

/** All 65536 IEEE binary16 values as float64 (exact): sign, 5-bit exponent, 10-bit fraction. */
const HALF = (() => {
  const t = new Float64Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    t[h] = exp === 0 ? sign * frac * 2 ** -24 : exp === 31 ? (frac ? NaN : sign * Infinity) : sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return t;
})();
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parses the header from the first bytes of the file (at least the preamble and the header). */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new NpyError(file, '(magic)', 'not a NumPy .npy file (it must start with \\x93NUMPY)');
  const major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3) throw new NpyError(file, '(version)', `format version ${major}.${minor} is not supported (1.0, 2.0 and 3.0 are)`);
  const lenBytes = major === 1 ? 2 : 4;
  const start = 8 + lenBytes;
  if (bytes.length < start) throw new NpyError(file, '(header)', 'file ends inside the preamble');
  let headerLen = 0;
  for (let i = lenBytes - 1; i >= 0; i--) headerLen = headerLen * 256 + bytes[8 + i];
  if (bytes.length < start + headerLen) throw new NpyError(file, '(header)', `file ends inside the ${headerLen}-byte header`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined) throw new NpyError(file, 'descr', `missing in the header ${JSON.stringify(text.trim())}`);
  if (fortran === undefined) throw new NpyError(file, 'fortran_order', `missing in the header ${JSON.stringify(text.trim())}`);
  if (shapeText === undefined) throw new NpyError(file, 'shape', `missing in the header ${JSON.stringify(text.trim())}`);
  let dtype: NpyHeader['dtype'];
  if (/^[<=|]f8$/.test(descr)) dtype = 'float64';
  else if (/^[<=|]f4$/.test(descr)) dtype = 'float32';
  else if (/^[<=|]f2$/.test(descr)) dtype = 'float16';
  else throw new NpyError(file, 'descr', `${JSON.stringify(descr)} is not supported: save float16, float32 or float64 little-endian ('<f2', '<f4', '<f8'), e.g. np.save(path, x.astype('<f4'))`);
  if (fortran === 'True') throw new NpyError(file, 'fortran_order', 'True is not supported: save a C-ordered array (np.save(path, np.ascontiguousarray(x)))');
  const parts = shapeText.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new NpyError(file, 'shape', '() — a scalar, not samples; need (n,) or (n, d, …)');
  const shape = parts.map((p) => {
    if (!/^\d+L?$/.test(p)) throw new NpyError(file, 'shape', `${JSON.stringify(shapeText)} is not a tuple of integers`);
    return Number.parseInt(p, 10);
  });
  const n = shape[0];
  const d = shape.slice(1).reduce((x, y) => x * y, 1);
  if (d === 0) throw new NpyError(file, 'shape', `(${shape.join(', ')}) has samples of dimension 0`);
  return { version: `${major}.${minor}`, dtype, itemSize: dtype === 'float64' ? 8 : dtype === 'float32' ? 4 : 2, shape, n, d, dataOffset: start + headerLen };
}

/**
 * Reads a `.npy` file of samples in blocks of rows without holding the file: `onRows(block,
 * count)` receives `count` rows as float64, row-major (the block is reused between calls).
 * Checks the file size against the header (a truncated file is an NpyError naming the sizes).
 */
export function readNpyRows(path: string, file: string, onHeader: (h: NpyHeader) => void, onRows: (block: Float64Array, count: number) => void, onProgress?: (done: number, total: number) => void): NpyHeader {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new NpyError(file, '(file)', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot read');
  }
  try {
    const size = fstatSync(fd).size;
    const pre = new Uint8Array(Math.min(size, 65536 + 12));
    readSync(fd, pre, 0, pre.length, 0);
    const h = parseNpyHeader(pre, file);
    if (!LITTLE_ENDIAN) throw new NpyError(file, '(host)', 'this reader runs on little-endian hosts only');
    const expected = h.dataOffset + h.n * h.d * h.itemSize;
    if (size !== expected) throw new NpyError(file, '(size)', `${size} bytes, but the header (shape (${h.shape.join(', ')}), ${h.dtype}) needs ${expected}${size < expected ? ' — the file is truncated' : ''}`);
    onHeader(h);
    const rowBytes = h.d * h.itemSize;
    const rowsPerBlock = Math.max(1, Math.floor((8 << 20) / rowBytes));
    const raw = new ArrayBuffer(Math.ceil((rowsPerBlock * rowBytes) / 8) * 8); // whole doubles, for the float64 view
    const bytes = new Uint8Array(raw);
    const f64 = new Float64Array(raw), f32 = new Float32Array(raw), u16 = new Uint16Array(raw);
    const out = h.itemSize === 8 ? f64 : new Float64Array(rowsPerBlock * h.d);
    let pos = h.dataOffset;
    for (let r = 0; r < h.n; r += rowsPerBlock) {
      const count = Math.min(rowsPerBlock, h.n - r);
      const want = count * rowBytes;
      let got = 0;
      while (got < want) {
        const k = readSync(fd, bytes, got, want - got, pos + got);
        if (k === 0) throw new NpyError(file, '(data)', `unexpected end of file at byte ${pos + got}`);
        got += k;
      }
      pos += want;
      if (h.itemSize === 4) {
        const m = count * h.d;
        for (let i = 0; i < m; i++) out[i] = f32[i];
      } else if (h.itemSize === 2) {
        const m = count * h.d;
        for (let i = 0; i < m; i++) out[i] = HALF[u16[i]];
      }
      onRows(out, count);
      onProgress?.(r + count, h.n);
    }
    return h;
  } finally {
    closeSync(fd);
  }
}
