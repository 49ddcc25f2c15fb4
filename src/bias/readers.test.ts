import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GramEngine } from '../linalg/gramSimd.ts';
import { CsvRowParser, parseSamplesCsv, readCsvRows } from './csv.ts';
import { parseNpyHeader, readNpyRows } from './npy.ts';
import { readSamplesFile } from './readSamples.ts';
import { SampleAccumulator } from './samples.ts';

const dir = fileURLToPath(new URL('../../fixtures/bias/npy/', import.meta.url));
const f = (name: string) => join(dir, name);

/** Reads a fixture .npy through the streaming reader into one array. */
function readWithHeader(name: string): { shape: readonly number[]; data: Float64Array; dtype: string } {
  const parts: number[] = [];
  let d = 0;
  const h = readNpyRows(f(name), name, (head) => {
    d = head.d;
  }, (block, count) => {
    for (let i = 0; i < count * d; i++) parts.push(block[i]);
  });
  return { shape: h.shape, data: Float64Array.from(parts), dtype: h.dtype };
}

describe('.npy reader (files written by NumPy: fixtures/bias/npy/make_npy.py)', () => {
  for (const [npy, csv, shape, dtype] of [
    ['samples-f64.npy', 'samples-f64.csv', [50, 3], 'float64'],
    ['samples-f32.npy', 'samples-f32.csv', [50, 3], 'float32'],
    ['samples-f16.npy', 'samples-f16.csv', [9, 3], 'float16'],
    ['latents-4d.npy', 'latents-4d.csv', [6, 2, 2, 3], 'float32'],
    ['duplicated-column.npy', 'duplicated-column.csv', [40, 4], 'float64'],
  ] as const) {
    it(`${npy}: shape (${shape.join(', ')}), ${dtype}, every value equal to NumPy's 17-digit CSV`, () => {
      const got = readWithHeader(npy);
      expect(got.shape).toEqual(shape);
      expect(got.dtype).toBe(dtype);
      const want = parseSamplesCsv(readFileSync(f(csv), 'utf8'), csv);
      expect(want.n).toBe(shape[0]);
      expect(Array.from(got.data)).toEqual(Array.from(want.data));
    });
  }

  it('format version 2.0 (4-byte header length)', () => {
    const got = readWithHeader('v2-header.npy');
    expect(got.shape).toEqual([5, 3]);
    const want = parseSamplesCsv(readFileSync(f('samples-f64.csv'), 'utf8'), 'x').data.subarray(0, 15);
    expect(Array.from(got.data)).toEqual(Array.from(want));
  });

  it('unsupported or broken files are NpyErrors naming the file and the header field', () => {
    expect(() => readWithHeader('fortran.npy')).toThrow(/fortran\.npy: fortran_order: True is not supported/);
    expect(() => readWithHeader('big-endian.npy')).toThrow(/big-endian\.npy: descr: ">f8" is not supported/);
    expect(() => readWithHeader('int64.npy')).toThrow(/int64\.npy: descr: "<i8" is not supported/);
    expect(() => readWithHeader('truncated.npy')).toThrow(/truncated\.npy: \(size\): 1318 bytes, but the header .* needs 1328 — the file is truncated/);
    expect(() => readWithHeader('samples-f64.csv')).toThrow(/samples-f64\.csv: \(magic\): not a NumPy \.npy file/);
    expect(() => readWithHeader('missing.npy')).toThrow(/missing\.npy: \(file\): no such file/);
    const bad = (header: string) => {
      const h = new TextEncoder().encode(header);
      const bytes = new Uint8Array(10 + h.length);
      bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 255, h.length >> 8]);
      bytes.set(h, 10);
      return () => parseNpyHeader(bytes, 'x.npy');
    };
    expect(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (), }")).toThrow(/shape: \(\) — a scalar/);
    expect(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 0), }")).toThrow(/dimension 0/);
    expect(bad("{'descr': '<f8', 'fortran_order': False, }")).toThrow(/shape: missing/);
    expect(bad("{'descr': '<c16', 'fortran_order': False, 'shape': (3,), }")).toThrow(/descr: "<c16" is not supported/);
    expect(bad("{'descr': '>f2', 'fortran_order': False, 'shape': (3,), }")).toThrow(/descr: ">f2" is not supported/);
    expect(bad("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }")().d).toBe(1);
  });
});

