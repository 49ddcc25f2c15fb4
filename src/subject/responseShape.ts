import type { RequestRef } from './subjectError.ts';
import { InvalidResponseError } from './subjectError.ts';

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

function field(result: unknown, ref: RequestRef, name: string): unknown {
  if (typeof result !== 'object' || result === null || !(name in result)) {
    throw new InvalidResponseError(ref, `result.${name}`, 'missing (result must be an object with this field)');
  }
  return (result as Record<string, unknown>)[name];
}

function num(v: unknown, ref: RequestRef, path: string): number {
  if (typeof v !== 'number') throw new InvalidResponseError(ref, path, `expected a number, got ${v === null ? 'null' : typeof v}`);
  if (!Number.isFinite(v)) throw new InvalidResponseError(ref, path, `non-finite value ${v}`);
  return v;
}

/** result[name] as B numbers. */
export function readVector(result: unknown, ref: RequestRef, name: string, n: number): Float64Array {
  const v = field(result, ref, name);
  if (!isArrayLike(v)) throw new InvalidResponseError(ref, `result.${name}`, `expected an array of ${n} numbers`);
  if (v.length !== n) throw new InvalidResponseError(ref, `result.${name}`, `wrong shape: expected length ${n}, got ${v.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = num(v[i], ref, `result.${name}[${i}]`);
  return out;
}

/** result[name] as a B × d batch (array of B arrays of d numbers). */
export function readBatch(result: unknown, ref: RequestRef, name: string, B: number, d: number): Float64Array[] {
  const v = field(result, ref, name);
  if (!isArrayLike(v)) throw new InvalidResponseError(ref, `result.${name}`, `expected a ${B}×${d} array of arrays`);
  if (v.length !== B) throw new InvalidResponseError(ref, `result.${name}`, `wrong shape: expected ${B}×${d}, got ${v.length} rows`);
  const rows: Float64Array[] = [];
  for (let i = 0; i < B; i++) {
    const row = v[i];
    if (!isArrayLike(row)) throw new InvalidResponseError(ref, `result.${name}[${i}]`, `expected an array of ${d} numbers`);
    if (row.length !== d) throw new InvalidResponseError(ref, `result.${name}[${i}]`, `wrong shape: expected ${B}×${d}, row ${i} has length ${row.length}`);
    const r = new Float64Array(d);
    for (let j = 0; j < d; j++) r[j] = num(row[j], ref, `result.${name}[${i}][${j}]`);
    rows.push(r);
  }
  return rows;
}
