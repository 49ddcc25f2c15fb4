/**
 * WebAssembly SIMD (f64x2) kernels for the batched score models: a blocked
 * matrix product and an elementwise tanh. The module is assembled from bytes
 * below (no toolchain, no dependency) and validated at load; where WebAssembly
 * SIMD is unavailable `simdAvailable` is false and callers keep their plain-JS
 * loops. Wasm memory accesses carry no per-element bounds checks, and f64x2
 * halves the instruction count of V8's scalar code (measured in bench/).
 *
 *   gemm(x, xs, n, q, wt, p, b, out, os, acc):
 *     out[k·os + i] = (acc ? out[k·os + i] : b[i]) + Σ_{j<q} x[k·xs + j] · wt[j·p + i],
 *     k < n, i < p, p even (callers pad). Pointers are byte offsets, strides in doubles.
 *     Outer-product form (a row of x broadcast against rows of wt): no horizontal
 *     sums, any q; register block 2 rows × 8 outputs (8 f64x2 accumulators).
 *   tanh(ptr, count): in place, count even.
 */

const uleb = (v: number): number[] => {
  const o: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    o.push(b);
  } while (v);
  return o;
};
const sleb = (v: number): number[] => {
  const o: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) { o.push(b); return o; }
    o.push(b | 0x80);
  }
};
const bytesOf = (a: Float64Array | BigInt64Array): number[] => Array.from(new Uint8Array(a.buffer));
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

// Instructions.
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const simd = (op: number) => [0xfd, ...uleb(op)];
const ADD = [0x6a], MUL = [0x6c], SHL = [0x74], GT_S = [0x4a], GE_U = [0x4f], LT_S = [0x48];
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], IF = [0x04, 0x40], ELSE = [0x05], END = [0x0b];
const br = (d: number) => [0x0c, ...uleb(d)];
const brIf = (d: number) => [0x0d, ...uleb(d)];
const vload = (off: number) => [...simd(0x00), 4, ...uleb(off)];
const vstore = (off: number) => [...simd(0x0b), 4, ...uleb(off)];
const vload64Splat = (off: number) => [...simd(0x0a), 3, ...uleb(off)];
const f64x2 = (x: number) => [...simd(0x0c), ...bytesOf(new Float64Array([x, x]))];
const i64x2 = (x: bigint) => [...simd(0x0c), ...bytesOf(new BigInt64Array([x, x]))];
const F_ADD = simd(0xf0), F_SUB = simd(0xf1), F_MUL = simd(0xf2), F_DIV = simd(0xf3), F_MIN = simd(0xf4);
const F_ABS = simd(0xec), F_LT = simd(0x49), V_AND = simd(0x4e), V_OR = simd(0x50), V_SELECT = simd(0x52);
const I64_SHL = simd(0xcb), I64_ADD = simd(0xce);

const I32 = 0x7f, V128 = 0x7b;
const ROWS = 2, VECS = 4; // register block: 2 rows × 4 f64x2 = 8 accumulators

