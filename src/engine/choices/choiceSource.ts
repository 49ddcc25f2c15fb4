import { createRng, type Rng } from '../../mc/rng.ts';

/** A recorded value is a JS number (ranges below 2^53) or a bigint (fast-check's double index, 64-bit ranges). */
export type ChoiceValue = number | bigint;

/** One choice a generator made: the value drawn and the range it was drawn from. */
export interface Choice {
  readonly value: ChoiceValue;
  readonly min: ChoiceValue;
  readonly max: ChoiceValue;
}

/**
 * How a choice beyond the replayed prefix is made:
 * - `random`: uniform in [min, max] from a seeded generator (the random phase);
 * - `simplest`: the value nearest 0 in [min, max] — what every shrink moves towards
 *   (fast-check's own shrink target for integers and doubles);
 * - a corner: every choice at its `min`, `min+1`, `max−1`, `max` or the middle of its range;
 * - `corner-mix`: each choice independently at a corner or uniform (corner-biased random).
 */
export type FreshRule =
  | { readonly kind: 'random'; readonly seed: string }
  | { readonly kind: 'simplest' }
  | { readonly kind: 'corner'; readonly corner: Corner }
  | { readonly kind: 'corner-mix'; readonly seed: string };

export type Corner = 'min' | 'min+1' | 'max-1' | 'max' | 'mid';
export const CORNERS: readonly Corner[] = ['min', 'max', 'min+1', 'max-1', 'mid'];

/**
 * A deterministic rule that keeps answering the same corner can trap a generator that
 * filters (`fc.filter` re-draws until it accepts): after this many fresh choices the
 * source continues with seeded uniform draws, so generation always terminates.
 */
export const DETERMINISTIC_FRESH_LIMIT = 4096;
/**
 * The same for `simplest` (replay and shrinking): beyond the replayed prefix a case needs few
 * fresh choices (those a shrink step deleted), so a long run of them is a filter's retry loop.
 */
export const SIMPLEST_FRESH_LIMIT = 256;

/**
 * The source of every choice a fast-check arbitrary makes while generating one case
 * (Hypothesis' choice sequence): replays `prefix` (each value clamped into the range
 * asked for), then answers by `fresh`, and records every choice with its range. The
 * recorded values replayed as a prefix rebuild the same case exactly; changing one of
 * them is a local move in the case's own parameterization.
 */
export class ChoiceSource {
  readonly record: Choice[] = [];
  private pos = 0;
  private freshCount = 0;
  private rng: Rng | undefined;

  constructor(
    private readonly prefix: readonly ChoiceValue[],
    private readonly fresh: FreshRule,
  ) {}

  int(min: number, max: number): number {
    return Number(this.choose(min, max));
  }

  bigint(min: bigint, max: bigint): bigint {
    return BigInt(this.choose(min, max));
  }

  private choose(min: ChoiceValue, max: ChoiceValue): ChoiceValue {
    const big = typeof min === 'bigint';
    let v: ChoiceValue;
    if (this.pos < this.prefix.length) {
      v = clampChoice(this.prefix[this.pos], min, max);
    } else {
      v = this.freshChoice(min, max);
    }
    if (big && typeof v !== 'bigint') v = BigInt(v);
    if (!big && typeof v === 'bigint') v = Number(v);
    this.pos++;
    this.record.push({ value: v, min, max });
    return v;
  }

  private freshChoice(min: ChoiceValue, max: ChoiceValue): ChoiceValue {
    const f = this.fresh;
    if (f.kind === 'random') return uniformChoice(this.random(f.seed), min, max);
    const limit = f.kind === 'simplest' ? SIMPLEST_FRESH_LIMIT : DETERMINISTIC_FRESH_LIMIT;
    if (++this.freshCount > limit) return uniformChoice(this.random('deterministic-overflow'), min, max);
    if (f.kind === 'simplest') return simplestChoice(min, max);
    if (f.kind === 'corner') return cornerChoice(f.corner, min, max);
    const rng = this.random(f.seed);
    const u = rng.uniform();
    if (u < 0.4) return uniformChoice(rng, min, max);
    return cornerChoice(u < 0.6 ? 'min' : u < 0.7 ? 'min+1' : u < 0.8 ? 'max-1' : 'max', min, max);
  }

