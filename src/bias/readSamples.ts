import { extname } from 'node:path';
import { InvalidArgumentError } from '../errors.ts';
import type { GramEngine } from '../linalg/gramSimd.ts';
import { readCsvRows } from './csv.ts';
import { readNpyRows } from './npy.ts';
import { SampleAccumulator, type SampleMoments } from './samples.ts';

export type SampleFormat = 'csv' | 'npy';

export function sampleFormatOf(path: string, format?: SampleFormat): SampleFormat {
  if (format) return format;
  return extname(path).toLowerCase() === '.npy' ? 'npy' : 'csv';
}

/**
 * Reads a samples file streamed (never the whole text) into the moments the calculator needs
 * (SampleAccumulator: the rows when n ≤ d, else the covariance accumulated block by block).
 * `onProgress(done, total)`: bytes for CSV, rows for .npy.
 */
export function readSamplesFile(
  src: { readonly path: string; readonly format?: SampleFormat; readonly name?: string },
  engine: GramEngine,
  onProgress?: (done: number, total: number) => void,
): { moments: SampleMoments; format: SampleFormat; header?: readonly string[]; shape?: readonly number[] } {
  const file = src.name ?? src.path;
  const format = sampleFormatOf(src.path, src.format);
  let acc: SampleAccumulator | undefined;
  if (format === 'npy') {
    const h = readNpyRows(src.path, file, (hd) => {
      acc = new SampleAccumulator(hd.d, file, { engine });
    }, (block, count) => acc!.push(block, count), onProgress);
    return { moments: acc!.finish(), format, shape: h.shape };
  }
  const r = readCsvRows(src.path, file, (block, count, d) => {
    acc ??= new SampleAccumulator(d, file, { engine });
    acc.push(block, count);
  }, onProgress);
  if (!acc) throw new InvalidArgumentError(file, 'empty', 'no samples');
  return { moments: acc.finish(), format, ...(r.header ? { header: r.header } : {}) };
}
