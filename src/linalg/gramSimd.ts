import { Worker } from 'node:worker_threads';
import { syrkLower } from './gram.ts';
import { ADD, BLOCK, br, brIf, END, F64_ADD, F_ADD, F_MUL, GE_S, get, GT_S, I32, i32, lane, LOOP, LT_S, MUL, section, set, SHL, simd, sleb, str, tee, uleb, V128, vec, ZERO } from './wasmBytes.ts';

/**
 * C += Z Zᵀ (lower triangle) in WebAssembly SIMD (f64x2) on shared memory, split over
 * worker threads. The Gram matrix of the bias calculator (n = 2048 samples of d = 16384:
 * 3.4·10¹⁰ multiply-adds) is the one O(n²d) step of its spectral route.
 *
 * Kernel `syrk(z, zs, i0, i1, j0, j1, k0, k1, c, cs)` (byte offsets z, c; strides in doubles):
 *   C[i][j] += Σ_{k0 ≤ k < k1} Z[i][k]·Z[j][k]  for i0 ≤ i < i1 (step 2), j0 ≤ j < j1 (step 4), j ≤ i + 1,
 * dot-product form: a 2 × 4 register block of f64x2 accumulators (8 accumulators, 6 loads per
 * 2 k's, loop unrolled twice), horizontal sums once per block. Needs (i1 − i0) % 2 = 0,
 * (j1 − j0) % 4 = 0 and (k1 − k0) % 4 = 0: callers pad rows to a multiple of 4 and columns
 * to a multiple of 4 with zeros. Blocks that straddle the diagonal also write a few entries
 * above it; only the lower triangle is meaningful.
 *
 * The module imports its memory (shared, so that every thread works on the same Z and C);
 * it is assembled from bytes below (no toolchain). Tiles of C (128 × 128) are owned by one
 * thread each, so threads never write the same entry and need no locks; the reduction runs
 * in chunks of 256 doubles so that a tile's two row panels (2 × 256 KB) stay in L2.
 */

const vload = (off: number) => [...simd(0x00), 4, ...uleb(off)];
const F64_LOAD = (off: number) => [0x2b, 3, ...uleb(off)];
const F64_STORE = (off: number) => [0x39, 3, ...uleb(off)];

