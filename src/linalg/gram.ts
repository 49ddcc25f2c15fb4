/**
 * Symmetric rank-q products C += Z Zᵀ (lower triangle), the kernel of the bias
 * calculator's Gram matrix (n samples: Z = X_c, n × d) and covariance accumulation
 * (Z = a block of centered rows, transposed: d × b). Plain-JS version; the
 * WebAssembly SIMD and threaded version is in gramSimd.ts.
 */

/** Reduction chunk (doubles): two 128-row panels of 256 doubles fit in L2. */
const KC = 256;
const MB = 64;

/**
 * C[i·ldc + j] += Σ_{k<q} Z[i·zs + k]·Z[j·zs + k] for 0 ≤ j ≤ i < m. Cache-blocked:
 * the reduction runs in chunks of KC so both row panels stay in cache, with a 2 × 2
 * register block (4 dot products per pass over a chunk).
 */
export function syrkLower(Z: Float64Array, m: number, q: number, zs: number, C: Float64Array, ldc: number, zOffset = 0): void {
  for (let k0 = 0; k0 < q; k0 += KC) {
    const k1 = Math.min(q, k0 + KC);
    for (let ib = 0; ib < m; ib += MB) {
      const ie = Math.min(m, ib + MB);
      for (let jb = 0; jb <= ib; jb += MB) {
        const je = Math.min(m, jb + MB);
        syrkTile(Z, zOffset, zs, C, ldc, ib, ie, jb, je, k0, k1);
      }
    }
  }
}

function syrkTile(Z: Float64Array, z0: number, zs: number, C: Float64Array, ldc: number, ib: number, ie: number, jb: number, je: number, k0: number, k1: number): void {
  let i = ib;
  for (; i + 1 < ie; i += 2) {
    const a0 = z0 + i * zs, a1 = a0 + zs;
    const jEnd = Math.min(je, i + 2);
    let j = jb;
    for (; j + 1 < jEnd; j += 2) {
      const b0 = z0 + j * zs, b1 = b0 + zs;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let k = k0; k < k1; k++) {
        const x0 = Z[a0 + k], x1 = Z[a1 + k], y0 = Z[b0 + k], y1 = Z[b1 + k];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      C[i * ldc + j] += s00;
      if (j + 1 <= i) C[i * ldc + j + 1] += s01;
      C[(i + 1) * ldc + j] += s10;
      C[(i + 1) * ldc + j + 1] += s11;
    }
    for (; j < jEnd; j++) {
      const b0 = z0 + j * zs;
      let s0 = 0, s1 = 0;
      for (let k = k0; k < k1; k++) {
        const y = Z[b0 + k];
        s0 += Z[a0 + k] * y;
        s1 += Z[a1 + k] * y;
      }
      if (j <= i) C[i * ldc + j] += s0;
      C[(i + 1) * ldc + j] += s1;
    }
  }
  for (; i < ie; i++) {
    const a0 = z0 + i * zs;
    const jEnd = Math.min(je, i + 1);
    for (let j = jb; j < jEnd; j++) {
      const b0 = z0 + j * zs;
      let s = 0;
      for (let k = k0; k < k1; k++) s += Z[a0 + k] * Z[b0 + k];
      C[i * ldc + j] += s;
    }
  }
}

/** Copies the lower triangle to the upper. */
export function symmetrizeFromLower(C: Float64Array, m: number, ldc = m): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) C[j * ldc + i] = C[i * ldc + j];
}
