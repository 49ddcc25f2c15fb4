import fc from 'fast-check';

/**
 * Cases of the whole-loop sampler checks (docs/protocol.md §8.4). Every dimension is drawn at its
 * largest and cut, so fast-check shrinks the shape, the batch and the step count with the values
 * kept; noises and image-sized fields come from integer seeds (a case stays a few dozen choices at
 * any size). Corners reach n = 1, 2 and the last two valid step counts, the smallest and the
 * largest shape, and simple values (grid 1/4) at their extremes.
 */
export interface SamplerNetworkChoice {
  /** ω = omegaFactor / (typical τ spacing of the loop): one grid step turns g(τ) by ~omegaFactor radians. */
  readonly omegaFactor: number;
  readonly phase: number;
  /** Channel mixes (Cmax×Cmax, cut to C×C). */
  readonly mix0: readonly number[];
  readonly mix1: readonly number[];
  /** Diagonals and biases: explicit simple values (small shapes) scaled by these amplitudes; zero amplitude removes the diagonal. */
  readonly diag0: readonly number[];
  readonly diag1: readonly number[];
  readonly bias0: readonly number[];
  readonly bias1: readonly number[];
  /** Seed of image-sized fields (shapes larger than the explicit values). */
  readonly fieldSeed: number;
  readonly variance0: number;
  readonly variance1: number;
}

export interface SamplerCase {
  /** Index into the sampler's valid step counts. */
  readonly stepIndex: number;
  /** Index into the shapes the check runs. */
  readonly shapeIndex: number;
  readonly batch: number;
  readonly eta: number;
  readonly listSeed: number;
  readonly noiseSeed: number;
  /** Initial states, explicit simple values for small shapes (cut per sample). */
  readonly xInit: readonly number[];
  readonly net: SamplerNetworkChoice;
}

const simple = (max: number) => fc.integer({ min: -4 * max, max: 4 * max }).map((i) => i / 4);
const simples = (len: number, max: number) => fc.array(simple(max), { minLength: len, maxLength: len });

/**
 * `steps`: how many step counts the sampler can run; `shapes`: how many shapes; `maxC` and
 * `explicitSize`: the largest channel count and how many explicit entries per sample (larger
 * shapes take seeded values); `maxBatch`.
 */
export function samplerCase(opts: { steps: number; shapes: number; maxC: number; explicitSize: number; maxBatch: number; critical?: readonly number[] }): fc.Arbitrary<SamplerCase> {
  const { maxC, explicitSize } = opts;
  const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
  const anyStep = fc.integer({ min: 0, max: opts.steps - 1 });
  // `critical`: indices of step counts at a rounding boundary of the spacing, drawn a quarter of the time.
  const stepIndex = opts.critical && opts.critical.length > 0
    ? fc.oneof({ arbitrary: anyStep, weight: 3 }, { arbitrary: fc.constantFrom(...opts.critical), weight: 1 })
    : anyStep;
  return fc.record({
    stepIndex,
    shapeIndex: fc.integer({ min: 0, max: opts.shapes - 1 }),
    batch: fc.integer({ min: 1, max: opts.maxBatch }),
    eta: fc.integer({ min: 0, max: 4 }).map((k) => k / 4),
    listSeed: seed,
    noiseSeed: seed,
    xInit: simples(explicitSize * opts.maxBatch, 2),
    net: fc.record({
      omegaFactor: fc.integer({ min: 2, max: 8 }).map((k) => k / 4),
      phase: fc.integer({ min: 0, max: 23 }).map((k) => (k * Math.PI) / 12),
      mix0: simples(maxC * maxC, 1),
      mix1: simples(maxC * maxC, 1),
      diag0: simples(explicitSize, 1),
      diag1: simples(explicitSize, 1),
      bias0: simples(explicitSize, 1),
      bias1: simples(explicitSize, 1),
      fieldSeed: seed,
      variance0: simple(0.5),
      variance1: simple(0.5),
    }),
  });
}