describe('streamed CSV', () => {
  it('gives the same rows whatever the piece boundaries (split inside lines, numbers and CRLF)', () => {
    const text = '# c\r\nx,y,z\r\n1,2.5,-3e-2\r\n\r\n4,5,6\r\n7,8,.9';
    const whole = parseSamplesCsv(text, 't.csv');
    for (let cut = 1; cut < text.length; cut += 3) {
      const rows: number[] = [];
      const p = new CsvRowParser('t.csv', (block, count, d) => rows.push(...block.subarray(0, count * d)));
      p.feed(text.slice(0, cut));
      p.feed(text.slice(cut));
      p.end();
      expect(rows).toEqual(Array.from(whole.data));
      expect(p.header).toEqual(['x', 'y', 'z']);
    }
  });

  it('a file larger than the 4 MB read piece and the 256-row block: every row, in order', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'scorecheck-csv-'));
    const n = 40000, d = 13;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(Array.from({ length: d }, (_, j) => ((i * 31 + j * 7) % 1000) / 7).join(','));
    writeFileSync(join(tmp, 'big.csv'), `${lines.join('\n')}\n`);
    let seen = 0, bad = 0;
    const r = readCsvRows(join(tmp, 'big.csv'), 'big.csv', (block, count) => {
      for (let c = 0; c < count; c++, seen++) for (let j = 0; j < d; j++) if (block[c * d + j] !== ((seen * 31 + j * 7) % 1000) / 7) bad++;
    });
    expect(r.n).toBe(n);
    expect(seen).toBe(n);
    expect(bad).toBe(0);
  });

  it('errors name the line and column, across piece boundaries', () => {
    const p = new CsvRowParser('e.csv', () => {});
    p.feed('1,2\n3,');
    expect(() => p.feed('x\n')).toThrow('e.csv:2: column 2 is not a number: "x"');
    expect(() => parseSamplesCsv('1,2\n3,4,5\n', 'b.csv')).toThrow('b.csv:2: ragged row: 3 values, but line 1 has 2');
    expect(() => parseSamplesCsv('1,2\n,4\n', 'b.csv')).toThrow('b.csv:2: column 1 is empty');
    expect(() => parseSamplesCsv('1,2\n0x10,4\n', 'b.csv')).toThrow('b.csv:2: column 1 is not a number: "0x10"');
    expect(() => parseSamplesCsv('a,b\n', 'b.csv')).toThrow('no samples');
    // Number() would accept these; the parser must not.
    for (const bad of ['0b11', '0O7', '0X1f', 'Infinity', '-Infinity', '1_0', '-', '.', '+-1']) expect(() => parseSamplesCsv(`1,2\n3,${bad}\n`, 'b.csv'), bad).toThrow(`b.csv:2: column 2 is not a number`);
    expect(() => parseSamplesCsv('1,2\n3,1e400\n', 'b.csv')).toThrow('b.csv:2: column 2 is not finite: 1e400');
    expect(Array.from(parseSamplesCsv('1, 2 ,"3"\n0.,.5,-0e1\n+7,0012,1E-3\n', 'b.csv').data)).toEqual([1, 2, 3, 0, 0.5, -0, 7, 12, 0.001]);
  });
});

describe('sample moments: streamed covariance (n > d) and kept rows (n ≤ d) agree', () => {
  it('the route switches at n = d + 1 and both give the same covariance', () => {
    const engine = new GramEngine({ threads: 1 });
    const { n, d, data } = parseSamplesCsv(readFileSync(f('samples-f64.csv'), 'utf8'), 'x');
    const cov = new SampleAccumulator(d, 'x', { engine });
    for (let i = 0; i < n; i++) cov.push(data, 1, i * d); // one row at a time
    const mc = cov.finish();
    expect(mc.route).toBe('covariance');
    const always = new SampleAccumulator(d, 'x', { engine, maxRows: 0 }); // covariance from the first row on
    always.push(data, n);
    const ma = always.finish();
    if (ma.route !== 'covariance' || mc.route !== 'covariance') throw new Error('expected the covariance route');
    for (let i = 0; i < d * d; i++) expect(Math.abs(ma.cov.data[i] - mc.cov.data[i])).toBeLessThan(1e-13);
    const rows = new SampleAccumulator(d, 'x', { engine, maxRows: n });
    rows.push(data, n);
    const mr = rows.finish();
    expect(mr.route).toBe('gram');
    if (mc.route !== 'covariance' || mr.route !== 'gram') return;
    const X = mr.centered.view();
    for (let a = 0; a < d; a++) {
      expect(mc.mean[a]).toBeCloseTo(mr.mean[a], 13);
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += X[i * mr.stride + a] * X[i * mr.stride + b];
        expect(Math.abs(mc.cov.data[a * d + b] - s / (n - 1))).toBeLessThan(1e-13);
      }
    }
  });

  it('readSamplesFile: .npy and CSV of the same samples give the same moments', () => {
    const engine = new GramEngine({ threads: 1 });
    const a = readSamplesFile({ path: f('latents-4d.npy') }, engine);
    const b = readSamplesFile({ path: f('latents-4d.csv') }, engine);
    expect(a.format).toBe('npy');
    expect(b.format).toBe('csv');
    expect(a.shape).toEqual([6, 2, 2, 3]);
    expect(a.moments.route).toBe('gram');
    expect(Array.from(a.moments.mean)).toEqual(Array.from(b.moments.mean));
  });
});
