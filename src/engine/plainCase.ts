import type { Property } from './property.ts';

/**
 * Plain-JSON view of a generated case, for reports and saved counterexamples:
 * the claim's own `describeCase` if it has one, else a generic conversion —
 * Float64Array → number[], Matrix {rows, cols, data} → nested rows, a Gaussian
 * (a class instance with `mean` and a Matrix `cov`) → { mean, cov }, a schedule
 * (anything with `name`, `T` and `level()`) → its name; functions are dropped.
 * Non-finite numbers become strings ("NaN", "Infinity") so the JSON stays valid.
 */
export function plainCase(property: Pick<Property, 'describeCase'>, c: unknown): unknown {
  if (property.describeCase) return toPlain(property.describeCase(c), 0);
  return toPlain(c, 0);
}

const MAX_DEPTH = 8;

export function toPlain(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'function' || typeof v === 'symbol') return undefined;
  if (depth > MAX_DEPTH) return '…';
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => toPlain(x, depth + 1));
  if (Array.isArray(v)) return v.map((x) => toPlain(x, depth + 1));
  if (isMatrix(v)) return matrixRows(v).map((row) => row.map((x) => toPlain(x, depth + 1)));
  const o = v as Record<string, unknown>;
  const isInstance = Object.getPrototypeOf(o) !== Object.prototype && Object.getPrototypeOf(o) !== null;
  if (isInstance && 'mean' in o && isMatrix(o.cov)) return { mean: toPlain(o.mean, depth + 1), cov: toPlain(o.cov, depth + 1) };
  if (typeof o.name === 'string' && typeof o.T === 'number' && typeof o.level === 'function') return { schedule: o.name };
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) {
    const p = toPlain(x, depth + 1);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

export function isMatrix(v: unknown): v is { rows: number; cols: number; data: ArrayLike<number> } {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as { rows?: unknown; cols?: unknown; data?: unknown };
  return typeof m.rows === 'number' && typeof m.cols === 'number' && ArrayBuffer.isView(m.data) && (m.data as unknown as ArrayLike<number>).length === m.rows * m.cols;
}

function matrixRows(m: { rows: number; cols: number; data: ArrayLike<number> }): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) {
    const row: number[] = [];
    for (let j = 0; j < m.cols; j++) row.push(m.data[i * m.cols + j]);
    out.push(row);
  }
  return out;
}
