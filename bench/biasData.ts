import { closeSync, openSync, writeSync } from 'node:fs';
import { createRng } from '../src/mc/rng.ts';

/**
 * Seeded synthetic samples for the bias benchmarks, latent-like: x = D z + U y + m with a
 * decaying diagonal D_jj = 1/√(1 + j/64), a shared rank-8 part U (entries N(0, 1/8)) and a
 * mean m_j = 0.01·j, z ~ N(0, I_d), y ~ N(0, I_8). Rows are produced one block at a time.
 */
export function* syntheticRows(n: number, d: number, seed: number, blockRows = 64): Generator<{ rows: Float64Array; count: number }> {
  const rng = createRng(`bias-bench-${seed}`);
  const U = rng.fillNormal(new Float64Array(8 * d));
  for (let i = 0; i < U.length; i++) U[i] *= Math.sqrt(1 / 8);
  const D = Float64Array.from({ length: d }, (_, j) => 1 / Math.sqrt(1 + j / 64));
  const z = new Float64Array(blockRows * d), y = new Float64Array(8);
  const out = new Float64Array(blockRows * d);
  for (let r = 0; r < n; r += blockRows) {
    const count = Math.min(blockRows, n - r);
    rng.fillNormal(z);
    for (let i = 0; i < count; i++) {
      rng.fillNormal(y);
      const o = i * d;
      for (let j = 0; j < d; j++) {
        let v = D[j] * z[o + j] + 0.01 * j;
        for (let l = 0; l < 8; l++) v += U[l * d + j] * y[l];
        out[o + j] = v;
      }
    }
    yield { rows: out, count };
  }
}

/** Writes the samples as a NumPy .npy (format 1.0, '<f4' or '<f8', C order), streamed. */
export function writeSyntheticNpy(path: string, n: number, d: number, seed: number, dtype: 'float32' | 'float64' = 'float32'): void {
  const descr = dtype === 'float32' ? '<f4' : '<f8';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${n}, ${d}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += `${' '.repeat(pad % 64)}\n`;
  const pre = Buffer.alloc(10);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  pre.writeUInt16LE(header.length, 8);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, pre);
    writeSync(fd, Buffer.from(header, 'latin1'));
    for (const { rows, count } of syntheticRows(n, d, seed)) {
      const m = count * d;
      const arr = dtype === 'float32' ? Float32Array.from(rows.subarray(0, m)) : rows.slice(0, m);
      writeSync(fd, new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    }
  } finally {
    closeSync(fd);
  }
}

/** Writes the samples as CSV (17 significant digits), streamed. */
export function writeSyntheticCsv(path: string, n: number, d: number, seed: number): void {
  const fd = openSync(path, 'w');
  try {
    for (const { rows, count } of syntheticRows(n, d, seed)) {
      const lines: string[] = [];
      for (let i = 0; i < count; i++) {
        const cells = new Array<string>(d);
        for (let j = 0; j < d; j++) cells[j] = String(rows[i * d + j]);
        lines.push(cells.join(','));
      }
      writeSync(fd, `${lines.join('\n')}\n`);
    }
  } finally {
    closeSync(fd);
  }
}
