import { InvalidArgumentError } from '../errors.ts';

/**
 * Arrays on the wire, protocol version 2 (docs/protocol.md §8.2). Either nested JSON lists
 * (version 1's form) or a typed binary object
 *   {"dtype": "float32" | "float64", "shape": [n0, n1, …], "data": "<base64 of little-endian values>"}
 * in row-major (C) order — what `np.ascontiguousarray(a, '<f8').tobytes()` gives. Both directions.
 * A non-finite entry is reported by index, never passed on as NaN.
 */
export type WireDtype = 'float32' | 'float64';

export interface WireArray {
  readonly dtype: WireDtype;
  readonly shape: number[];
  readonly data: string;
}

export interface DecodedArray {
  readonly shape: number[];
  readonly data: Float64Array;
}

const BYTES: Record<WireDtype, number> = { float32: 4, float64: 8 };

export function isWireArray(v: unknown): v is WireArray {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'dtype' in v && 'data' in v && 'shape' in v;
}

/** Encodes row-major values as a base64 little-endian array of `dtype`. */
export function encodeArray(data: ArrayLike<number>, shape: readonly number[], dtype: WireDtype = 'float64'): WireArray {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new InvalidArgumentError('encodeArray.shape', shape, `holds ${n} entries, data has ${data.length}`);
  const buf = Buffer.alloc(n * BYTES[dtype]);
  for (let i = 0; i < n; i++) {
    if (dtype === 'float64') buf.writeDoubleLE(data[i], 8 * i);
    else buf.writeFloatLE(data[i], 4 * i);
  }
  return { dtype, shape: [...shape], data: buf.toString('base64') };
}

/**
 * Decodes nested lists or a WireArray into row-major float64 values and the shape; with
 * `expectedShape` the shape must match exactly. Errors name `field` and the offending index.
 */
export function decodeArray(value: unknown, field: string, expectedShape?: readonly number[]): DecodedArray {
  const out = isWireArray(value) ? decodeWire(value, field) : decodeNested(value, field);
  if (expectedShape && (out.shape.length !== expectedShape.length || out.shape.some((v, i) => v !== expectedShape[i]))) {
    throw new InvalidArgumentError(field, `shape [${out.shape}]`, `must have shape [${expectedShape}]`);
  }
  for (let i = 0; i < out.data.length; i++) {
    if (!Number.isFinite(out.data[i])) throw new InvalidArgumentError(`${field}${indexPath(out.shape, i)}`, out.data[i], 'non-finite value');
  }
  return out;
}

function decodeWire(w: WireArray, field: string): DecodedArray {
  if (w.dtype !== 'float32' && w.dtype !== 'float64') throw new InvalidArgumentError(`${field}.dtype`, w.dtype, 'must be "float32" or "float64"');
  if (!Array.isArray(w.shape) || w.shape.some((v) => !Number.isInteger(v) || v < 0)) throw new InvalidArgumentError(`${field}.shape`, w.shape, 'must be an array of integers ≥ 0');
  if (typeof w.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(w.data)) throw new InvalidArgumentError(`${field}.data`, w.data, 'must be a base64 string');
  const bytes = Buffer.from(w.data, 'base64');
  const n = w.shape.reduce((a, b) => a * b, 1);
  const size = BYTES[w.dtype];
  if (bytes.length !== n * size) throw new InvalidArgumentError(`${field}.data`, `${bytes.length} bytes`, `shape [${w.shape}] of ${w.dtype} needs ${n * size} bytes`);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = size === 8 ? bytes.readDoubleLE(8 * i) : bytes.readFloatLE(4 * i);
  return { shape: [...w.shape], data };
}

function decodeNested(value: unknown, field: string): DecodedArray {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe) || ArrayBuffer.isView(probe)) {
    const arr = probe as ArrayLike<unknown>;
    shape.push(arr.length);
    probe = arr.length > 0 ? arr[0] : undefined;
  }
  if (shape.length === 0) throw new InvalidArgumentError(field, value, 'must be an array (nested lists) or {dtype, shape, data}');
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  let k = 0;
  const walk = (v: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new InvalidArgumentError(`${field}${path}`, v, 'expected a number');
      data[k++] = v;
      return;
    }
    if (!(Array.isArray(v) || ArrayBuffer.isView(v)) || (v as ArrayLike<unknown>).length !== shape[depth]) {
      throw new InvalidArgumentError(`${field}${path}`, v, `ragged array: expected length ${shape[depth]} at depth ${depth}`);
    }
    const arr = v as ArrayLike<unknown>;
    for (let i = 0; i < arr.length; i++) walk(arr[i], depth + 1, `${path}[${i}]`);
  };
  walk(value, 0, '');
  return { shape, data };
}

function indexPath(shape: readonly number[], flat: number): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return idx.map((i) => `[${i}]`).join('');
}

/** Nested lists of a row-major array (version 1's form). */
export function toNested(data: ArrayLike<number>, shape: readonly number[]): unknown {
  if (shape.length === 0) return data[0];
  const build = (offset: number, depth: number): unknown => {
    const stride = shape.slice(depth + 1).reduce((a, b) => a * b, 1);
    if (depth === shape.length - 1) return Array.from({ length: shape[depth] }, (_, i) => data[offset + i]);
    return Array.from({ length: shape[depth] }, (_, i) => build(offset + i * stride, depth + 1));
  };
  return build(0, 0);
}
