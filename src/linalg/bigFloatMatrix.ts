import { DimensionMismatchError } from '../errors.ts';
import { BigFloat } from './bigFloat.ts';
import type { Matrix } from './matrix.ts';

/**
 * Dense row-major matrices of BigFloat at a fixed precision: the handful of operations the extended-precision
 * closed forms need (product, sum, transpose, inverse, trace). Every entry of a result is rounded to `bits`.
 */
export class BigFloatMatrix {
  constructor(readonly rows: number, readonly cols: number, readonly data: readonly BigFloat[], readonly bits: number) {}

  /** A float64 matrix, entries exactly. */
  static fromMatrix(A: Matrix, bits: number): BigFloatMatrix {
    return new BigFloatMatrix(A.rows, A.cols, Array.from(A.data, (v) => BigFloat.fromNumber(v)), bits);
  }

  static identity(n: number, bits: number, value: BigFloat = BigFloat.fromBigInt(1n)): BigFloatMatrix {
    return new BigFloatMatrix(n, n, Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? value : BigFloat.ZERO)), bits);
  }

  static zeros(rows: number, cols: number, bits: number): BigFloatMatrix {
    return new BigFloatMatrix(rows, cols, new Array<BigFloat>(rows * cols).fill(BigFloat.ZERO), bits);
  }

  at(i: number, j: number): BigFloat {
    return this.data[i * this.cols + j];
  }

  transpose(): BigFloatMatrix {
    const out: BigFloat[] = [];
    for (let j = 0; j < this.cols; j++) for (let i = 0; i < this.rows; i++) out.push(this.at(i, j));
    return new BigFloatMatrix(this.cols, this.rows, out, this.bits);
  }

  mul(B: BigFloatMatrix): BigFloatMatrix {
    if (this.cols !== B.rows) throw new DimensionMismatchError('B', `${this.cols}×n`, `${B.rows}x${B.cols}`);
    const out: BigFloat[] = [];
    for (let i = 0; i < this.rows; i++) for (let j = 0; j < B.cols; j++) {
      let s = BigFloat.ZERO;
      for (let l = 0; l < this.cols; l++) s = s.add(this.at(i, l).mul(B.at(l, j), this.bits), this.bits);
      out.push(s);
    }
    return new BigFloatMatrix(this.rows, B.cols, out, this.bits);
  }

  add(B: BigFloatMatrix): BigFloatMatrix {
    if (this.rows !== B.rows || this.cols !== B.cols) throw new DimensionMismatchError('B', `${this.rows}x${this.cols}`, `${B.rows}x${B.cols}`);
    return new BigFloatMatrix(this.rows, this.cols, this.data.map((v, i) => v.add(B.data[i], this.bits)), this.bits);
  }

  scale(c: BigFloat): BigFloatMatrix {
    return new BigFloatMatrix(this.rows, this.cols, this.data.map((v) => v.mul(c, this.bits)), this.bits);
  }

  trace(): BigFloat {
    let s = BigFloat.ZERO;
    for (let i = 0; i < Math.min(this.rows, this.cols); i++) s = s.add(this.at(i, i), this.bits);
    return s;
  }

  /** A⁻¹ by Gauss–Jordan with partial pivoting; a zero pivot (singular at this precision) is a RangeError naming `field`. */
  inverse(field = 'matrix'): BigFloatMatrix {
    const n = this.rows;
    if (this.cols !== n) throw new DimensionMismatchError(field, 'square', `${this.rows}x${this.cols}`);
    const bits = this.bits;
    const a = Array.from({ length: n }, (_, i) => this.data.slice(i * n, i * n + n));
    const inv = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? BigFloat.fromBigInt(1n) : BigFloat.ZERO)));
    for (let c = 0; c < n; c++) {
      let p = c;
      for (let r = c + 1; r < n; r++) if (a[r][c].magnitude() > a[p][c].magnitude()) p = r;
      if (a[p][c].sign() === 0) throw new RangeError(`${field} is singular`);
      [a[c], a[p]] = [a[p], a[c]];
      [inv[c], inv[p]] = [inv[p], inv[c]];
      const piv = a[c][c];
      a[c] = a[c].map((v) => v.div(piv, bits));
      inv[c] = inv[c].map((v) => v.div(piv, bits));
      for (let r = 0; r < n; r++) {
        if (r === c || a[r][c].sign() === 0) continue;
        const f = a[r][c];
        a[r] = a[r].map((v, j) => v.sub(f.mul(a[c][j], bits), bits));
        inv[r] = inv[r].map((v, j) => v.sub(f.mul(inv[c][j], bits), bits));
      }
    }
    return new BigFloatMatrix(n, n, inv.flat(), bits);
  }
}
