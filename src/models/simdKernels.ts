import { ADD, BLOCK, br, brIf, bytesOf, ELSE, END, F_ADD, F_DIV, F_MUL, F_SUB, GE_U, get, GT_S, GT_U, I32, i32, IF, LOOP, LT_S, MUL, section, set, SHL, simd, sleb, str, uleb, V128, vec } from '../linalg/wasmBytes.ts';
/**
 * WebAssembly SIMD (f64x2) kernels for the batched score models: a blocked
 * matrix product and an elementwise tanh. The module is assembled from bytes
 * below (no toolchain, no dependency) and validated at load; where WebAssembly
 * SIMD is unavailable `simdAvailable` is false and callers keep their plain-JS
 * loops. Wasm memory accesses carry no per-element bounds checks, and f64x2
 * halves the instruction count of V8's scalar code (measured in bench/).
 *
 *   gemm(x, xs, n, q, wt, p, b, out, os, acc, act):
 *     out[k·os + i] = (acc ? out[k·os + i] : b[i]) + Σ_{j<q} x[k·xs + j] · wt[j·p + i],
 *     k < n, i < p, p even (callers pad). Pointers are byte offsets, strides in doubles.
 *     Outer-product form (a row of x broadcast against rows of wt): no horizontal
 *     sums, any q; register block 2 rows × 8 outputs (8 f64x2 accumulators).
 *     With act = 1 the stored value is tanh of it (the MLP activation fused into the store).
 *   tanh(ptr, count): in place, count even.
 */


// Instructions.
const vload = (off: number) => [...simd(0x00), 4, ...uleb(off)];
const vstore = (off: number) => [...simd(0x0b), 4, ...uleb(off)];
const vload64Splat = (off: number) => [...simd(0x0a), 3, ...uleb(off)];
const f64x2 = (x: number) => [...simd(0x0c), ...bytesOf(new Float64Array([x, x]))];
const i64x2 = (x: bigint) => [...simd(0x0c), ...bytesOf(new BigInt64Array([x, x]))];
const F_PMIN = simd(0xf6);
const F_NEG = simd(0xed), V_XOR = simd(0x51);
const F_ABS = simd(0xec), V_AND = simd(0x4e);
const I64_SHL = simd(0xcb), I64_ADD = simd(0xce);

const ROWS = 2, VECS = 4; // main register block: 2 rows × 4 f64x2 = 8 accumulators (measured best with 4 × 2);
const TAIL_ROWS = 4; // column tail (p mod 8): 4 rows × 1 f64x2;

function gemmBody(): number[] {
  // params
  const X = 0, XS = 1, N = 2, Q = 3, WT = 4, P = 5, B = 6, OUT = 7, OS = 8, ACC = 9, ACT = 10;
  // i32 locals
  const IB = 11, K = 12, J = 13, WP = 14, XP = 15 /* ..15+3 */, OP = 19, PB = 20, XSB = 21, OSB = 22;
  // v128 locals
  const AC = 23 /* 16 */, WV = AC + 16, XV = WV + 4, TW = XV + 4, TC = TW + TANH_WORK;
  const tanhK = tanhConstants(TC);
  const code: number[] = [];
  const e = (...parts: number[][]) => { for (const p of parts) code.push(...p); };
  e(get(ACT), IF, tanhK.init, END);
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
    f(get(ACT), IF); // fused activation: acc ← tanh(acc)
    for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) f(tanhOf(acc(r, v), TW, tanhK.k), set(acc(r, v)));
    f(END);
    for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) f(rowAddr(OP, OSB, r), get(acc(r, v)), vstore(16 * v));
    f(get(K), i32(R), ADD, set(K), br(0));
    f(END, END);
    return c;
  };
  const colLoop = (V: number, R: number) => {
    e(BLOCK, LOOP);
    e(get(IB), i32(2 * V), ADD, get(P), GT_S, brIf(1));
    e(i32(0), set(K));
    e(rowLoop(R, V), rowLoop(1, V));
    e(get(IB), i32(2 * V), ADD, set(IB), br(0));
    e(END, END);
  };
  colLoop(VECS, ROWS);
  colLoop(1, TAIL_ROWS);
  return [...vec([[12, I32], [16 + 4 + 4 + TANH_WORK + TANH_CONSTANTS, V128]].map(([n, t]) => [...uleb(n), t])), ...code, ...END];
}

