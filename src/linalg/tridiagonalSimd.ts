import { ADD, BLOCK, br, brIf, END, F64, F64_ADD, F64_MUL, F64_SUB, F_ADD, F_MUL, F_SUB, GE_S, get, I32, i32, IF, lane, LOOP, LT_S, MUL, section, set, SHL, simd, sleb, str, SUB, tee, uleb, V128, vec, ZERO } from './wasmBytes.ts';
/**
 * The one O(n²) pass per step of the Householder tridiagonalization (tridiagonalEigen.ts)
 * in WebAssembly SIMD (f64x2). For every row j of the trailing block (i1 ≤ j < n) of the
 * row-major lower triangle A:
 *   A[j][k] −= v_j w_k + w_j v_k   (the previous step's update, k ≤ j; the diagonal gets 2v_jw_j)
 *   p_j += Σ_{k<j} A[j][k] u_k + A[j][j] u_j,   p_k += A[j][k] u_j (k < j)
 * i.e. p += B'u for the updated block B' — the same arithmetic as the JS loop, two columns
 * per instruction. Module assembled from bytes (no toolchain); memory is its own (exported),
 * grown to fit; `simdAvailable` is false where WebAssembly SIMD does not load.
 *
 * step(a, n, i1, v, w, u, p): byte offsets a (n × n), v, w, u, p (n doubles each).
 */

const vload = (off = 0) => [...simd(0x00), 3, ...uleb(off)];
const vstore = (off = 0) => [...simd(0x0b), 3, ...uleb(off)];
const SPLAT = simd(0x14);
const F64_LOAD = [0x2b, 3, 0], F64_STORE = [0x39, 3, 0];
const f64c = (x: number) => [0x44, ...Array.from(new Uint8Array(new Float64Array([x]).buffer))];

