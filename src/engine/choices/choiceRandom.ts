import fc from 'fast-check';
import { ChoiceSource } from './choiceSource.ts';

const MIN_INT = -2147483648;
const MAX_INT = 2147483647;

/** fast-check's Random needs a source generator for its constructor; every draw is overridden below. */
const UNUSED_GENERATOR = {
  clone() {
    return this;
  },
  next: () => 0,
  jump: () => undefined,
  getState: () => [] as number[],
};

/**
 * fast-check's `Random` answering every draw from a ChoiceSource, so the case an
 * arbitrary builds is a function of the recorded choices (each an integer in a
 * known range). fast-check's arbitraries draw only through `nextInt(min, max)` and
 * `nextBigInt(min, max)` (doubles are an index drawn with nextBigInt).
 */
export class ChoiceRandom extends fc.Random {
  constructor(private readonly source: ChoiceSource) {
    super(UNUSED_GENERATOR as never);
  }

  override nextInt(min?: number, max?: number): number {
    return this.source.int(min ?? MIN_INT, max ?? MAX_INT);
  }

  override nextBigInt(min: bigint, max: bigint): bigint {
    return this.source.bigint(min, max);
  }

  override next(bits: number): number {
    return this.nextInt(0, (1 << bits) - 1);
  }

  override nextBoolean(): boolean {
    return this.nextInt(0, 1) === 1;
  }

  override nextDouble(): number {
    const a = this.next(26), b = this.next(27);
    return (a * 134217728 + b) / 9007199254740992;
  }

  /**
   * fast-check clones the generator only to keep material for its own shrinker
   * (chain, oneof), which scorecheck does not use: the clone draws from a detached
   * source and records nothing.
   */
  override clone(): fc.Random {
    return new ChoiceRandom(new ChoiceSource([], { kind: 'simplest' }));
  }

  override getState(): readonly number[] | undefined {
    return undefined;
  }
}
