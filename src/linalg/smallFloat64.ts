/**
 * Zeroed Float64Arrays for the small matrices and vectors of the closed forms (d ≤ a few dozen).
 *
 * V8 keeps a typed array's storage on its own heap only up to 64 bytes; anything larger (a 3 × 3
 * matrix is 72) gets its own off-heap ArrayBuffer: a malloc, external-memory accounting and a
 * finalizer per array. The closed forms allocate millions of them per `verify` (a CPU profile had
 * `zeros` and the garbage collector at a quarter of the run). Views into a shared slab cost a fifth
 * of that. A slab is never reused: each view gets fresh, zeroed bytes, and a slab is freed once no
 * view into it is alive (a long-lived view keeps at most SLAB_BYTES alive).
 *
 * The price: `a.buffer` is the slab and `a.byteOffset` is not 0 — code that hands `a.buffer` to
 * something else (postMessage transfer, WebAssembly memory) must use its own `new Float64Array(n)`.
 */
const SLAB_BYTES = 16384;
/** Arrays above this many doubles get their own buffer (a slab would waste too much). */
const LARGEST_SLABBED = 64;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/** A zeroed Float64Array of length n (slab-backed when small). */
export function smallFloat64(n: number): Float64Array {
  if (!(n >= 0 && n <= LARGEST_SLABBED && Number.isInteger(n))) return new Float64Array(n);
  const bytes = n * 8;
  if (used + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const a = new Float64Array(slab, used, n);
  used += bytes;
  return a;
}

/** A copy of `src` (slab-backed when small). */
export function copyFloat64(src: ArrayLike<number>): Float64Array {
  const a = smallFloat64(src.length);
  if (src instanceof Float64Array) a.set(src);
  else for (let i = 0; i < src.length; i++) a[i] = src[i];
  return a;
}