function gemmBody(): number[] {
  // params
  const X = 0, XS = 1, N = 2, Q = 3, WT = 4, P = 5, B = 6, OUT = 7, OS = 8, ACC = 9;
  // i32 locals
  const IB = 10, K = 11, J = 12, WP = 13, XP = 14 /* ..14+ROWS-1 */, OP = 18, PB = 19, XSB = 20, OSB = 21;
  // v128 locals
  const AC = 22 /* ROWS*VECS */, WV = AC + 16, XV = WV + 4;
  const code: number[] = [];
  const e = (...parts: number[][]) => { for (const p of parts) code.push(...p); };
  e(get(P), i32(3), SHL, set(PB), get(XS), i32(3), SHL, set(XSB), get(OS), i32(3), SHL, set(OSB));
  e(i32(0), set(IB));
  const acc = (r: number, v: number) => AC + r * VECS + v;
  const rowAddr = (base: number, strideB: number, r: number) => (r === 0 ? get(base) : [...get(base), ...get(strideB), ...i32(r), ...MUL, ...ADD]);
  const rowLoop = (R: number, V: number): number[] => {
    const c: number[] = [];
    const f = (...parts: number[][]) => { for (const p of parts) c.push(...p); };
    f(BLOCK, LOOP);
    f(get(K), i32(R), ADD, get(N), GT_S, brIf(1));
    for (let r = 0; r < R; r++) f(get(X), get(K), i32(r), ADD, get(XSB), MUL, ADD, set(XP + r));
    f(get(OUT), get(K), get(OSB), MUL, ADD, get(IB), i32(3), SHL, ADD, set(OP));
    f(get(ACC), IF);
    for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) f(rowAddr(OP, OSB, r), vload(16 * v), set(acc(r, v)));
    f(ELSE);
    for (let v = 0; v < V; v++) f(get(B), get(IB), i32(3), SHL, ADD, vload(16 * v), set(acc(0, v)));
    for (let r = 1; r < R; r++) for (let v = 0; v < V; v++) f(get(acc(0, v)), set(acc(r, v)));
    f(END);
    f(get(WT), get(IB), i32(3), SHL, ADD, set(WP), i32(0), set(J));
    f(LOOP);
    for (let r = 0; r < R; r++) f(get(XP + r), vload64Splat(0), set(XV + r));
    for (let v = 0; v < V; v++) f(get(WP), vload(16 * v), set(WV + v));
    for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) f(get(acc(r, v)), get(XV + r), get(WV + v), F_MUL, F_ADD, set(acc(r, v)));
    for (let r = 0; r < R; r++) f(get(XP + r), i32(8), ADD, set(XP + r));
    f(get(WP), get(PB), ADD, set(WP));
    f(get(J), i32(1), ADD, [0x22, ...uleb(J)], get(Q), LT_S, brIf(0));
    f(END);
    for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) f(rowAddr(OP, OSB, r), get(acc(r, v)), vstore(16 * v));
    f(get(K), i32(R), ADD, set(K), br(0));
    f(END, END);
    return c;
  };
  const colLoop = (V: number) => {
    e(BLOCK, LOOP);
    e(get(IB), i32(2 * V), ADD, get(P), GT_S, brIf(1));
    e(i32(0), set(K));
    e(rowLoop(ROWS, V), rowLoop(1, V));
    e(get(IB), i32(2 * V), ADD, set(IB), br(0));
    e(END, END);
  };
  colLoop(VECS);
  colLoop(1);
  return [...vec([[12, I32], [16 + 4 + 4, V128]].map(([n, t]) => [...uleb(n), t])), ...code, ...END];
}

// tanh: |x| < 0.625: x(Q + zP)/Q, z = x² (Cephes tanh rational, rel. error ≈ 2e-16);
// else sign(x)(1 − e)/(1 + e), e = exp(−2 min(|x|, 20)), exp by k = round(y/ln2),
// r = y − k ln2 (Cody–Waite), Taylor degree 12 on |r| ≤ ln2/2, 2^k from exponent bits.
const TANH_P = [-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3];
const TANH_Q = [1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3];
const SHIFTER = 6755399441055744; // 1.5·2⁵²: adding it rounds to an integer kept in the low mantissa bits
const LN2_HI = 6.93147180369123816490e-1, LN2_LO = 1.90821492927058770002e-10;