  private random(seed: string): Rng {
    this.rng ??= createRng(`choices/${seed}`);
    return this.rng;
  }
}

/** The recorded values, in order: the prefix that rebuilds the case. */
export function valuesOf(record: readonly Choice[]): ChoiceValue[] {
  return record.map((c) => c.value);
}

export function clampChoice(v: ChoiceValue, min: ChoiceValue, max: ChoiceValue): ChoiceValue {
  if (typeof min === 'bigint') {
    const b = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    return b < min ? min : b > (max as bigint) ? max : b;
  }
  const n = Math.trunc(Number(v));
  return n < min ? min : n > (max as number) ? max : n;
}

/** The value of [min, max] nearest 0: fast-check's shrink target for integers and doubles. */
export function simplestChoice(min: ChoiceValue, max: ChoiceValue): ChoiceValue {
  if (typeof min === 'bigint') return min > 0n ? min : (max as bigint) < 0n ? max : 0n;
  return min > 0 ? min : (max as number) < 0 ? max : 0;
}

export function cornerChoice(corner: Corner, min: ChoiceValue, max: ChoiceValue): ChoiceValue {
  if (typeof min === 'bigint') {
    const M = max as bigint;
    switch (corner) {
      case 'min': return min;
      case 'max': return M;
      case 'min+1': return min < M ? min + 1n : M;
      case 'max-1': return M > min ? M - 1n : min;
      case 'mid': return min + (M - min) / 2n;
    }
  }
  const M = max as number;
  switch (corner) {
    case 'min': return min;
    case 'max': return M;
    case 'min+1': return min < M ? min + 1 : M;
    case 'max-1': return M > min ? M - 1 : min;
    case 'mid': return min + Math.floor((M - min) / 2);
  }
}

const TWO32 = 4294967296;

/** Uniform integer in [min, max], exact (rejection sampling on 32-bit words). */
export function uniformChoice(rng: Rng, min: ChoiceValue, max: ChoiceValue): ChoiceValue {
  if (typeof min === 'bigint') {
    const span = (max as bigint) - min + 1n;
    if (span <= 1n) return min;
    const words = Math.ceil(span.toString(2).length / 32);
    const limit = (1n << BigInt(32 * words)) - ((1n << BigInt(32 * words)) % span);
    for (;;) {
      let r = 0n;
      for (let i = 0; i < words; i++) r = (r << 32n) | BigInt(Math.floor(rng.uniform() * TWO32));
      if (r < limit) return min + (r % span);
    }
  }
  const span = (max as number) - min + 1;
  if (span <= 1) return min;
  if (span <= TWO32) {
    const limit = TWO32 - (TWO32 % span);
    for (;;) {
      const r = Math.floor(rng.uniform() * TWO32);
      if (r < limit) return min + (r % span);
    }
  }
  // Up to 2^53: 21 high bits and 32 low bits, rejection on the whole.
  const big = uniformChoice(rng, 0n, BigInt(span) - 1n) as bigint;
  return min + Number(big);
}

/** JSON form of a choice sequence: numbers as numbers, bigints as decimal strings. */
export function encodeChoices(values: readonly ChoiceValue[]): (number | string)[] {
  return values.map((v) => (typeof v === 'bigint' ? v.toString() : v));
}

export function decodeChoices(values: readonly unknown[], field = 'choices'): ChoiceValue[] {
  return values.map((v, i) => {
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
    throw new RangeError(`${field}[${i}]: expected an integer or a decimal string (got ${JSON.stringify(v)})`);
  });
}
