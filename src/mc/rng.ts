import seedrandom from 'seedrandom';

/**
 * A seeded, replayable generator. All randomness in scorecheck flows through
 * one of these; `seed` is printed with every failure so a run can be replayed.
 */
export interface Rng {
  readonly seed: string;
  /** Uniform on [0, 1) (32-bit resolution). */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Fills `out` with iid N(0, 1) draws and returns it. */
  fillNormal(out: Float64Array): Float64Array;
  /** An independent child stream, deterministic in (seed, label). */
  fork(label: string | number): Rng;
}

/**
 * Creates a generator from a seed. The seed string is hashed by seedrandom's
 * `alea` (Mash) into the 128-bit state of xoshiro128** (Blackman & Vigna 2018;
 * 2^128 − 1 period, all-integer so V8 runs it without float↔int round trips).
 * Normals by the Marsaglia–Tsang (2000) 128-layer ziggurat: one 32-bit draw per
 * normal on the fast path (≈ 98.8 %), exact (rejection) elsewhere and in the tail.
 * Measured by `npm run bench` against the previous alea + polar method.
 */
export function createRng(seed: string | number): Rng {
  return new Xoshiro128Ziggurat(String(seed));
}

const TWO_M32 = 2.3283064365386963e-10; // 2^-32
const ZIG_R = 3.442619855899; // start of the tail
const ZIG_V = 9.91256303526217e-3; // area of each layer

/** Ziggurat tables: kn (integer acceptance bounds), wn (scales), fn (densities). */
const KN = new Int32Array(128);
const WN = new Float64Array(128);
const FN = new Float64Array(128);
{
  const m1 = 2147483648.0;
  let dn = ZIG_R, tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  KN[0] = Math.floor((dn / q) * m1);
  KN[1] = 0;
  WN[0] = q / m1;
  WN[127] = dn / m1;
  FN[0] = 1;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = Math.floor((dn / tn) * m1);
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / m1;
  }
}

class Xoshiro128Ziggurat implements Rng {
  readonly seed: string;
  /**
   * State words (a, b, c, d) in an Int32Array: as plain number fields, values
   * beyond V8's 31-bit small integers changed the field representation and
   * deoptimized the hot loop on every call (measured: fillNormal 3–4× slower).
   */
  private readonly st = new Int32Array(4);

  constructor(seed: string) {
    this.seed = seed;
    const mash = seedrandom.alea(seed);
    const st = this.st;
    st[0] = mash.int32();
    st[1] = mash.int32();
    st[2] = mash.int32();
    st[3] = mash.int32();
    if ((st[0] | st[1] | st[2] | st[3]) === 0) st[3] = 1; // the one forbidden state
  }

  /** Next xoshiro128** output as a signed 32-bit integer. */
  private next(): number {
    const st = this.st;
    let a = st[0], c = st[2], d = st[3];
    const b = st[1];
    const r5 = Math.imul(b, 5);
    const out = Math.imul((r5 << 7) | (r5 >>> 25), 9);
    const t = b << 9;
    c ^= a;
    d ^= b;
    st[1] = b ^ c;
    a ^= d;
    c ^= t;
    st[0] = a;
    st[2] = c;
    st[3] = (d << 11) | (d >>> 21);
    return out | 0;
  }

  uniform(): number {
    return (this.next() >>> 0) * TWO_M32;
  }

  normal(): number {
    const hz = this.next();
    const iz = hz & 127;
    const k = KN[iz];
    return hz < k && hz > -k ? hz * WN[iz] : this.normalSlow(hz, iz);
  }

  /** Wedge and tail of the ziggurat (Marsaglia & Tsang 2000, `nfix`). */
  private normalSlow(hz: number, iz: number): number {
    for (;;) {
      const x = hz * WN[iz];
      if (iz === 0) {
        let t: number, y: number;
        do {
          t = -Math.log(1 - this.uniform()) / ZIG_R;
          y = -Math.log(1 - this.uniform());
        } while (y + y < t * t);
        return hz > 0 ? ZIG_R + t : -ZIG_R - t;
      }
      if (FN[iz] + this.uniform() * (FN[iz - 1] - FN[iz]) < Math.exp(-0.5 * x * x)) return x;
      hz = this.next();
      iz = hz & 127;
      if (hz < KN[iz] && hz > -KN[iz]) return hz * WN[iz];
    }
  }

  fillNormal(out: Float64Array): Float64Array {
    const n = out.length;
    // State in locals for the hot loop; written back around the (rare) slow path.
    const st = this.st;
    let a = st[0], b = st[1], c = st[2], d = st[3];
    for (let i = 0; i < n; i++) {
      const r5 = Math.imul(b, 5);
      const hz = Math.imul((r5 << 7) | (r5 >>> 25), 9);
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      const iz = hz & 127;
      const k = KN[iz];
      if (hz < k && hz > -k) {
        out[i] = hz * WN[iz];
      } else {
        st[0] = a; st[1] = b; st[2] = c; st[3] = d;
        out[i] = this.normalSlow(hz, iz);
        a = st[0]; b = st[1]; c = st[2]; d = st[3];
      }
    }
    st[0] = a; st[1] = b; st[2] = c; st[3] = d;
    return out;
  }

  fork(label: string | number): Rng {
    return createRng(`${this.seed}/${label}`);
  }
}

// Type feedback for every site of fillNormal (loop exit and the rare slow path) before
// V8 first optimizes it; otherwise a long first call is compiled on-stack without it and
// deoptimizes at those sites again and again (measured by bench/: 2–4× slower).
// Short calls, so that each finishes in the interpreter (a long one is itself optimized on-stack).
{
  const warm = createRng('scorecheck/warm-up'), buf = new Float64Array(256);
  for (let i = 0; i < 16; i++) warm.fillNormal(buf);
}
