import seedrandom from 'seedrandom';

/**
 * A seeded, replayable generator. All randomness in scorecheck flows through
 * one of these; `seed` is printed with every failure so a run can be replayed.
 */
export interface Rng {
  readonly seed: string;
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Fills `out` with iid N(0, 1) draws and returns it. */
  fillNormal(out: Float64Array): Float64Array;
  /** An independent child stream, deterministic in (seed, label). */
  fork(label: string | number): Rng;
}

/**
 * Creates a generator from a seed. Uses seedrandom's `alea` (fast, 2^116 period);
 * normals by the Marsaglia polar method (exact, no tables), both values used.
 */
export function createRng(seed: string | number): Rng {
  const seedStr = String(seed);
  const u = seedrandom.alea(seedStr);
  let spare = 0;
  let hasSpare = false;
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    let x: number, y: number, r: number;
    do {
      x = 2 * u() - 1;
      y = 2 * u() - 1;
      r = x * x + y * y;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    spare = y * f;
    hasSpare = true;
    return x * f;
  };
  return {
    seed: seedStr,
    uniform: () => u(),
    normal,
    fillNormal(out: Float64Array): Float64Array {
      const n = out.length;
      let i = 0;
      if (hasSpare && n > 0) {
        out[i++] = spare;
        hasSpare = false;
      }
      while (i + 1 < n) {
        let x: number, y: number, r: number;
        do {
          x = 2 * u() - 1;
          y = 2 * u() - 1;
          r = x * x + y * y;
        } while (r >= 1 || r === 0);
        const f = Math.sqrt((-2 * Math.log(r)) / r);
        out[i++] = x * f;
        out[i++] = y * f;
      }
      if (i < n) out[i] = normal();
      return out;
    },
    fork: (label) => createRng(`${seedStr}/${label}`),
  };
}