// tanh, one branch-free formula with one division. With a = min(|x|, 20) and
// e^{−2a} = 2^k e^r, k = round(−2a / ln2) (adding 1.5·2⁵² leaves k in the low mantissa
// bits), r = −2a − k ln2 (Cody–Waite split of ln2), and the [6/6] Padé approximant
// e^r ≈ P(r)/P(−r), P(r) = E(r²) + O(r), truncation < 1e-18 on |r| ≤ ln2/2:
//   tanh a = (1 − e)/(1 + e) = (E(1 − s) − O(1 + s)) / (E(1 + s) − O(1 − s)),  s = 2^k,
// free of cancellation (k = 0: −O/E, as a → 0); 2^k from the exponent bits; the sign of
// x restored last. Max relative error vs Math.tanh 6.5e-16 (dense grids over ±25 and
// 1e-20…25; simdKernels.test.ts). The clamp is f64x2.pmin (one minpd; f64x2.min's NaN/±0
// rules cost V8 several instructions). Constants live in locals (a v128.const inside the
// loop costs several x64 instructions).
const SHIFTER = 6755399441055744; // 1.5·2⁵²;
const LN2_HI = 6.93147180369123816490e-1, LN2_LO = 1.90821492927058770002e-10;
const TANH_UNROLL = 2;
/** Padé [6/6] numerator of e^r: c_j = (12 − j)! 6! / (12! j! (6 − j)!). */
const PADE = (() => {;
  const fact = (n: number) => { let r = 1; for (let i = 2; i <= n; i++) r *= i; return r; };
  return Array.from({ length: 7 }, (_, j) => (fact(12 - j) * fact(6)) / (fact(12) * fact(j) * fact(6 - j)));
})();

interface TanhConstants {
  readonly P: number[];
  readonly C20: number; readonly CM2: number; readonly CINV: number; readonly CSH: number; readonly CHI: number;
  readonly CLO: number; readonly CBIAS: number; readonly CONE: number; readonly CSIGN: number;
}
const TANH_CONSTANTS = 16;
const TANH_WORK = 7;

/** The tanh constants in v128 locals first…first+15, and the code that sets them. */
function tanhConstants(first: number): { k: TanhConstants; init: number[] } {
  const init: number[] = [];
  let next = first;
  const cst = (bytes: number[]) => { init.push(...bytes, ...set(next)); return next++; };
  const P = PADE.map((x) => cst(f64x2(x)));
  const k: TanhConstants = {
    P, C20: cst(f64x2(20)), CM2: cst(f64x2(-2)), CINV: cst(f64x2(1 / Math.LN2)), CSH: cst(f64x2(SHIFTER)),
    CHI: cst(f64x2(LN2_HI)), CLO: cst(f64x2(LN2_LO)), CBIAS: cst(i64x2(1023n)), CONE: cst(f64x2(1)),
    CSIGN: cst(i64x2(-0x8000000000000000n)),
  };
  if (next - first !== TANH_CONSTANTS) throw new Error('tanh constant count');
  return { k, init };
}

/** Code leaving tanh(local x) on the stack; work locals base…base+6. */
function tanhOf(x: number, base: number, k: TanhConstants): number[] {
  const Y = base, KD = base + 1, R = base + 2, T = base + 3, E = base + 4, O = base + 5, S = base + 6;
  const { P } = k;
  const c: number[] = [];
  const f = (...parts: number[][]) => { for (const p of parts) c.push(...p); };
  f(get(x), F_ABS, get(k.C20), F_PMIN, get(k.CM2), F_MUL, set(Y));
  f(get(Y), get(k.CINV), F_MUL, get(k.CSH), F_ADD, set(T));
  f(get(T), get(k.CSH), F_SUB, set(KD));
  f(get(Y), get(KD), get(k.CHI), F_MUL, F_SUB, get(KD), get(k.CLO), F_MUL, F_SUB, set(R));
  const R2 = Y; // reuse
  f(get(R), get(R), F_MUL, set(R2));
  f(get(P[6]), get(R2), F_MUL, get(P[4]), F_ADD, get(R2), F_MUL, get(P[2]), F_ADD, get(R2), F_MUL, get(P[0]), F_ADD, set(E));
  f(get(P[5]), get(R2), F_MUL, get(P[3]), F_ADD, get(R2), F_MUL, get(P[1]), F_ADD, get(R), F_MUL, set(O));
  f(get(T), get(k.CBIAS), I64_ADD, i32(52), I64_SHL, set(S)); // s = 2^k
  const SM = KD, SP = T; // 1 − s, 1 + s
  f(get(k.CONE), get(S), F_SUB, set(SM), get(k.CONE), get(S), F_ADD, set(SP));
  f(get(E), get(SM), F_MUL, get(O), get(SP), F_MUL, F_SUB);
  f(get(E), get(SP), F_MUL, get(O), get(SM), F_MUL, F_SUB, F_DIV);
  f(get(x), get(k.CSIGN), V_AND, V_XOR);
  return c;
}

