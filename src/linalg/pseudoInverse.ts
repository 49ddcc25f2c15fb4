import { pinv as mathjsPinv } from 'mathjs';
import { type Matrix, fromRows, toRows } from './matrix.ts';

/** Moore–Penrose pseudo-inverse H† (mathjs; small dense matrices only). */
export function pseudoInverse(h: Matrix): Matrix {
  if (h.rows === 0 || h.cols === 0) return { rows: h.cols, cols: h.rows, data: new Float64Array(0) };
  const p = mathjsPinv(toRows(h)) as number[][];
  return fromRows(p);
}