function syrkBody(): number[] {
  // params
  const Z = 0, ZS = 1, I0 = 2, I1 = 3, J0 = 4, J1 = 5, K0 = 6, K1 = 7, C = 8, CS = 9;
  // i32 locals
  const ZSB = 10, CSB = 11, KB = 12, I = 13, J = 14, OFF = 15, PA0 = 16, PA1 = 17, PB = 18 /* ..21 */, CP = 22;
  // v128 locals
  const AC = 23 /* 8 */, A = AC + 8 /* 2 */, B = A + 2; /* 4 */
  const acc = (r: number, q: number) => AC + r * 4 + q;
  const c: number[] = [];
  const e = (...parts: number[][]) => { for (const p of parts) c.push(...p); };
  e(get(ZS), i32(3), SHL, set(ZSB), get(CS), i32(3), SHL, set(CSB));
  e(get(K1), get(K0), [0x6b], i32(3), SHL, set(KB)); // (k1 − k0)·8
  e(get(I0), set(I));
  e(BLOCK, LOOP); // i loop
  e(get(I), get(I1), GE_S, brIf(1));
  e(get(Z), get(I), get(ZSB), MUL, ADD, get(K0), i32(3), SHL, ADD, tee(PA0), get(ZSB), ADD, set(PA1));
  e(get(J0), set(J));
  e(BLOCK, LOOP); // j loop
  e(get(J), get(J1), GE_S, brIf(1));
  e(get(J), get(I), i32(1), ADD, GT_S, brIf(1));
  e(get(Z), get(J), get(ZSB), MUL, ADD, get(K0), i32(3), SHL, ADD, set(PB));
  for (let q = 1; q < 4; q++) e(get(PB + q - 1), get(ZSB), ADD, set(PB + q));
  for (let r = 0; r < 2; r++) for (let q = 0; q < 4; q++) e(ZERO, set(acc(r, q)));
  e(i32(0), set(OFF));
  e(LOOP); // k loop, two f64x2 steps per iteration
  for (const step of [0, 16]) {
    e(get(PA0), get(OFF), ADD, vload(step), set(A), get(PA1), get(OFF), ADD, vload(step), set(A + 1));
    for (let q = 0; q < 4; q++) e(get(PB + q), get(OFF), ADD, vload(step), set(B + q));
    for (let r = 0; r < 2; r++) for (let q = 0; q < 4; q++) e(get(acc(r, q)), get(A + r), get(B + q), F_MUL, F_ADD, set(acc(r, q)));
  }
  e(get(OFF), i32(32), ADD, tee(OFF), get(KB), LT_S, brIf(0));
  e(END);
  // C[i + r][j + q] += lane0 + lane1
  e(get(C), get(I), get(CSB), MUL, ADD, get(J), i32(3), SHL, ADD, set(CP));
  for (let r = 0; r < 2; r++) {
    for (let q = 0; q < 4; q++) {
      const off = q * 8;
      const addr = r === 0 ? get(CP) : [...get(CP), ...get(CSB), ...ADD];
      e(addr, addr, F64_LOAD(off), get(acc(r, q)), lane(0), F64_ADD, get(acc(r, q)), lane(1), F64_ADD, F64_STORE(off));
    }
  }
  e(get(J), i32(4), ADD, set(J), br(0));
  e(END, END);
  e(get(I), i32(2), ADD, set(I), br(0));
  e(END, END);
  return [...vec([[13, I32], [14, V128]].map(([n, t]) => [...uleb(n), t])), ...c, ...END];
}

function moduleBytes(maxPages: number): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec(Array.from({ length: 10 }, () => [I32])), ...vec([])];
  const body = syrkBody();
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x03, ...uleb(1), ...uleb(maxPages)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...str('syrk'), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

/** 2 GiB: i32 address arithmetic in the kernel stays below 2³¹. */
const MAX_PAGES = 32768;
let compiled: WebAssembly.Module | null | undefined;
function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = moduleBytes(MAX_PAGES);
      compiled = typeof WebAssembly !== 'undefined' && typeof SharedArrayBuffer !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** True where the shared-memory SIMD kernel loads; SCORECHECK_SIMD=0 forces the JS loops. */
export function gramSimdAvailable(): boolean {
  if (typeof process !== 'undefined' && process.env?.SCORECHECK_SIMD === '0') return false;
  return wasmModule() !== null;
}

const TILE = 128;
const KC = 256;

/** A region of doubles in the engine's memory. */
export interface Region {
  /** Byte offset (wasm) — 0 for the JS engine. */
  readonly offset: number;
  readonly length: number;
  /** A view (re-take after any allocation: the memory may have grown). */
  view(): Float64Array;
  /** The engine whose memory holds it (regions work only with their own engine's kernels). */
  readonly engine: GramEngine;
}

export interface GramEngineOptions {
  /** Threads including the calling one (default: 2, the cores scorecheck assumes; 1 = no workers). */
  readonly threads?: number;
  /** Multiply-adds below which a product stays on the calling thread (default 5·10⁷, ~0.02 s). */
  readonly minWorkPerThread?: number;
}

// The worker: instantiates the shared module on the shared memory and runs task lists
// (10 i32 arguments per call). Plain JS, evaluated from a string, so it runs the same under
// tsx, vitest and plain node.
const WORKER_SOURCE = `;
const { parentPort } = require('node:worker_threads');
let syrk;
parentPort.on('message', (m) => {
  if (m.init) { syrk = new WebAssembly.Instance(m.module, { env: { mem: m.memory } }).exports.syrk; return; }
  const t = m.tasks;
  for (let i = 0; i < t.length; i += 10) syrk(t[i], t[i + 1], t[i + 2], t[i + 3], t[i + 4], t[i + 5], t[i + 6], t[i + 7], t[i + 8], t[i + 9]);
  parentPort.postMessage(m.id);
});
`;