function tanhBody(): number[] {
  const PTR = 0, CNT = 1, END_ = 2; // i32
  const WORK = 1 + TANH_WORK; // v128 locals per stream: the input and the work
  const { k, init } = tanhConstants(3 + WORK * TANH_UNROLL);
  const c: number[] = [];
  const f = (...parts: number[][]) => { for (const p of parts) c.push(...p); };
  /** tanh of the vector at PTR + off, locals base…base+7. */
  const one = (off: number, base: number) => {
    f(get(PTR), vload(off), set(base));
    f(get(PTR), tanhOf(base, base + 1, k), vstore(off));
  };
  f(init);
  f(get(PTR), get(CNT), i32(3), SHL, ADD, set(END_));
  // TANH_UNROLL vectors per iteration (independent chains), then single vectors.
  f(BLOCK, LOOP, get(PTR), i32(16 * TANH_UNROLL), ADD, get(END_), GT_U, brIf(1));
  for (let u = 0; u < TANH_UNROLL; u++) one(16 * u, 3 + WORK * u);
  f(get(PTR), i32(16 * TANH_UNROLL), ADD, set(PTR), br(0), END, END);
  f(BLOCK, LOOP, get(PTR), get(END_), GE_U, brIf(1));
  one(0, 3);
  f(get(PTR), i32(16), ADD, set(PTR), br(0), END, END);
  return [...vec([[1, I32], [WORK * TANH_UNROLL + TANH_CONSTANTS, V128]].map(([n, t]) => [...uleb(n), t])), ...c, ...END];
}

// Per-row pieces of the DSM − ESM gap in the eigenframe (MATH.md §2; the JS loops of
// src/objectives/reducedVariance/gaussianGapTerms.ts), d even, rows of `noise` = (w, e):
//   frame(noise, r, sv, m, d, u):  u = r∘w + s e                       (sv → (s, s))
//   pieces(noise, u, g, p, cv, m, d, A, B):  with es = e/s, σ = −p∘u   (cv → (1/s, 1/s))
//     A[row] = Σ es² − σ²,  B[row] = 2 Σ g (es + σ)   (lane sums added at the end of a row)
function frameBody(): number[] {
  const NOISE = 0, RP = 1, SV = 2, M = 3, D = 4, U = 5; // params
  const ROW = 6, I = 7, NP = 8, UP = 9, DB = 10; // i32
  const S = 11; // v128
  const c: number[] = [];
  const f = (...parts: number[][]) => { for (const p of parts) c.push(...p); };
  f(get(SV), vload(0), set(S), get(D), i32(3), SHL, set(DB), get(NOISE), set(NP), get(U), set(UP), i32(0), set(ROW));
  f(BLOCK, LOOP, get(ROW), get(M), GE_U, brIf(1));
  f(i32(0), set(I));
  f(LOOP);
  // u[i..i+1] = r[i..i+1]·w + s·e
  f(get(UP), get(I), ADD);
  f(get(RP), get(I), ADD, vload(0), get(NP), get(I), ADD, vload(0), F_MUL);
  f(get(S), get(NP), get(I), ADD, get(DB), ADD, vload(0), F_MUL, F_ADD, vstore(0));
  f(get(I), i32(16), ADD, [0x22, ...uleb(I)], get(DB), LT_S, brIf(0), END);
  f(get(NP), get(DB), i32(1), SHL, ADD, set(NP), get(UP), get(DB), ADD, set(UP));
  f(get(ROW), i32(1), ADD, set(ROW), br(0), END, END);
  return [...vec([[5, I32], [1, V128]].map(([n, t]) => [...uleb(n), t])), ...c, ...END];
}

