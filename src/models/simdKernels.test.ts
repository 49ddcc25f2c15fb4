import { describe, expect, test } from 'vitest';
import { createRng } from '../mc/rng.ts';
import { SimdArena, simdAvailable } from './simdKernels.ts';

const run = simdAvailable() ? describe : describe.skip;

run('WebAssembly SIMD kernels', () => {
  test('tanh: within 4 ε of Math.tanh on dense grids (±25 linear, 1e-20…25 logarithmic) and at special values', () => {
    const lin = 400_000, lg = 200_000; // total length even (tanh takes pairs)
    const specials = [0, -0, 5e-324, -5e-324, 1e-300, 1e-8, 0.17, 0.625, 19.06, 20, 21, 700, 1e308, -1e308, Infinity, -Infinity];
    const x = new Float64Array(lin + 2 * lg + specials.length);
    for (let i = 0; i < lin; i++) x[i] = -25 + (50 * i) / (lin - 1);
    for (let i = 0; i < lg; i++) {
      const v = 10 ** (-20 + (21.4 * i) / lg);
      x[lin + 2 * i] = v;
      x[lin + 2 * i + 1] = -v;
    }
    x.set(specials, lin + 2 * lg);
    const a = new SimdArena();
    const p = a.put(x);
    a.tanh(p, x.length);
    const y = a.f64.subarray(p >> 3, (p >> 3) + x.length);
    let worst = 0;
    for (let i = 0; i < y.length; i++) {
      const ref = Math.tanh(x[i]);
      const err = ref === 0 ? Math.abs(y[i]) : Math.abs(y[i] - ref) / Math.abs(ref);
      worst = Math.max(worst, err);
      if (ref === 0) expect(Object.is(y[i], ref), `sign of zero at ${x[i]}`).toBe(true);
    }
    // Measured 6.5e-16 (2.9 ε); Math.tanh (fdlibm) is itself within 1 ulp.
    expect(worst).toBeLessThanOrEqual(4 * Number.EPSILON);
    const q = a.put([Number.NaN, 1]);
    a.tanh(q, 2);
    expect(Number.isNaN(a.f64[q >> 3])).toBe(true);
  });

  test('gemm equals the same sums in the same order (exactly), any q, padded p, row strides, accumulate, fused tanh', () => {
    const rng = createRng('simd/gemm');
    const a = new SimdArena();
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rng.uniform() * 11), q = 1 + Math.floor(rng.uniform() * 13), p = 2 * (1 + Math.floor(rng.uniform() * 11));
      const xs = q + Math.floor(rng.uniform() * 3), os = p + 2 * Math.floor(rng.uniform() * 2);
      const mark = a.mark();
      const x = rng.fillNormal(new Float64Array(n * xs)), wt = rng.fillNormal(new Float64Array(q * p)), b = rng.fillNormal(new Float64Array(p));
      const out0 = rng.fillNormal(new Float64Array(n * os));
      const accumulate = rng.uniform() < 0.5;
      const px = a.put(x), pw = a.put(wt), pb = a.put(b), po = a.put(out0);
      // The fused activation equals the separate tanh kernel on the plain product, bit for bit.
      const pf = a.put(out0);
      a.gemm(px, xs, n, q, pw, p, pb, pf, os, accumulate, true);
      a.gemm(px, xs, n, q, pw, p, pb, po, os, accumulate);
      const got = Float64Array.from(a.f64.subarray(po >> 3, (po >> 3) + n * os)); // a copy: put() may grow the memory
      const sep = a.put(got);
      a.tanh(sep, n * os - (n * os) % 2);
      for (let k = 0; k < n; k++) for (let i = 0; i < p; i++) {
        const idx = k * os + i;
        if (idx < n * os - (n * os) % 2) expect(a.f64[(pf >> 3) + idx]).toBe(a.f64[(sep >> 3) + idx]);
      }
      for (let k = 0; k < n; k++) for (let i = 0; i < os; i++) {
        if (i >= p) { expect(got[k * os + i]).toBe(out0[k * os + i]); continue; }
        let s = accumulate ? out0[k * os + i] : b[i];
        for (let j = 0; j < q; j++) s += x[k * xs + j] * wt[j * p + i];
        expect(got[k * os + i]).toBe(s);
      }
      a.release(mark);
    }
  });

  test('gap kernels frame and pieces equal the JS loops (frame exactly; row sums within the summation bound 2dε·Σ|terms|)', () => {
    const rng = createRng('simd/gap');
    for (const d of [2, 4, 8, 34]) {
      const m = 5, a = new SimdArena();
      const noise = rng.fillNormal(new Float64Array(m * 2 * d)), g = rng.fillNormal(new Float64Array(m * d));
      const r = rng.fillNormal(new Float64Array(d)).map(Math.abs), p = rng.fillNormal(new Float64Array(d)).map((v) => 1 / (1 + v * v));
      const s = 0.3 + rng.uniform();
      const at = { noise: a.put(noise), r: a.put(r), sv: a.put([s, s]), u: a.alloc(m * d), g: a.put(g), p: a.put(p), cv: a.put([1 / s, 1 / s]), A: a.alloc(m), B: a.alloc(m) };
      a.frame(at.noise, at.r, at.sv, m, d, at.u);
      a.pieces(at.noise, at.u, at.g, at.p, at.cv, m, d, at.A, at.B);
      const f = a.f64;
      for (let row = 0; row < m; row++) {
        let A = 0, B = 0, absA = 0, absB = 0;
        for (let i = 0; i < d; i++) {
          const u = r[i] * noise[row * 2 * d + i] + s * noise[row * 2 * d + d + i];
          expect(f[(at.u >> 3) + row * d + i]).toBe(u);
          const es = noise[row * 2 * d + d + i] * (1 / s), sig = -p[i] * u;
          A += es * es - sig * sig;
          absA += Math.abs(es * es - sig * sig);
          B += g[row * d + i] * (es + sig);
          absB += Math.abs(g[row * d + i] * (es + sig));
        }
        expect(Math.abs(f[(at.A >> 3) + row] - A)).toBeLessThanOrEqual(2 * d * Number.EPSILON * absA);
        expect(Math.abs(f[(at.B >> 3) + row] - 2 * B)).toBeLessThanOrEqual(4 * d * Number.EPSILON * absB);
      }
    }
  });
});