/**
 * Holds the shared memory, the kernel instance and the worker threads. `syrk` splits the
 * tiles of C between the calling thread and the workers; with the JS fallback it is the
 * single-threaded `syrkLower`.
 */
export class GramEngine {
  private readonly memory?: WebAssembly.Memory;
  private readonly syrkFn?: (...a: number[]) => void;
  private readonly workers: Worker[] = [];
  private top = 64;
  private nextId = 1;
  readonly simd: boolean;
  readonly threads: number;
  private readonly minWork: number;

  constructor(opts: GramEngineOptions = {}) {
    const m = gramSimdAvailable() ? wasmModule() : null;
    this.simd = m !== null;
    this.threads = Math.max(1, Math.floor(opts.threads ?? 2));
    this.minWork = opts.minWorkPerThread ?? 5e7;
    if (m) {
      this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
      this.syrkFn = new WebAssembly.Instance(m, { env: { mem: this.memory } }).exports.syrk as (...a: number[]) => void;
    }
  }

  /** A zeroed region of `length` doubles (16-byte aligned). */
  alloc(length: number): Region {
    if (!this.memory) {
      const arr = new Float64Array(length);
      return { offset: 0, length, view: () => arr, engine: this };
    }
    const offset = (this.top + 15) & ~15;
    const end = offset + length * 8;
    if (end > MAX_PAGES * 65536) throw new RangeError(`GramEngine: ${(end / 2 ** 30).toFixed(2)} GiB exceeds the 2 GiB of the SIMD kernel's memory`);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / 65536));
    this.top = end;
    const mem = this.memory;
    return { offset, length, view: () => new Float64Array(mem.buffer, offset, length), engine: this };
  }

  /** Bytes of the shared memory (0 for the JS engine). */
  get bytes(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }

  /**
   * C[i·ldc + j] += Σ_{k<q} Z[i·zs + k]·Z[j·zs + k] for j ≤ i < m (lower triangle).
   * Z needs `zs` ≥ q, zs % 4 = 0 and zero padding from q up to a multiple of 4, and rows up to
   * a multiple of 4 (zero rows; allocate ⌈m/4⌉·4 rows); C needs ldc ≥ ⌈m/4⌉·4.
   * `onChunk(done, total)` after each reduction chunk of the calling thread.
   */
  async syrk(Z: Region, m: number, q: number, zs: number, C: Region, ldc: number, onChunk?: (done: number, total: number) => void): Promise<void> {
    this.own(Z, C);
    if (!this.memory || !this.syrkFn) {
      syrkLower(Z.view(), m, q, zs, C.view(), ldc);
      onChunk?.(1, 1);
      return;
    }
    const mp = Math.ceil(m / 4) * 4, qp = Math.ceil(q / 4) * 4;
    if (zs % 4 !== 0 || zs < qp || Z.length < mp * zs || ldc < mp || C.length < mp * ldc) throw new RangeError(`GramEngine.syrk: padding (m ${m}, q ${q}, zs ${zs}, ldc ${ldc}, Z ${Z.length}, C ${C.length})`);
    // Tiles of C, each owned by one thread (round-robin over work-sorted tiles).
    const tiles: [number, number, number, number][] = [];
    for (let i0 = 0; i0 < mp; i0 += TILE) for (let j0 = 0; j0 <= i0; j0 += TILE) tiles.push([i0, Math.min(mp, i0 + TILE), j0, Math.min(mp, j0 + TILE)]);
    const work = (t: (typeof tiles)[number]) => (t[1] - t[0]) * (t[3] - t[2]) * (t[0] === t[2] ? 0.5 : 1);
    tiles.sort((a, b) => work(b) - work(a));
    const nThreads = Math.min(this.threads, tiles.length, Math.max(1, Math.floor((mp * mp * qp) / 2 / Math.max(1, this.minWork))));
    await this.ensureWorkers(nThreads - 1);
    const load = new Array<number>(nThreads).fill(0);
    const owned: (typeof tiles)[] = Array.from({ length: nThreads }, () => []);
    for (const t of tiles) {
      let best = 0;
      for (let w = 1; w < nThreads; w++) if (load[w] < load[best]) best = w;
      owned[best].push(t);
      load[best] += work(t);
    }
    const tasksOf = (ts: typeof tiles) => {
      const out: number[] = [];
      for (let k0 = 0; k0 < qp; k0 += KC) {
        const k1 = Math.min(qp, k0 + KC);
        for (const [i0, i1, j0, j1] of ts) out.push(Z.offset, zs, i0, i1, j0, j1, k0, k1, C.offset, ldc);
      }
      return Int32Array.from(out);
    };
    const done = owned.slice(1).map((ts, w) => this.run(this.workers[w], tasksOf(ts)));
    // The calling thread's share, chunk by chunk (progress after each).
    const mine = owned[0];
    const chunks = Math.ceil(qp / KC);
    for (let c = 0; c < chunks; c++) {
      const k0 = c * KC, k1 = Math.min(qp, k0 + KC);
      for (const [i0, i1, j0, j1] of mine) this.syrkFn(Z.offset, zs, i0, i1, j0, j1, k0, k1, C.offset, ldc);
      onChunk?.(c + 1, chunks);
    }
    await Promise.all(done);
  }

  /** `syrk` on the calling thread only (SIMD if available). Same layout rules. */
  syrkSync(Z: Region, m: number, q: number, zs: number, C: Region, ldc: number): void {
    this.own(Z, C);
    if (!this.syrkFn) {
      syrkLower(Z.view(), m, q, zs, C.view(), ldc);
      return;
    }
    const mp = Math.ceil(m / 4) * 4, qp = Math.ceil(q / 4) * 4;
    if (zs % 4 !== 0 || zs < qp || Z.length < mp * zs || ldc < mp || C.length < mp * ldc) throw new RangeError(`GramEngine.syrkSync: padding (m ${m}, q ${q}, zs ${zs}, ldc ${ldc}, Z ${Z.length}, C ${C.length})`);
    for (let k0 = 0; k0 < qp; k0 += KC) {
      const k1 = Math.min(qp, k0 + KC);
      for (let i0 = 0; i0 < mp; i0 += TILE) for (let j0 = 0; j0 <= i0; j0 += TILE) this.syrkFn(Z.offset, zs, i0, Math.min(mp, i0 + TILE), j0, Math.min(mp, j0 + TILE), k0, k1, C.offset, ldc);
    }
  }

  private own(...regions: Region[]): void {
    for (const r of regions) if (r.engine !== this) throw new RangeError('GramEngine: a region of another engine (allocate Z and C from the engine that multiplies them)');
  }

  private async ensureWorkers(count: number): Promise<void> {
    while (this.workers.length < count) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      w.postMessage({ init: true, module: wasmModule(), memory: this.memory });
      this.workers.push(w);
    }
  }

  private run(w: Worker, tasks: Int32Array): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMsg = (m: unknown) => {
        if (m !== id) return;
        w.off('message', onMsg);
        w.off('error', onErr);
        w.unref();
        resolve();
      };
      const onErr = (e: Error) => {
        w.off('message', onMsg);
        w.unref();
        reject(e);
      };
      w.ref(); // keep the process alive while this worker has work (idle workers never do)
      w.on('message', onMsg);
      w.once('error', onErr);
      w.postMessage({ id, tasks }, [tasks.buffer as ArrayBuffer]);
    });
  }

  /** Ends the worker threads. */
  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}