function piecesBody(): number[] {
  const NOISE = 0, UU = 1, G = 2, PP = 3, CV = 4, M = 5, D = 6, OA = 7, OB = 8; // params
  const ROW = 9, I = 10, EP = 11, UP = 12, GP = 13, DB = 14; // i32
  const INV = 15, ACCA = 16, ACCB = 17, ES = 18, SG = 19; // v128
  const c: number[] = [];
  const f = (...parts: number[][]) => { for (const p of parts) c.push(...p); };
  const F64_ADD = [0xa0], F64_MUL = [0xa2], F64_STORE = [0x39, 3, 0];
  const lanesSum = (v: number) => [...get(v), ...simd(0x21), 0, ...get(v), ...simd(0x21), 1, ...F64_ADD];
  f(get(CV), vload(0), set(INV), get(D), i32(3), SHL, set(DB));
  f(get(NOISE), get(DB), ADD, set(EP), get(UU), set(UP), get(G), set(GP), i32(0), set(ROW));
  f(BLOCK, LOOP, get(ROW), get(M), GE_U, brIf(1));
  f(f64x2(0), set(ACCA), f64x2(0), set(ACCB), i32(0), set(I));
  f(LOOP);
  f(get(EP), get(I), ADD, vload(0), get(INV), F_MUL, set(ES));
  f(get(PP), get(I), ADD, vload(0), get(UP), get(I), ADD, vload(0), F_MUL, F_NEG, set(SG));
  f(get(ACCA), get(ES), get(ES), F_MUL, get(SG), get(SG), F_MUL, F_SUB, F_ADD, set(ACCA));
  f(get(ACCB), get(GP), get(I), ADD, vload(0), get(ES), get(SG), F_ADD, F_MUL, F_ADD, set(ACCB));
  f(get(I), i32(16), ADD, [0x22, ...uleb(I)], get(DB), LT_S, brIf(0), END);
  f(get(OA), get(ROW), i32(3), SHL, ADD, lanesSum(ACCA), F64_STORE);
  f(get(OB), get(ROW), i32(3), SHL, ADD, lanesSum(ACCB), [0x44, ...bytesOf(new Float64Array([2]))], F64_MUL, F64_STORE);
  f(get(EP), get(DB), i32(1), SHL, ADD, set(EP), get(UP), get(DB), ADD, set(UP), get(GP), get(DB), ADD, set(GP));
  f(get(ROW), i32(1), ADD, set(ROW), br(0), END, END);
  return [...vec([[6, I32], [5, V128]].map(([n, t]) => [...uleb(n), t])), ...c, ...END];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const params = (k: number) => [0x60, ...vec(Array.from({ length: k }, () => [I32])), ...vec([])];
  const body = (b: number[]) => [...uleb(b.length), ...b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([params(11), params(2), params(6), params(9)])),
    ...section(3, vec([[0], [1], [2], [3]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...str('gemm'), 0x00, 0], [...str('tanh'), 0x00, 1], [...str('frame'), 0x00, 2], [...str('pieces'), 0x00, 3], [...str('mem'), 0x02, 0]])),
    ...section(10, vec([body(gemmBody()), body(tanhBody()), body(frameBody()), body(piecesBody())])),
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
  private readonly frameFn: (...a: number[]) => void;
  private readonly piecesFn: (...a: number[]) => void;
  f64: Float64Array;
  private top = 16;

  constructor() {
    const m = module();
    if (!m) throw new Error('WebAssembly SIMD unavailable');
    const inst = new WebAssembly.Instance(m, {});
    type Fn = (...a: number[]) => void;
    const ex = inst.exports as { gemm: Fn; tanh: (ptr: number, count: number) => void; frame: Fn; pieces: Fn; mem: WebAssembly.Memory };
    this.mem = ex.mem;
    this.frameFn = ex.frame;
    this.piecesFn = ex.pieces;
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

  /** With `tanh`, the result is tanh(out) (the activation fused into the store). */
  gemm(x: number, xs: number, n: number, q: number, wt: number, p: number, b: number, out: number, os: number, accumulate: boolean, tanh = false): void {
    this.gemmFn(x, xs, n, q, wt, p, b, out, os, accumulate ? 1 : 0, tanh ? 1 : 0);
  }

  tanh(ptr: number, count: number): void {
    this.tanhFn(ptr, count);
  }

  /** Gap kernel, frame points (d even): u = r∘w + s e; `sv` holds (s, s). */
  frame(noise: number, r: number, sv: number, m: number, d: number, u: number): void {
    this.frameFn(noise, r, sv, m, d, u);
  }

  /** Gap kernel, per-row A and B (d even); `cv` holds (1/s, 1/s). */
  pieces(noise: number, u: number, g: number, p: number, cv: number, m: number, d: number, outA: number, outB: number): void {
    this.piecesFn(noise, u, g, p, cv, m, d, outA, outB);
  }

}
