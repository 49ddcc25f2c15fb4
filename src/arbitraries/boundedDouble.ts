import fc from 'fast-check';

/** A finite double in [min, max] that shrinks towards `target` (default: 0 clamped into range). */
export function boundedDouble(min: number, max: number): fc.Arbitrary<number> {
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** A double in [min, max] rounded to `digits` decimals: readable counterexamples. */
export function simpleDouble(min: number, max: number, digits = 3): fc.Arbitrary<number> {
  const k = 10 ** digits;
  return fc.integer({ min: Math.ceil(min * k), max: Math.floor(max * k) }).map((i) => i / k);
}