function tanhBody(): number[] {
  const PTR = 0, CNT = 1, END_ = 2; // i32
  const Xv = 3, A = 4, Z = 5, QS = 6, NUMS = 7, Y = 8, T = 9, KD = 10, R = 11, EP = 12, E = 13, M = 14; // v128
  const c: number[] = [];
  const f = (...parts: number[][]) => { for (const p of parts) c.push(...p); };
  f(get(PTR), get(CNT), i32(3), SHL, ADD, set(END_));
  f(BLOCK, LOOP, get(PTR), get(END_), GE_U, brIf(1));
  f(get(PTR), vload(0), set(Xv));
  f(get(Xv), F_ABS, set(A));
  f(get(A), f64x2(0.625), F_LT, set(M));
  // small |x|
  f(get(Xv), get(Xv), F_MUL, set(Z));
  f(get(Z), f64x2(TANH_Q[0]), F_ADD, get(Z), F_MUL, f64x2(TANH_Q[1]), F_ADD, get(Z), F_MUL, f64x2(TANH_Q[2]), F_ADD, set(QS));
  f(f64x2(TANH_P[0]), get(Z), F_MUL, f64x2(TANH_P[1]), F_ADD, get(Z), F_MUL, f64x2(TANH_P[2]), F_ADD, get(Z), F_MUL, get(QS), F_ADD, get(Xv), F_MUL, set(NUMS));
  // large |x|: e = exp(y), y = −2 min(|x|, 20)
  f(get(A), f64x2(20), F_MIN, f64x2(-2), F_MUL, set(Y));
  f(get(Y), f64x2(1 / Math.LN2), F_MUL, f64x2(SHIFTER), F_ADD, set(T));
  f(get(T), f64x2(SHIFTER), F_SUB, set(KD));
  f(get(Y), get(KD), f64x2(LN2_HI), F_MUL, F_SUB, get(KD), f64x2(LN2_LO), F_MUL, F_SUB, set(R));
  let fact = 1;
  const coef: number[] = [1];
  for (let i = 1; i <= 12; i++) { fact *= i; coef.push(1 / fact); }
  f(f64x2(coef[12]));
  for (let i = 11; i >= 0; i--) f(get(R), F_MUL, f64x2(coef[i]), F_ADD);
  f(set(EP));
  // 2^k: exponent field (k + 1023) << 52 (bits(T) = bits(SHIFTER) + k, whose low 12 bits are 0).
  f(get(EP), get(T), i64x2(1023n), I64_ADD, i32(52), I64_SHL, F_MUL, set(E));
  // numerator sign(x)(1 − e) | small numerator; denominator 1 + e | Q.
  f(get(NUMS), f64x2(1), get(E), F_SUB, get(Xv), i64x2(-0x8000000000000000n), V_AND, V_OR, get(M), V_SELECT);
  f(get(QS), f64x2(1), get(E), F_ADD, get(M), V_SELECT, F_DIV, set(A));
  f(get(PTR), get(A), vstore(0));
  f(get(PTR), i32(16), ADD, set(PTR), br(0), END, END);
  return [...vec([[1, I32], [12, V128]].map(([n, t]) => [...uleb(n), t])), ...c, ...END];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const params = (k: number) => [0x60, ...vec(Array.from({ length: k }, () => [I32])), ...vec([])];
  const body = (b: number[]) => [...uleb(b.length), ...b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([params(10), params(2)])),
    ...section(3, vec([[0], [1]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...str('gemm'), 0x00, 0], [...str('tanh'), 0x00, 1], [...str('mem'), 0x02, 0]])),
    ...section(10, vec([body(gemmBody()), body(tanhBody())])),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;
function module(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = moduleBytes();
      compiled = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * True where the WebAssembly SIMD kernels load (Node ≥ 16.4); else callers use
 * their JS loops. SCORECHECK_SIMD=0 in the environment forces the JS loops
 * (bench/ compares both).
 */
export function simdAvailable(): boolean {
  if (typeof process !== 'undefined' && process.env?.SCORECHECK_SIMD === '0') return false;
  return module() !== null;
}

/**
 * One wasm instance with its own linear memory, a bump allocator of
 * 16-byte-aligned Float64 regions and the two kernels. Regions are byte offsets;
 * `f64` is re-viewed after the memory grows.
 */
export class SimdArena {
  private readonly mem: WebAssembly.Memory;
  private readonly gemmFn: (...a: number[]) => void;
  private readonly tanhFn: (ptr: number, count: number) => void;
  f64: Float64Array;
  private top = 16;

  constructor() {
    const m = module();
    if (!m) throw new Error('WebAssembly SIMD unavailable');
    const inst = new WebAssembly.Instance(m, {});
    const ex = inst.exports as { gemm: (...a: number[]) => void; tanh: (ptr: number, count: number) => void; mem: WebAssembly.Memory };
    this.mem = ex.mem;
    this.gemmFn = ex.gemm;
    this.tanhFn = ex.tanh;
    this.f64 = new Float64Array(this.mem.buffer);
  }

  /** Current allocation mark (to free everything allocated after it with `release`). */
  mark(): number { return this.top; }
  release(mark: number): void { this.top = mark; }

  /** A region of `len` doubles (zeroed on first use of fresh memory only). */
  alloc(len: number): number {
    const off = this.top;
    this.top = (off + len * 8 + 15) & ~15;
    const need = this.top - this.mem.buffer.byteLength;
    if (need > 0) {
      this.mem.grow(Math.ceil(need / 65536));
      this.f64 = new Float64Array(this.mem.buffer);
    }
    return off;
  }

  /** A region holding `data`. */
  put(data: ArrayLike<number>): number {
    const off = this.alloc(data.length);
    this.f64.set(data, off >> 3);
    return off;
  }

  gemm(x: number, xs: number, n: number, q: number, wt: number, p: number, b: number, out: number, os: number, accumulate: boolean): void {
    this.gemmFn(x, xs, n, q, wt, p, b, out, os, accumulate ? 1 : 0);
  }

  tanh(ptr: number, count: number): void {
    this.tanhFn(ptr, count);
  }
}
