import { InvalidArgumentError } from '../errors.ts';

/**
 * Binary floating point of arbitrary precision on BigInt: the value m·2^e, |m| < 2^bits after every
 * operation (round to nearest). For the few computations float64 cannot resolve (a difference of two
 * nearly equal closed forms); small matrices only — every operation allocates. No dependency: the
 * package ships it (mathjs is a development dependency).
 *
 * A float64 converts exactly (`fromNumber`); each operation then rounds to `bits` significant bits,
 * so a chain of n operations errs by about n·2^(1−bits) relative per operation's result.
 */
export class BigFloat {
  private constructor(readonly m: bigint, readonly e: number) {}

  static readonly ZERO = new BigFloat(0n, 0);

  /** The float64 x exactly (x finite). */
  static fromNumber(x: number): BigFloat {
    if (!Number.isFinite(x)) throw new InvalidArgumentError('x', x, 'must be finite');
    if (x === 0) return BigFloat.ZERO;
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    const hi = view.getUint32(0), lo = view.getUint32(4);
    const biased = (hi >>> 20) & 0x7ff;
    let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
    if (biased !== 0) m |= 1n << 52n; // normal: the implicit leading bit
    const e = (biased === 0 ? 1 : biased) - 1075;
    return new BigFloat(hi >>> 31 ? -m : m, e);
  }

  static fromBigInt(n: bigint): BigFloat {
    return new BigFloat(n, 0);
  }

  /** m·2^e rounded to `bits` significant bits (round half away from zero). */
  static of(m: bigint, e: number, bits: number): BigFloat {
    if (m === 0n) return BigFloat.ZERO;
    const excess = bitLength(m) - bits;
    if (excess <= 0) return new BigFloat(m, e);
    const neg = m < 0n;
    const mag = neg ? -m : m;
    const shift = BigInt(excess);
    let r = mag >> shift;
    if ((mag >> (shift - 1n)) & 1n) r += 1n;
    return new BigFloat(neg ? -r : r, e + excess);
  }

  sign(): -1 | 0 | 1 {
    return this.m === 0n ? 0 : this.m < 0n ? -1 : 1;
  }

  neg(): BigFloat {
    return new BigFloat(-this.m, this.e);
  }

  /** log₂|x| rounded down (−Infinity for 0): the magnitude, for pivoting and cut-offs. */
  magnitude(): number {
    return this.m === 0n ? -Infinity : bitLength(this.m) - 1 + this.e;
  }

  add(y: BigFloat, bits: number): BigFloat {
    if (this.m === 0n) return BigFloat.of(y.m, y.e, bits);
    if (y.m === 0n) return BigFloat.of(this.m, this.e, bits);
    // a summand more than bits + 2 binary orders below the other cannot change the rounded sum's leading bits
    // beyond the last one; keep it as a sticky 1 at that position so rounding stays correct to 1 ulp
    const [hi, lo] = this.magnitude() >= y.magnitude() ? [this, y] : [y, this];
    const gap = hi.magnitude() - lo.magnitude();
    if (gap > bits + 2) {
      const e = hi.magnitude() - bits - 4;
      const mh = hi.m << BigInt(hi.e - e);
      return BigFloat.of(mh + (lo.m < 0n ? -1n : 1n), e, bits);
    }
    const e = Math.min(hi.e, lo.e);
    return BigFloat.of((hi.m << BigInt(hi.e - e)) + (lo.m << BigInt(lo.e - e)), e, bits);
  }

  sub(y: BigFloat, bits: number): BigFloat {
    return this.add(y.neg(), bits);
  }

  mul(y: BigFloat, bits: number): BigFloat {
    return BigFloat.of(this.m * y.m, this.e + y.e, bits);
  }

  div(y: BigFloat, bits: number): BigFloat {
    if (y.m === 0n) throw new RangeError('BigFloat: division by zero');
    if (this.m === 0n) return BigFloat.ZERO;
    const shift = bits + 2 + Math.max(0, bitLength(y.m) - bitLength(this.m));
    return BigFloat.of((this.m << BigInt(shift)) / y.m, this.e - y.e - shift, bits);
  }

  /** Scaled by 2^k exactly. */
  scale2(k: number): BigFloat {
    return this.m === 0n ? this : new BigFloat(this.m, this.e + k);
  }

  /** The nearest float64 (to within one ulp; ±Infinity or 0 outside its range). */
  toNumber(): number {
    if (this.m === 0n) return 0;
    const excess = bitLength(this.m) - 64;
    const m = excess > 0 ? this.m >> BigInt(excess) : this.m;
    const e = this.e + Math.max(0, excess);
    // split 2^e so that neither factor overflows before the product is formed
    const h = Math.trunc(e / 2);
    return Number(m) * 2 ** h * 2 ** (e - h);
  }
}

function bitLength(n: bigint): number {
  return (n < 0n ? -n : n).toString(2).length;
}
