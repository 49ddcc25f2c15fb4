/**
 * The few pieces of the WebAssembly binary format scorecheck's SIMD kernels are assembled
 * from (no toolchain, no dependency): LEB128 integers, vectors and sections, and the opcodes
 * the kernels use. Each kernel module (src/models/simdKernels.ts, src/linalg/gramSimd.ts,
 * src/linalg/tridiagonalSimd.ts) writes its own functions with these and validates the module
 * at load.
 */

/** Unsigned LEB128. */
export const uleb = (v: number): number[] => {
  const o: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    o.push(b);
  } while (v);
  return o;
};

/** Signed LEB128. */
export const sleb = (v: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      o.push(b);
      return o;
    }
    o.push(b | 0x80);
  }
};

export const bytesOf = (a: Float64Array | BigInt64Array): number[] => Array.from(new Uint8Array(a.buffer));
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// Locals, constants, control flow.
export const get = (i: number) => [0x20, ...uleb(i)];
export const set = (i: number) => [0x21, ...uleb(i)];
export const tee = (i: number) => [0x22, ...uleb(i)];
export const i32 = (v: number) => [0x41, ...sleb(v)];
export const br = (d: number) => [0x0c, ...uleb(d)];
export const brIf = (d: number) => [0x0d, ...uleb(d)];
export const ADD = [0x6a], SUB = [0x6b], MUL = [0x6c], SHL = [0x74];
export const LT_S = [0x48], GT_S = [0x4a], GT_U = [0x4b], GE_S = [0x4e], GE_U = [0x4f];
export const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], IF = [0x04, 0x40], ELSE = [0x05], END = [0x0b];

// Scalar f64.
export const F64_ADD = [0xa0], F64_SUB = [0xa1], F64_MUL = [0xa2];

// SIMD (prefix 0xfd): f64x2 arithmetic, lanes, constants.
export const simd = (op: number) => [0xfd, ...uleb(op)];
export const F_ADD = simd(0xf0), F_SUB = simd(0xf1), F_MUL = simd(0xf2), F_DIV = simd(0xf3);
export const lane = (l: number) => [...simd(0x21), l];
export const ZERO = [...simd(0x0c), ...new Array(16).fill(0)];

// Value types.
export const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b;
