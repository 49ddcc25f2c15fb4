import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../mc/rng.ts';
import { syrkLower } from './gram.ts';
import { GramEngine, gramSimdAvailable } from './gramSimd.ts';

const engines = [new GramEngine({ threads: 1 }), new GramEngine({ threads: 2, minWorkPerThread: 0 })];
afterAll(async () => {
  for (const e of engines) await e.close();
});

/** Z Zᵀ by plain dot products (lower triangle). */
function reference(Z: Float64Array, m: number, q: number, zs: number): Float64Array {
  const C = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) {
    let s = 0;
    for (let k = 0; k < q; k++) s += Z[i * zs + k] * Z[j * zs + k];
    C[i * m + j] = s;
  }
  return C;
}

describe('Gram kernels: C += Z Zᵀ (lower triangle)', () => {
  it('the WebAssembly SIMD kernel loads on this Node', () => {
    expect(gramSimdAvailable()).toBe(true);
  });

  for (const [m, q] of [[1, 1], [3, 5], [4, 4], [9, 13], [130, 70], [257, 600], [300, 1030]] as const) {
    it(`m = ${m}, q = ${q}: JS and SIMD (1 and 2 threads) equal plain dot products`, async () => {
      const zs = Math.ceil(q / 4) * 4, mp = Math.ceil(m / 4) * 4;
      const rng = createRng(m * 1000 + q);
      const Zdata = new Float64Array(mp * zs);
      for (let i = 0; i < m; i++) for (let k = 0; k < q; k++) Zdata[i * zs + k] = rng.uniform() * 2 - 1;
      const want = reference(Zdata, m, q, zs);
      const scale = q; // |entries| ≤ q
      const js = new Float64Array(m * m);
      syrkLower(Zdata, m, q, zs, js, m);
      let worst = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) worst = Math.max(worst, Math.abs(js[i * m + j] - want[i * m + j]));
      expect(worst).toBeLessThan(1e-14 * scale);
      for (const engine of engines) {
        const Z = engine.alloc(mp * zs);
        Z.view().set(Zdata);
        const C = engine.alloc(mp * mp);
        C.view().fill(1); // accumulates: C = 1 + ZZᵀ
        await engine.syrk(Z, m, q, zs, C, mp);
        const c = C.view();
        let err = 0;
        for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) err = Math.max(err, Math.abs(c[i * mp + j] - 1 - want[i * m + j]));
        expect(err, `${engine.threads} thread(s)`).toBeLessThan(1e-14 * scale);
      }
    });
  }

  it('negative control: an off-by-one reduction length is caught by the same comparison', async () => {
    const m = 8, q = 12, zs = 12;
    const rng = createRng(4);
    const Zdata = new Float64Array(m * zs).map(() => rng.uniform());
    const want = reference(Zdata, m, q, zs);
    const engine = engines[0];
    const Z = engine.alloc(m * zs);
    Z.view().set(Zdata);
    const C = engine.alloc(m * m);
    await engine.syrk(Z, m, q - 4, zs, C, m); // drops the last 4 columns
    const c = C.view();
    let worst = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) worst = Math.max(worst, Math.abs(c[i * m + j] - want[i * m + j]));
    expect(worst).toBeGreaterThan(1e-3);
  });
});