function stepBody(): number[] {
  // params (i32)
  const A = 0, N = 1, I1 = 2, V = 3, W = 4, U = 5, P = 6;
  // i32 locals
  const J = 7, K = 8, R = 9, NB = 10, KB = 11;
  // f64 locals
  const VJ = 12, WJ = 13, UJ = 14, SDOT = 15, X = 16;
  // v128 locals
  const VVJ = 17, VWJ = 18, VUJ = 19, DOT = 20, AV = 21;
  const c: number[] = [];
  const e = (...parts: number[][]) => { for (const p of parts) c.push(...p); };
  const at = (base: number, idx: number) => [...get(base), ...get(idx), ...i32(3), ...SHL, ...ADD]; // base + idx·8
  e(get(N), i32(3), SHL, set(NB));
  e(get(I1), set(J));
  e(BLOCK, LOOP); // rows j
  e(get(J), get(N), GE_S, brIf(1));
  e(get(A), get(J), get(NB), MUL, ADD, set(R)); // row start
  e(at(V, J), F64_LOAD, tee(VJ), SPLAT, set(VVJ));
  e(at(W, J), F64_LOAD, tee(WJ), SPLAT, set(VWJ));
  e(at(U, J), F64_LOAD, tee(UJ), SPLAT, set(VUJ));
  e(ZERO, set(DOT), f64c(0), set(SDOT));
  e(get(I1), set(K));
  // vector loop: k + 1 < j
  e(BLOCK, LOOP);
  e(get(K), i32(1), ADD, get(J), GE_S, brIf(1));
  e(get(K), i32(3), SHL, set(KB));
  // a = A[r+k] − vj·w[k] − wj·v[k]
  e(get(R), get(KB), ADD, vload(), get(VVJ), get(W), get(KB), ADD, vload(), F_MUL, F_SUB, get(VWJ), get(V), get(KB), ADD, vload(), F_MUL, F_SUB, set(AV));
  e(get(R), get(KB), ADD, get(AV), vstore());
  e(get(DOT), get(AV), get(U), get(KB), ADD, vload(), F_MUL, F_ADD, set(DOT));
  e(get(P), get(KB), ADD, get(P), get(KB), ADD, vload(), get(AV), get(VUJ), F_MUL, F_ADD, vstore());
  e(get(K), i32(2), ADD, set(K), br(0));
  e(END, END);
  // scalar tail: k < j (at most one)
  e(get(K), get(J), LT_S, IF);
  e(get(K), i32(3), SHL, set(KB));
  e(get(R), get(KB), ADD, F64_LOAD, get(VJ), get(W), get(KB), ADD, F64_LOAD, F64_MUL, F64_SUB, get(WJ), get(V), get(KB), ADD, F64_LOAD, F64_MUL, F64_SUB, set(X));
  e(get(R), get(KB), ADD, get(X), F64_STORE);
  e(get(SDOT), get(X), get(U), get(KB), ADD, F64_LOAD, F64_MUL, F64_ADD, set(SDOT));
  e(get(P), get(KB), ADD, get(P), get(KB), ADD, F64_LOAD, get(X), get(UJ), F64_MUL, F64_ADD, F64_STORE);
  e(END);
  // diagonal: a_jj −= 2 v_j w_j; p_j += dot + a_jj u_j
  e(get(J), i32(3), SHL, set(KB));
  e(get(R), get(KB), ADD, F64_LOAD, f64c(2), get(VJ), F64_MUL, get(WJ), F64_MUL, F64_SUB, set(X));
  e(get(R), get(KB), ADD, get(X), F64_STORE);
  e(get(P), get(KB), ADD, get(P), get(KB), ADD, F64_LOAD, get(DOT), lane(0), F64_ADD, get(DOT), lane(1), F64_ADD, get(SDOT), F64_ADD, get(X), get(UJ), F64_MUL, F64_ADD, F64_STORE);
  e(get(J), i32(1), ADD, set(J), br(0));
  e(END, END);
  void SUB;
  return [...vec([[5, I32], [5, F64], [5, V128]].map(([n, t]) => [...uleb(n), t])), ...c, ...END];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec(Array.from({ length: 7 }, () => [I32])), ...vec([])];
  const body = stepBody();
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, 1]])),
    ...section(7, vec([[...str('step'), 0x00, 0], [...str('mem'), 0x02, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;
function wasmModule(): WebAssembly.Module | null {
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

/** A wasm instance holding A (n × n), v, w, u, p; the step runs on them in place. */
export interface TridiagonalWorkspace {
  readonly A: Float64Array;
  readonly v: Float64Array;
  readonly w: Float64Array;
  readonly u: Float64Array;
  readonly p: Float64Array;
  /** The fused pass over rows i1…n−1 (see the file comment). */
  step(i1: number): void;
}

/** A SIMD workspace for size n, or undefined (no SIMD, SCORECHECK_SIMD=0, or more than 2 GiB). */
export function tridiagonalWorkspace(n: number): TridiagonalWorkspace | undefined {
  if (typeof process !== 'undefined' && process.env?.SCORECHECK_SIMD === '0') return undefined;
  const m = wasmModule();
  const bytes = 8 * (n * n + 4 * n) + 64;
  if (!m || bytes > 2 ** 31 - 65536) return undefined;
  const inst = new WebAssembly.Instance(m, {});
  const ex = inst.exports as { step: (...a: number[]) => void; mem: WebAssembly.Memory };
  const have = ex.mem.buffer.byteLength;
  if (bytes > have) ex.mem.grow(Math.ceil((bytes - have) / 65536));
  const buf = ex.mem.buffer;
  const a = 0, v = 8 * n * n, w = v + 8 * n, u = w + 8 * n, p = u + 8 * n;
  return {
    A: new Float64Array(buf, a, n * n),
    v: new Float64Array(buf, v, n),
    w: new Float64Array(buf, w, n),
    u: new Float64Array(buf, u, n),
    p: new Float64Array(buf, p, n),
    step: (i1: number) => ex.step(a, n, i1, v, w, u, p),
  };
}
