import seedrandom from 'seedrandom';

/**
 * The normal sampler scorecheck used before commit a3c4a24 (seedrandom alea +
 * Marsaglia polar method), kept only so `npm run bench` can measure the
 * replacement against it.
 */
export function legacyPolarFillNormal(seed: string): (out: Float64Array) => Float64Array {
  const u = seedrandom.alea(seed);
  return (out) => {
    const n = out.length;
    let i = 0;
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
    if (i < n) out[i] = 0;
    return out;
  };
}
